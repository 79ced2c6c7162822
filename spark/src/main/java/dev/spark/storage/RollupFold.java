package dev.spark.storage;

import io.vertx.core.json.JsonObject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The fold watermark W of the access-log rollups (a minute bucket, in the {@link AccessRollups#META_KEY}
 * meta value as {@value #FIELD}): access_rollup_hour, access_rollup_day and access_rollup_all hold exactly the rows whose
 * minute is at or before W, the minute level and the totals hold every row. A row stored or deleted
 * after W is counted in the minute level only; whole sealed minutes are folded into the hour and day
 * levels later, by {@link #fold}, in the writer's transaction. Writer thread only.
 */
final class RollupFold {
  /** The meta field that holds W; a file whose rollups are older than {@link #SINCE} has none. */
  static final String FIELD = "folded";
  /** The first {@link AccessRollups#VERSION} with a fold watermark. */
  static final int SINCE = 4;
  /**
   * Minute rows folded at most per transaction: a writer that was stopped, or a clock moved forward by
   * days, catches up in steps instead of one long commit. A single minute is always folded whole.
   */
  static final int MAX_ROWS = 20_000;
  /** {@link #MAX_ROWS}; smaller in tests of the catch-up. */
  int maxRows = MAX_ROWS;

  /**
   * Statements are prepared for each use (at most once a minute) and closed: one kept prepared after an
   * update leaves SQLite counting a statement in progress, and VACUUM refuses to run (JanitorVerticleTest).
   */
  private final Connection conn;
  /** W as on disk in the open transaction; null: not read yet, or forgotten after a rollback. */
  private String watermark;
  /** Before this instant the fold target cannot have moved: the check on each commit is one comparison. */
  private Instant nextCheck = Instant.MIN;

  RollupFold(Connection conn) {
    this.conn = conn;
  }

  /**
   * The newest minute that may be folded at {@code now}: the one that ended at least a minute ago (at
   * 10:05:xx, 10:03). The minute of grace lets rows that arrive a little late (a client's batch, a
   * retry, a clock a few seconds off) still cost one upsert; a row later than that is added to all three
   * levels, as before folding, and is exact either way.
   */
  static String target(Instant now) {
    return RollupLevel.MINUTE.bucket(sealedBefore(now).minus(1, ChronoUnit.MINUTES));
  }

  /** The start of the first minute not yet foldable at {@code now} (at 10:05:xx, 10:04). */
  static Instant sealedBefore(Instant now) {
    return RollupLevel.MINUTE.floor(now).minus(1, ChronoUnit.MINUTES);
  }

  /** W (the empty string: nothing folded), read from the meta value once, and again after a rollback. */
  String watermark() throws SQLException {
    if (watermark == null) {
      try (PreparedStatement read = conn.prepareStatement(Sql.get("get_meta"))) {
        read.setString(1, AccessRollups.META_KEY);
        try (ResultSet rs = read.executeQuery()) {
          watermark = rs.next() ? watermarkOf(new JsonObject(rs.getString(1))) : "";
        }
      }
      if (watermark == null) watermark = "";
    }
    return watermark;
  }

  /** W in a meta value; null when the value is from before folding (then everything counts as folded). */
  static String watermarkOf(JsonObject meta) {
    return meta == null || meta.getInteger("version", 0) < SINCE ? null : meta.getString(FIELD, "");
  }

  /** After a rollback: the W in memory may be one the rolled-back transaction wrote. */
  void forget() {
    watermark = null;
    nextCheck = Instant.MIN;
  }

  /** Whether {@link #fold} at {@code now} may move W (else it is one comparison and returns W). */
  boolean due(Instant now) {
    return !now.isBefore(nextCheck);
  }

  /**
   * Folds the minutes after W up to {@link #target}(now) (at most about {@link #maxRows} minute rows)
   * into the hour and day levels and moves W, without committing. Returns the new W.
   */
  String fold(Instant now) throws SQLException {
    if (now.isBefore(nextCheck)) return watermark();
    String from = watermark();
    String to = target(now);
    if (to.compareTo(from) <= 0) {
      nextCheck = RollupLevel.MINUTE.floor(now).plus(1, ChronoUnit.MINUTES);
      return from;
    }
    String bounded = bounded(from, to);
    for (String level : new String[] {"rollup_fold_hour", "rollup_fold_day", "rollup_fold_all"}) {
      try (PreparedStatement st = conn.prepareStatement(Sql.get(level))) {
        st.setString(1, from);
        st.setString(2, bounded);
        st.executeUpdate();
      }
    }
    set(bounded);
    // Caught up: nothing more to fold until the next minute. Else the next commit goes on.
    nextCheck = bounded.equals(to) ? RollupLevel.MINUTE.floor(now).plus(1, ChronoUnit.MINUTES) : Instant.MIN;
    return bounded;
  }

  /** {@code to}, or the last whole minute before the minute row that exceeds the budget. */
  private String bounded(String from, String to) throws SQLException {
    String over;
    try (PreparedStatement nth = conn.prepareStatement(Sql.get("rollup_fold_nth_bucket"))) {
      nth.setString(1, from);
      nth.setString(2, to);
      nth.setInt(3, maxRows);
      try (ResultSet rs = nth.executeQuery()) {
        if (!rs.next()) return to;
        over = rs.getString(1);
      }
    }
    try (PreparedStatement before = conn.prepareStatement(Sql.get("rollup_fold_last_bucket_before"))) {
      before.setString(1, from);
      before.setString(2, over);
      try (ResultSet rs = before.executeQuery()) {
        String last = rs.next() ? rs.getString(1) : null;
        return last == null ? over : last;
      }
    }
  }

  /** Moves W on disk and in memory (no commit). */
  private void set(String w) throws SQLException {
    try (PreparedStatement write = conn.prepareStatement(Sql.get("put_rollup_watermark"))) {
      write.setString(1, w);
      write.setString(2, AccessRollups.META_KEY);
      write.executeUpdate();
    }
    watermark = w;
  }
}
