package dev.spark.query;

import dev.spark.event.Timestamps;
import dev.spark.storage.RollupLevel;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RollupCover}'s signed pieces count every instant of the window once and every other instant
 * not at all, in each mode (the plain one subtracts nothing: see also RollupSegmentsTest); the cost mode reads the
 * benchmark's wide windows as a day less its first hours, or as the all level less the window's past.
 */
class RollupCoverTest {
  private static final Instant BASE = Instant.parse("2026-11-30T00:00:00Z");

  @Test
  void signedPiecesCountEachInstantOfTheWindowOnceInEveryMode() {
    Random random = new Random(5);
    for (int i = 0; i < 3_000; i++) {
      Instant since = BASE.plusMillis((long) (random.nextDouble() * 6 * 86_400_000L));
      Instant until = random.nextInt(4) == 0 ? null : since.plusMillis((long) (random.nextDouble() * 3 * 86_400_000L));
      Instant folded = switch (random.nextInt(5)) {
        case 0 -> null;
        case 1 -> Instant.MIN;
        default -> BASE.plus(random.nextInt(8 * 1_440), ChronoUnit.MINUTES);
      };
      // The oldest folded day: the first, or a later one (then no row is older: probes start there).
      Instant oldest = folded == null || folded == Instant.MIN ? null : BASE.plus(random.nextInt(3), ChronoUnit.DAYS);
      if (oldest != null && !oldest.isBefore(folded)) oldest = null;
      RollupQuery plan = RollupQuery.plan(window(since, until));
      // Whatever a file's weights per bucket (RollupDensity), they only choose among exact covers.
      RollupCover.Weights weights = i % 2 == 0 ? RollupCover.Weights.TYPICAL
          : new RollupCover.Weights(1 + random.nextInt(2_000), 1 + random.nextInt(500), 1 + random.nextInt(60));
      for (RollupCover.Mode mode : RollupCover.Mode.values()) {
        List<RollupCover.Piece> pieces = RollupCover.pieces(plan.since, plan.until, folded, oldest, mode, weights);
        String where = mode + " " + weights + ", window " + since + " .. " + until + ", folded until " + folded + ", oldest " + oldest + ": " + pieces;
        if (mode == RollupCover.Mode.PLAIN) assertTrue(pieces.stream().allMatch(p -> p.sign() == 1), where);
        Instant low = oldest != null ? oldest : BASE.minus(1, ChronoUnit.DAYS);
        for (Instant t : probes(since, until, folded, pieces, low)) {
          boolean in = !t.isBefore(since) && (until == null || t.isBefore(until));
          assertEquals(in ? 1 : 0, count(pieces, t, folded), where + ": instant " + t);
        }
      }
    }
  }

