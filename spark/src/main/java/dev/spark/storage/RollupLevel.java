package dev.spark.storage;

import dev.spark.event.Timestamps;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/**
 * The granularities of the access-log rollups: one table each, keyed by the bucket's start written
 * as the prefix of Spark's timestamp format ({@code 2026-11-24T06:02}, {@code 2026-11-24T06},
 * {@code 2026-11-24}), so a row's bucket is {@code substr(timestamp, 1, length)}. {@link #ALL} is one
 * bucket, the empty prefix, for every folded row whatever its time: a window that reaches back to
 * the oldest rows is read as it less what lies before the window.
 */
public enum RollupLevel {
  ALL("access_rollup_all", 0, ChronoUnit.FOREVER),
  DAY("access_rollup_day", 10, ChronoUnit.DAYS),
  HOUR("access_rollup_hour", 13, ChronoUnit.HOURS),
  MINUTE("access_rollup_minute", 16, ChronoUnit.MINUTES);

  public final String table;
  public final int length;
  public final ChronoUnit unit;

  RollupLevel(String table, int length, ChronoUnit unit) {
    this.table = table;
    this.length = length;
    this.unit = unit;
  }

  /** The bucket of a stored timestamp. */
  public String bucket(String timestamp) {
    return timestamp.substring(0, length);
  }

  public String bucket(Instant instant) {
    return Timestamps.format(instant).substring(0, length);
  }

  /** The start of the bucket holding {@code t}; not for {@link #ALL}, which has no time bounds. */
  public Instant floor(Instant t) {
    if (this == ALL) throw new UnsupportedOperationException("ALL has no time buckets");
    return t.atZone(ZoneOffset.UTC).truncatedTo(unit).toInstant();
  }

  public Instant ceil(Instant t) {
    Instant f = floor(t);
    return f.equals(t) ? f : ZonedDateTime.ofInstant(f, ZoneOffset.UTC).plus(1, unit).toInstant();
  }
}
