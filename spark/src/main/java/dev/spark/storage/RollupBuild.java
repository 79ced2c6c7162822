package dev.spark.storage;

import dev.spark.event.Timestamps;
import io.vertx.core.json.JsonObject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.logging.Logger;

/**
 * Builds the access-log rollups from the rows on disk, at open, when the file has none yet or has them
 * at another {@link AccessRollups#VERSION}; brings the previous version's forward without a rebuild.
 */
final class RollupBuild {
  private static final Logger LOG = Logger.getLogger(RollupBuild.class.getName());
  private static final int CHUNK = 50_000;

  private RollupBuild() {}

  /**
   * Builds the rollups from the rows already on disk when the file has none yet (a database written
   * before rollups existed, or with another {@link AccessRollups#VERSION}), in one pass over
   * {@code access_logs}, and records that they are built, through the newest row. Runs at open, before
   * anything is served. The fold watermark is set to the newest minute with rows that the writer would
   * have folded by now (by the wall clock: the writer's own clock is not known here), or to nothing on
   * a file without such rows; the rows after it go to the minute level only, as the writer would have
   * put them. Rollups of the version before this one held every row as it was committed: they are
   * marked as complete through the newest row, and kept.
   */
  static void ensureBuilt(Connection conn) throws SQLException {
    int previous = 0;
    try (PreparedStatement st = conn.prepareStatement(Sql.get("get_meta"))) {
      st.setString(1, AccessRollups.META_KEY);
      try (ResultSet rs = st.executeQuery()) {
        if (rs.next()) previous = new JsonObject(rs.getString(1)).getInteger("version", 0);
      }
    }
    if (previous == AccessRollups.VERSION) return;
    if (previous == AccessRollups.THROUGH_SINCE - 1) {
      try (PreparedStatement st = conn.prepareStatement(Sql.get("rollups_in_step"))) {
        st.setInt(1, AccessRollups.VERSION);
        st.setString(2, AccessRollups.META_KEY);
        st.executeUpdate();
      }
      conn.commit();
      return;
    }
    long started = System.nanoTime();
    try (Statement st = conn.createStatement()) {
      for (RollupLevel level : RollupLevel.values()) st.executeUpdate("DELETE FROM " + level.table);
      st.executeUpdate("DELETE FROM " + AccessRollups.TOTALS);
    }
    AccessRollups rollups = new AccessRollups(conn);
    String watermark = newestSealedMinute(conn, Instant.now());
    long rows = 0;
    long after = 0;
    String sql = "SELECT " + AccessRollups.TALLIED_COLUMNS + " FROM access_logs WHERE id > ? ORDER BY id LIMIT " + CHUNK;
    try (PreparedStatement st = conn.prepareStatement(sql)) {
      while (true) {
        st.setLong(1, after);
        AccessRollups.Tally tally = rollups.tally(watermark);
        int n = 0;
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            after = rs.getLong(1);
            tally.add(rs, 1);
            n++;
          }
        }
        tally.apply();
        rows += n;
        if (n < CHUNK) break;
      }
    }
    try (PreparedStatement st = conn.prepareStatement(Sql.get("put_meta"))) {
      st.setString(1, AccessRollups.META_KEY);
      st.setString(2, new JsonObject().put("version", AccessRollups.VERSION).put("builtFromRows", rows)
          .put(RollupFold.FIELD, watermark).put(AccessRollups.THROUGH, after).encode());
      st.executeUpdate();
    }
    conn.commit();
    long ms = (System.nanoTime() - started) / 1_000_000;
    if (previous > 0) {
      LOG.info("Rebuilt the access-log rollups (version " + previous + " -> " + AccessRollups.VERSION
          + "; see AccessRollups.VERSION) from " + rows + " rows in " + ms + " ms");
    } else if (rows > 0) {
      LOG.info("Built the access-log rollups from " + rows + " existing rows in " + ms + " ms");
    }
  }

  /** The minute of the newest row at or before {@link RollupFold#target}(now), on the timestamp index; "" for none. */
  private static String newestSealedMinute(Connection conn, Instant now) throws SQLException {
    Instant after = RollupFold.sealedBefore(now);
    try (PreparedStatement st = conn.prepareStatement("SELECT max(timestamp) FROM access_logs WHERE timestamp < ?")) {
      st.setString(1, Timestamps.format(after));
      try (ResultSet rs = st.executeQuery()) {
        String newest = rs.next() ? rs.getString(1) : null;
        return newest == null ? "" : RollupLevel.MINUTE.bucket(newest);
      }
    }
  }
}
