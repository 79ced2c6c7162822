package dev.spark.query;

import dev.spark.event.Timestamps;
import dev.spark.storage.RollupLevel;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How {@link RollupQuery} cuts a window with a fold watermark: the pieces cover the window exactly, in
 * order, with at most two raw edges; no hour or day piece reaches past the folded minutes; without a
 * watermark (a file from before folding) the widest levels are used as before.
 */
class RollupSegmentsTest {
  private static final Instant BASE = Instant.parse("2026-11-30T00:00:00Z");

  @Test
  void piecesCoverTheWindowAndHourAndDayPiecesStayWithinTheFoldedMinutes() {
    Random random = new Random(3);
    for (int i = 0; i < 5_000; i++) {
      Instant since = BASE.plusMillis((long) (random.nextDouble() * 4 * 86_400_000L));
      Instant until = random.nextInt(5) == 0 ? null : since.plusMillis((long) (random.nextDouble() * 3 * 86_400_000L));
      Instant folded = switch (random.nextInt(4)) {
        case 0 -> null;
        case 1 -> Instant.MIN;
        default -> BASE.plus(random.nextInt(6 * 1_440), ChronoUnit.MINUTES);
      };
      ReadStore.Filter filter = new ReadStore.Filter().where("where_since", Timestamps.format(since));
      if (until != null) filter.where("where_until", Timestamps.format(until));
      RollupQuery plan = RollupQuery.plan(filter);
      List<RollupQuery.Segment> pieces = plan.segments(folded);
      String where = "window " + since + " .. " + until + ", folded until " + folded + ": " + pieces;
      Instant at = plan.since;
      int raw = 0;
      for (RollupQuery.Segment s : pieces) {
        assertEquals(at, s.from(), where + ": contiguous");
        if (s.level() == null) raw++;
        boolean wide = s.level() == RollupLevel.HOUR || s.level() == RollupLevel.DAY;
        at = s.until();
        if (wide && folded != null) {
          // Those levels hold nothing from `folded` on: a piece left open ends there.
          if (at == null) at = folded;
          assertFalse(at.isAfter(folded), where + ": an hour or day piece past the folded minutes");
        }
        if (at == null) break;
      }
      if (until == null) assertNull(at, where + ": open to the end");
      else assertEquals(until, at, where + ": ends at the window's end");
      assertTrue(raw <= 2, where + ": at most two raw edges");
    }
  }

  @Test
  void aWeekBeforeTheWatermarkIsReadFromDaysAndTheMinutesAfterItFromMinutes() {
    Instant until = Instant.parse("2026-12-07T10:37:12Z");
    ReadStore.Filter filter = new ReadStore.Filter().where("where_since", Timestamps.format(until.minus(7, ChronoUnit.DAYS)))
        .where("where_until", Timestamps.format(until));
    RollupQuery plan = RollupQuery.plan(filter);
    List<RollupQuery.Segment> folding = plan.segments(Instant.parse("2026-12-07T10:35:00Z"));
    assertTrue(folding.stream().anyMatch(s -> s.level() == RollupLevel.DAY), folding.toString());
    // The whole days up to the watermark, today's part included, are one piece of the day level (it holds nothing after it).
    assertTrue(folding.contains(new RollupQuery.Segment(RollupLevel.DAY, Instant.parse("2026-12-01T00:00:00Z"), null)), folding.toString());
    assertTrue(folding.contains(new RollupQuery.Segment(RollupLevel.MINUTE, Instant.parse("2026-12-07T10:35:00Z"),
        Instant.parse("2026-12-07T10:37:00Z"))), "the minutes after the watermark: " + folding);
    // Nothing folded: minutes only; a file from before folding: as before, the current hour in minutes.
    assertFalse(plan.segments(Instant.MIN).stream().anyMatch(s -> s.level() == RollupLevel.DAY || s.level() == RollupLevel.HOUR));
    assertTrue(plan.segments(null).contains(new RollupQuery.Segment(RollupLevel.MINUTE, Instant.parse("2026-12-07T10:00:00Z"),
        Instant.parse("2026-12-07T10:37:00Z"))), plan.segments(null).toString());
  }
}
