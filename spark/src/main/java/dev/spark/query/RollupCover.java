package dev.spark.query;

import dev.spark.storage.RollupLevel;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The pieces a statistics window is read from, each added or subtracted: a window that starts early
 * in a day is read as that whole day less its first hours (one bucket of the day level and a few hours,
 * instead of twenty hours), and a window that reaches back to the oldest folded rows as
 * {@link RollupLevel#ALL} less what lies before it (one level instead of a week of days). Each choice
 * is taken where it reads fewer rollup rows than the plain cover ({@link Mode#PLAIN}), by an
 * estimate in minute rows ({@link #cost}); counts and histograms come out the same either way (the
 * sums of durations may differ in their last bits, as after the janitor's subtractions).
 */
final class RollupCover {
  /** A piece of the window, added ({@code sign} 1) or subtracted (-1). */
  record Piece(RollupQuery.Segment segment, int sign) {}

  /**
   * Which reads may be chosen. PLAIN: nothing subtracted, each part at the widest level with a whole
   * bucket in it ({@link RollupQuery#segments}); COST: the cheaper of each choice; EAGER: every
   * subtraction it may (for tests).
   */
  enum Mode { PLAIN, COST, EAGER }

  /**
   * Rollup rows per bucket of each level, in rows of a minute bucket (a minute weighs 1): what
   * {@link #cost} counts a piece at. {@link RollupDensity} measures them on the file.
   */
  record Weights(long all, long day, long hour) {
    /**
     * On Spark's own test data an hour holds ~10 minutes' rows, a day ~30 and the whole of a week's
     * file ~90 (durations and statuses repeat).
     */
    static final Weights TYPICAL = new Weights(90, 30, 10);
  }

  private static final RollupLevel[] LEVELS = RollupLevel.values();
  private static final int DAY = RollupLevel.DAY.ordinal();
  private static final int MINUTE = RollupLevel.MINUTE.ordinal();
  private static final int RAW = LEVELS.length;

  private final Mode mode;
  /** Where the hour, day and all levels end (the end of the fold watermark's minute); never null here. */
  private final Instant folded;
  private final Weights weights;

  private RollupCover(Mode mode, Instant folded, Weights weights) {
    this.mode = mode;
    this.folded = folded;
    this.weights = weights;
  }

  /**
   * The window [since, until) ({@code until} null: open) as signed pieces. {@code foldedUntil} as in
   * {@link RollupQuery#segments}; {@code oldestDay} the start of the oldest day with folded rows when
   * the file has {@link RollupLevel#ALL} (else null).
   */
  static List<Piece> pieces(Instant since, Instant until, Instant foldedUntil, Instant oldestDay, Mode mode) {
    return pieces(since, until, foldedUntil, oldestDay, mode, Weights.TYPICAL);
  }

  /** The same, costed with {@code weights}. */
  static List<Piece> pieces(Instant since, Instant until, Instant foldedUntil, Instant oldestDay, Mode mode, Weights weights) {
    RollupCover c = new RollupCover(mode, foldedUntil, weights);
    List<Piece> out = new ArrayList<>();
    if (foldedUntil == null || (until != null && !foldedUntil.isBefore(until))) {
      c.cover(since, until, DAY, 1, out);
    } else if (!foldedUntil.isAfter(since)) {
      c.cover(since, until, MINUTE, 1, out);
    } else {
      List<Piece> levels = new ArrayList<>();
      c.coverFolded(since, DAY, 1, levels);
      if (oldestDay != null && mode != Mode.PLAIN) {
        List<Piece> all = new ArrayList<>();
        all.add(new Piece(new RollupQuery.Segment(RollupLevel.ALL, null, null), 1));
        if (oldestDay.isBefore(since)) c.cover(oldestDay, since, DAY, -1, all);
        levels = c.cheaper(all, levels);
      }
      out.addAll(levels);
      c.cover(foldedUntil, until, MINUTE, 1, out);
    }
    return out;
  }

  /** [from, until) (until null: open, only where the levels from {@code level} on end by themselves). */
  private void cover(Instant from, Instant until, int level, int sign, List<Piece> out) {
    if (until != null && !from.isBefore(until)) return;
    if (level == RAW) {
      out.add(new Piece(new RollupQuery.Segment(null, from, until), sign));
      return;
    }
    RollupLevel l = LEVELS[level];
    Instant start = l.ceil(from);
    Instant end = until == null ? null : l.floor(until);
    if (end != null && !start.isBefore(end)) {
      cover(from, until, level + 1, sign, out);
      return;
    }
    start = leftEdge(from, start, level, sign, out);
    out.add(new Piece(new RollupQuery.Segment(l, start, end), sign));
    if (end != null) cover(end, until, level + 1, sign, out);
  }

  /** [from, folded) where the levels from {@code level} on end at {@code folded} by themselves. */
  private void coverFolded(Instant from, int level, int sign, List<Piece> out) {
    RollupLevel l = LEVELS[level];
    if (level == MINUTE) {
      cover(from, folded, level, sign, out);
      return;
    }
    Instant start = l.ceil(from);
    List<Piece> finer = new ArrayList<>();
    if (!start.isBefore(folded) || mode == Mode.COST) coverFolded(from, level + 1, sign, finer);
    if (!start.isBefore(folded) && mode == Mode.PLAIN) {
      out.addAll(finer);
      return;
    }
    // This level from its bucket holding `from` (less the part before `from`), or from the next bucket on.
    List<Piece> here = new ArrayList<>();
    Instant first = start.isBefore(folded) ? leftEdge(from, start, level, sign, here) : complement(from, level, sign, here);
    here.add(new Piece(new RollupQuery.Segment(l, first, null), sign));
    out.addAll(finer.isEmpty() ? here : cheaper(here, finer));
  }

  /**
   * The part [from, start) before a level's first whole bucket: read at the finer levels, or (when
   * cheaper) as the whole bucket holding {@code from} less [its start, from). Returns where the
   * level's piece starts: {@code start}, or that bucket's start.
   */
  private Instant leftEdge(Instant from, Instant start, int level, int sign, List<Piece> out) {
    if (from.equals(start)) return start;
    List<Piece> direct = new ArrayList<>();
    cover(from, start, level + 1, sign, direct);
    if (mode == Mode.PLAIN) {
      out.addAll(direct);
      return start;
    }
    List<Piece> less = new ArrayList<>();
    Instant floor = complement(from, level, sign, less);
    // The whole bucket costs one more bucket of this level (its piece starts one bucket earlier).
    if (mode == Mode.EAGER || cost(less) + weight(LEVELS[level]) < cost(direct)) {
      out.addAll(less);
      return floor;
    }
    out.addAll(direct);
    return start;
  }

  /** Subtracts [floor(from), from) at the finer levels; returns floor(from). */
  private Instant complement(Instant from, int level, int sign, List<Piece> out) {
    Instant floor = LEVELS[level].floor(from);
    cover(floor, from, level + 1, -sign, out);
    return floor;
  }

  private List<Piece> cheaper(List<Piece> a, List<Piece> b) {
    if (mode == Mode.EAGER) return a;
    return cost(a) <= cost(b) ? a : b;
  }

  /**
   * Rollup rows a list of pieces reads, roughly, in minute rows ({@link Weights}); a raw edge, under a
   * minute of rows, counts one. Only the choice of pieces depends on it.
   */
  private long cost(List<Piece> pieces) {
    long total = 0;
    for (Piece p : pieces) {
      RollupQuery.Segment s = p.segment();
      if (s.level() == null || s.level() == RollupLevel.ALL) {
        total += s.level() == null ? 1 : weight(RollupLevel.ALL);
        continue;
      }
      Instant end = s.until() != null ? s.until() : folded;
      long buckets = end == null ? 1 : Math.max(1, Duration.between(s.from(), end).toMinutes() / Duration.of(1, s.level().unit).toMinutes());
      total += buckets * weight(s.level());
    }
    return total;
  }

  private long weight(RollupLevel level) {
    return switch (level) {
      case ALL -> weights.all();
      case DAY -> weights.day();
      case HOUR -> weights.hour();
      case MINUTE -> 1;
    };
  }
}
