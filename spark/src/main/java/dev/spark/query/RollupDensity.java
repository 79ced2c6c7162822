package dev.spark.query;

import dev.spark.storage.RollupLevel;
import dev.spark.storage.Sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The {@link RollupCover.Weights} of a file, measured on its newest whole hour and day before the fold
 * watermark: rows per hour bucket against the minute buckets of that hour, per day bucket against its
 * hours, and the all-time level against that day. How many rollup rows a bucket holds depends on the
 * traffic (how many routes, statuses and distinct durations): on a benchmark's file of a million rows
 * an hour held 18 minutes' rows, a day 77 and the all-time level 145, where the typical weights say
 * 10, 30 and 90, and the statistics of a week read 50 % more rollup rows than they needed. Measured
 * at most once a minute ({@link #TTL_MS}) per reader; a ratio that cannot be measured (a file younger than
 * a day, a quiet hour) keeps its typical weight.
 */
final class RollupDensity {
  static final long TTL_MS = 60_000;
  private static final long MAX_WEIGHT = 1_000_000;

  /** The last measurement (null: none yet) and when it was taken. */
  private volatile RollupCover.Weights weights;
  private volatile long measuredAt;

  /** The weights for a file folded until {@code foldedUntil}, measured again when older than {@link #TTL_MS}. */
  RollupCover.Weights weights(Connection c, Instant foldedUntil, long nowMs) throws SQLException {
    if (foldedUntil == null || foldedUntil.equals(Instant.MIN)) return RollupCover.Weights.TYPICAL;
    RollupCover.Weights last = weights;
    if (last != null && nowMs - measuredAt < TTL_MS) return last;
    RollupCover.Weights measured = measure(c, foldedUntil);
    measuredAt = nowMs;
    weights = measured;
    return measured;
  }

  static RollupCover.Weights measure(Connection c, Instant foldedUntil) throws SQLException {
    Instant hour = RollupLevel.HOUR.floor(foldedUntil).minus(1, ChronoUnit.HOURS);
    Instant day = RollupLevel.DAY.floor(foldedUntil).minus(1, ChronoUnit.DAYS);
    try (PreparedStatement st = c.prepareStatement(Sql.get("rollup_density"))) {
      st.setString(1, RollupLevel.MINUTE.bucket(hour));
      st.setString(2, RollupLevel.MINUTE.bucket(hour.plus(1, ChronoUnit.HOURS)));
      st.setString(3, RollupLevel.HOUR.bucket(hour));
      st.setString(4, RollupLevel.HOUR.bucket(day));
      st.setString(5, RollupLevel.HOUR.bucket(day.plus(1, ChronoUnit.DAYS)));
      st.setString(6, RollupLevel.DAY.bucket(day));
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return weights(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
      }
    }
  }

  /**
   * From the counts: a bucket of a level against the finer buckets of the same span (60 minutes in an
   * hour, 24 hours in a day), chained down to minutes; the all-time level against the day.
   */
  static RollupCover.Weights weights(long minutesOfHour, long hour, long hoursOfDay, long day, long allTime) {
    RollupCover.Weights typical = RollupCover.Weights.TYPICAL;
    double h = minutesOfHour > 0 && hour > 0 ? hour * 60.0 / minutesOfHour : typical.hour();
    double d = hoursOfDay > 0 && day > 0 ? day * 24.0 / hoursOfDay * h : typical.day() * h / typical.hour();
    double a = day > 0 && allTime > 0 ? (double) allTime / day * d : typical.all() * d / typical.day();
    return new RollupCover.Weights(clamp(a), clamp(d), clamp(h));
  }

  private static long clamp(double w) {
    return Math.max(1, Math.min(MAX_WEIGHT, Math.round(w)));
  }
}
