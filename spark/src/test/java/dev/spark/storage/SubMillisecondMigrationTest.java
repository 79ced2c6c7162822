package dev.spark.storage;

import dev.spark.event.AccessRow;
import dev.spark.event.Timestamps;
import dev.spark.query.DashboardReads;
import dev.spark.query.ReadStore;
import dev.spark.support.Await;
import dev.spark.support.LogCapture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A file written by the version before sub-millisecond durations (its schema as it was, in
 * test resources: INTEGER duration columns; whole-millisecond rows and version-1 rollups) opens,
 * rebuilds its rollups once (logged once), keeps its rows as they were, answers the same statistics
 * as before, and from then on keeps fractions of a millisecond in its INTEGER-declared column.
 */
@ExtendWith(VertxExtension.class)
class SubMillisecondMigrationTest {
  private static final String[] PATHS = {"/api/items/7", "/api/items/8", "/api/users", "/health"};

  @Test
  void aFileFromThePreviousVersionMigratesByItselfAndAnswersTheSameStatistics(Vertx vertx, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("old.db");
    int rows = writeOldFile(file);

    JsonObject before = stats(vertx, file);
    assertEquals(rows, before.getJsonObject("totals").getLong("requests"));
    long sumBefore = sumOfDurations(file);

    try (LogCapture log = LogCapture.start()) {
      SqliteDatabase.open(file, "NORMAL").close();
      SqliteDatabase.open(file, "NORMAL").close();
      long rebuilt = log.text().lines().filter(l -> l.contains("Rebuilt the access-log rollups")).count();
      assertEquals(1, rebuilt, "the rebuild runs and is logged once: " + log.text());
    }
    assertEquals(before, stats(vertx, file), "the same statistics after the migration");
    assertEquals(sumBefore, sumOfDurations(file), "the rows are kept as they were");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      ResultSet rs = st.executeQuery("SELECT count(*) FROM access_logs WHERE typeof(duration_ms) NOT IN ('integer', 'null')");
      rs.next();
      assertEquals(0, rs.getLong(1), "whole milliseconds stay integers (still right as milliseconds)");
      rs = st.executeQuery("SELECT value FROM spark_meta WHERE key = 'access_rollups'");
      rs.next();
      assertEquals(AccessRollups.VERSION, new JsonObject(rs.getString(1)).getInteger("version"));
    }

    // From now on a fraction is kept, in the old INTEGER-declared column as well.
    try (SqliteDatabase db = SqliteDatabase.open(file, "NORMAL")) {
      new RowInserts(db).insertAccess(List.of(new AccessRow(Timestamps.now(), "GET", "/fraction", 200, 0.37, null, null, "frac", null, null, null)));
      db.commit();
    }
    ReadStore store = new ReadStore(vertx, file);
    try {
      JsonArray got = Await.result(store.access(new ReadStore.Filter().where("where_request_id", "frac"), 1));
      assertEquals(0.37, got.getJsonObject(0).getDouble("durationMs"));
    } finally {
      Await.result(store.close());
    }
  }

  private static JsonObject stats(Vertx vertx, Path file) {
    ReadStore store = new ReadStore(vertx, file);
    DashboardReads reads = new DashboardReads(vertx, store);
    try {
      return Await.result(reads.accessStats(new ReadStore.Filter(), 100));
    } finally {
      Await.result(reads.close());
      Await.result(store.close());
    }
  }

  private static long sumOfDurations(Path file) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT total(duration_ms) FROM access_logs")) {
      rs.next();
      return (long) rs.getDouble(1);
    }
  }

  /** The previous version's schema, its whole-millisecond rows and the rollups it kept (version 1: exact below a second). */
  private static int writeOldFile(Path file) throws Exception {
    String schema;
    try (InputStream in = SubMillisecondMigrationTest.class.getResourceAsStream("/old-schema/schema-before-sub-ms.sql")) {
      schema = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(schema.contains("duration_ms INTEGER"), "the old schema declares integer durations");
    Random random = new Random(12);
    Instant now = Instant.now();
    int rows = 3_000;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        for (String ddl : Sql.statements(schema)) st.execute(ddl);
      }
      try (PreparedStatement ins = c.prepareStatement("INSERT INTO access_logs (timestamp, method, path, status, duration_ms) VALUES (?, ?, ?, ?, ?)")) {
        for (int i = 0; i < rows; i++) {
          String ts = Timestamps.format(now.minusSeconds(random.nextInt(2 * 86_400)));
          String method = random.nextInt(4) == 0 ? "POST" : "GET";
          String path = PATHS[random.nextInt(PATHS.length)];
          int status = random.nextInt(10) == 0 ? 500 : 200;
          Integer duration = random.nextInt(25) == 0 ? null : random.nextInt(1_000);
          ins.setString(1, ts);
          ins.setString(2, method);
          ins.setString(3, path);
          ins.setInt(4, status);
          ins.setObject(5, duration);
          ins.executeUpdate();
          for (RollupLevel level : RollupLevel.values()) {
            if (level == RollupLevel.ALL) continue; // not in that version
            try (PreparedStatement up = c.prepareStatement("INSERT INTO " + level.table
                + " (bucket, method, route, feature, status, duration_ms, n, sum_ms) VALUES (?, ?, ?, '', ?, ?, 1, ?)"
                + " ON CONFLICT DO UPDATE SET n = n + 1, sum_ms = sum_ms + excluded.sum_ms")) {
              up.setString(1, level.bucket(ts));
              up.setString(2, method);
              up.setString(3, RouteTemplates.of(path));
              up.setInt(4, status);
              up.setLong(5, duration == null ? -1 : duration);
              up.setLong(6, duration == null ? 0 : duration);
              up.executeUpdate();
            }
          }
        }
      }
      try (Statement st = c.createStatement()) {
        st.executeUpdate("INSERT INTO spark_meta (key, value) VALUES ('access_rollups', '{\"version\":1,\"builtFromRows\":0}')");
      }
      c.commit();
    }
    return rows;
  }
}
