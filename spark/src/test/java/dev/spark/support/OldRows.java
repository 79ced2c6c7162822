package dev.spark.support;

import dev.spark.event.Timestamps;
import dev.spark.storage.SqliteDatabase;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;

/**
 * Fills a database file, before Spark opens it, with rows old enough for the janitor: access logs
 * and consumed events spread over {@code ageDays} .. {@code ageDays + 2} days ago, in id order. The
 * schema is Spark's own ({@link SqliteDatabase#open}); the rows go in with batched plain inserts,
 * 50,000 per transaction, {@code synchronous=OFF} (a million rows take seconds), then the file is
 * synced to disk.
 */
public final class OldRows {
  private static final int CHUNK = 50_000;

  private OldRows() {}

  public static void seed(Path db, int accessLogs, int consumedEvents, int ageDays) throws Exception {
    SqliteDatabase.open(db, "OFF").close();
    Instant newest = Instant.now().minusSeconds(ageDays * 86_400L);
    long spanMs = 2 * 86_400_000L;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath())) {
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA synchronous = OFF");
      }
      c.setAutoCommit(false);
      try (PreparedStatement ins = c.prepareStatement("INSERT INTO access_logs (timestamp, method, path, status, duration_ms, ip, "
          + "feature, request_id, input, error, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (int i = 0; i < accessLogs; i++) {
          ins.setString(1, Timestamps.format(newest.minusMillis(spanMs - spanMs * i / accessLogs)));
          ins.setString(2, i % 5 == 0 ? "POST" : "GET");
          ins.setString(3, "/api/items/" + (i % 2_000));
          ins.setInt(4, i % 50 == 0 ? 500 : 200);
          ins.setInt(5, 5 + i % 200);
          ins.setString(6, "127.0.0.1");
          ins.setString(7, "items");
          ins.setString(8, "old-" + i);
          ins.setString(9, null);
          ins.setString(10, null);
          ins.setString(11, "seed");
          ins.addBatch();
          if ((i + 1) % CHUNK == 0) commit(c, ins);
        }
        commit(c, ins);
      }
      try (PreparedStatement ins = c.prepareStatement("INSERT INTO events (type, timestamp, environment, feature, route, status, data, "
          + "consumed, consumed_at, fingerprint) VALUES ('server-error', ?, 'development', 'items', 'GET /api/items', 500, ?, 1, ?, ?)")) {
        for (int i = 0; i < consumedEvents; i++) {
          String ts = Timestamps.format(newest.minusMillis(spanMs - spanMs * i / consumedEvents));
          ins.setString(1, ts);
          ins.setString(2, "{\"type\":\"server-error\",\"error\":{\"message\":\"old failure " + i + "\"}}");
          ins.setString(3, ts);
          ins.setString(4, "old-" + (i % 100));
          ins.addBatch();
          if ((i + 1) % CHUNK == 0) commit(c, ins);
        }
        commit(c, ins);
      }
      // Rows written behind the writer's back: Spark builds their access-log rollups when it opens the file.
      try (Statement st = c.createStatement()) {
        st.executeUpdate("DELETE FROM spark_meta WHERE key = '" + SqliteDatabase.ACCESS_ROLLUPS_META_KEY + "'");
      }
      c.commit();
      c.setAutoCommit(true);
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      }
    }
    // On disk, as an old database would be: else the first fsync Spark's writer makes (at a checkpoint)
    // flushes the whole seed and stalls ingest for seconds.
    try (FileChannel file = FileChannel.open(db, StandardOpenOption.WRITE)) {
      file.force(true);
    }
  }

  private static void commit(Connection c, PreparedStatement ins) throws Exception {
    ins.executeBatch();
    c.commit();
  }
}