  @Test
  void theBenchmarksWideWindowsReadADayLessItsFirstHoursAndTheWholeFileLessItsPast() {
    Instant now = Instant.parse("2026-12-07T03:25:52Z");
    Instant folded = Instant.parse("2026-12-07T03:24:00Z");
    // 24 hours: yesterday from its start, less its first three hours and 25 minutes, not twenty hours.
    List<RollupCover.Piece> day = cost(now.minus(24, ChronoUnit.HOURS), folded, Instant.parse("2026-12-06T00:00:00Z"));
    assertTrue(day.contains(piece(RollupLevel.DAY, "2026-12-06T00:00:00Z", null, 1)), day.toString());
    assertTrue(day.contains(piece(RollupLevel.HOUR, "2026-12-06T00:00:00Z", "2026-12-06T03:00:00Z", -1)), day.toString());
    assertTrue(day.stream().noneMatch(p -> p.segment().level() == RollupLevel.HOUR && p.sign() == 1), day.toString());
    // A week of a week-old file: everything folded, less the hours before the window; no day pieces.
    List<RollupCover.Piece> week = cost(now.minus(168, ChronoUnit.HOURS), folded, Instant.parse("2026-11-30T00:00:00Z"));
    assertTrue(week.contains(new RollupCover.Piece(new RollupQuery.Segment(RollupLevel.ALL, null, null), 1)), week.toString());
    assertTrue(week.stream().noneMatch(p -> p.segment().level() == RollupLevel.DAY), week.toString());
    // The same week on a file whose day buckets hold 77 minutes' rows and whose hours 18 (the 7-day
    // benchmark's, measured): the all level less the first day's hours, where the typical weights chose
    // the days from the second on plus the first day's last hours.
    RollupCover.Weights measured = new RollupCover.Weights(145, 77, 18);
    Instant oldest = Instant.parse("2026-11-30T00:00:00Z");
    Instant since = Instant.parse("2026-11-30T17:11:09.827Z");
    Instant foldedWeek = Instant.parse("2026-12-07T16:44:00Z");
    List<RollupCover.Piece> typical = RollupCover.pieces(since, null, foldedWeek, oldest, RollupCover.Mode.COST);
    assertTrue(typical.contains(piece(RollupLevel.DAY, "2026-12-01T00:00:00Z", null, 1)), typical.toString());
    List<RollupCover.Piece> dense = RollupCover.pieces(since, null, foldedWeek, oldest, RollupCover.Mode.COST, measured);
    assertTrue(dense.contains(new RollupCover.Piece(new RollupQuery.Segment(RollupLevel.ALL, null, null), 1)), dense.toString());
    assertTrue(dense.contains(piece(RollupLevel.HOUR, "2026-11-30T00:00:00Z", "2026-11-30T17:00:00Z", -1)), dense.toString());
    // The last hour: as before, minutes and the open piece of the hour level.
    List<RollupCover.Piece> hour = cost(now.minus(1, ChronoUnit.HOURS), folded, Instant.parse("2026-11-30T00:00:00Z"));
    assertTrue(hour.stream().allMatch(p -> p.sign() == 1), hour.toString());
  }

  private static List<RollupCover.Piece> cost(Instant since, Instant folded, Instant oldest) {
    return RollupCover.pieces(since, null, folded, oldest, RollupCover.Mode.COST);
  }

  private static RollupCover.Piece piece(RollupLevel level, String from, String until, int sign) {
    return new RollupCover.Piece(new RollupQuery.Segment(level, Instant.parse(from), until == null ? null : Instant.parse(until)), sign);
  }

  private static ReadStore.Filter window(Instant since, Instant until) {
    ReadStore.Filter filter = new ReadStore.Filter().where("where_since", Timestamps.format(since));
    if (until != null) filter.where("where_until", Timestamps.format(until));
    return filter;
  }

  /** Each piece's bounds and the window's, a millisecond either side, and a few instants beyond. */
  private static TreeSet<Instant> probes(Instant since, Instant until, Instant folded, List<RollupCover.Piece> pieces, Instant low) {
    List<Instant> edges = new ArrayList<>(List.of(since, since.plus(5, ChronoUnit.DAYS)));
    if (until != null) edges.add(until);
    if (folded != null && folded != Instant.MIN) edges.add(folded);
    for (RollupCover.Piece p : pieces) {
      if (p.segment().from() != null) edges.add(p.segment().from());
      if (p.segment().until() != null) edges.add(p.segment().until());
    }
    TreeSet<Instant> out = new TreeSet<>();
    for (Instant e : edges) {
      for (long d : new long[] {-1, 0, 1}) {
        Instant t = e.plusMillis(d);
        if (!t.isBefore(low)) out.add(t);
      }
    }
    return out;
  }

  /** How often the pieces count a row at {@code t}: hour, day and all levels hold only rows before {@code folded}. */
  private static int count(List<RollupCover.Piece> pieces, Instant t, Instant folded) {
    int n = 0;
    for (RollupCover.Piece p : pieces) {
      RollupQuery.Segment s = p.segment();
      boolean wide = s.level() != null && s.level() != RollupLevel.MINUTE;
      if (wide && folded != null && !t.isBefore(folded)) continue;
      // A row's minute, hour or day bucket decides which piece of a level holds it.
      Instant at = s.level() == null || s.level() == RollupLevel.ALL ? t : s.level().floor(t);
      boolean after = s.level() == RollupLevel.ALL || s.from() == null || !at.isBefore(s.from());
      boolean before = s.level() == RollupLevel.ALL || s.until() == null || at.isBefore(s.until());
      if (after && before) n += p.sign();
    }
    return n;
  }
}
