package dev.spark.cli;

import dev.spark.event.Timestamps;
import dev.spark.support.Await;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code spark cleanup} and {@code spark vacuum}: through a running Spark, and on the file with Spark stopped. */
@ExtendWith(VertxExtension.class)
class MaintenanceCommandsTest {

  @Test
  void cleanupAndVacuumWorkOnlineAndOffline(Vertx vertx, @TempDir Path dir) throws Exception {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    Map<String, String> env = CliRunner.envFor(spark);
    postAccess(spark, 40, 30);   // 40 rows a month old: past maxAgeDays (7)
    postAccess(spark, 10, 0);    // 10 fresh ones

    CliRunner.Result cleanup = CliRunner.run(dir, env, "cleanup", "--json");
    assertEquals(0, cleanup.exitCode(), cleanup.toString());
    JsonObject report = new JsonObject(cleanup.out());
    assertEquals(40, report.getInteger("agedAccessLogs"), report.encode());
    assertEquals(10, spark.count("SELECT count(*) FROM access_logs"));
    assertEquals(report, spark.getJson("/api/v1/status").getJsonObject("lastCleanup"), "the janitor's own report, as stored");

    assertEquals(401, Await.result(spark.client().post("/api/v1/admin/vacuum").send()).statusCode(), "vacuum needs the web token");
    CliRunner.Result vacuum = CliRunner.run(dir, env, "vacuum");
    assertEquals(0, vacuum.exitCode(), vacuum.toString());
    assertTrue(vacuum.out().startsWith("Via           Spark at http://127.0.0.1:" + spark.port + "\nVacuum        done in "), vacuum.out());
    assertTrue(vacuum.out().contains("\nSize          "), vacuum.out());
    assertEquals(0, pragma(spark.db, "freelist_count"), "a full VACUUM leaves no free pages");

    postAccess(spark, 25, 30);
    spark.stop();

    CliRunner.Result offline = CliRunner.run(dir, env, "cleanup");
    assertEquals(0, offline.exitCode(), offline.toString());
    assertEquals("", offline.err());
    assertTrue(offline.out().startsWith("Via           the database file spark.db\nCleanup       done in "), offline.out());
    assertTrue(offline.out().contains("By age        0 consumed events, 25 access logs older than 7 days\n"), offline.out());
    assertEquals(10, spark.count("SELECT count(*) FROM access_logs"), "the old rows went, the fresh ones stayed");
    JsonObject status = new JsonObject(CliRunner.run(dir, env, "status", "--json").out());
    assertEquals(25, status.getJsonObject("lastCleanup").getInteger("agedAccessLogs"), "the offline run left its report too");

    CliRunner.Result offlineVacuum = CliRunner.run(dir, env, "vacuum", "--json");
    assertEquals(0, offlineVacuum.exitCode(), offlineVacuum.toString());
    JsonObject sizes = new JsonObject(offlineVacuum.out());
    assertTrue(sizes.getLong("bytesAfter") <= sizes.getLong("bytesBefore"), sizes.encode());
    Path wal = dir.resolve("spark.db-wal");
    assertFalse(Files.exists(wal) && Files.size(wal) > 0, "checkpointed and closed cleanly");
    assertEquals(Files.size(spark.db), sizes.getLong("bytesAfter"), "the size it reports is the file's");
    assertEquals(0, pragma(spark.db, "freelist_count"));
    assertEquals(10, spark.count("SELECT count(*) FROM access_logs"));

    SparkUnderTest again = SparkUnderTest.start(vertx, dir, null);
    assertEquals(10, again.getJson("/api/v1/status").getJsonObject("counts").getInteger("accessLogs"), "Spark opens the file afterwards");
  }

  @Test
  void withNothingRunningAndNoFileTheyRefuseAndCreateNothing(@TempDir Path dir) {
    Map<String, String> env = CliRunner.envFor(dir.resolve("spark.db"), SparkUnderTest.freePort());
    for (String command : new String[] {"cleanup", "vacuum"}) {
      CliRunner.Result r = CliRunner.run(dir, env, command);
      assertEquals(1, r.exitCode(), r.toString());
      assertTrue(r.err().startsWith("spark " + command + ": No Spark is running at http://127.0.0.1:"), r.err());
      assertFalse(Files.exists(dir.resolve("spark.db")));
    }
  }

  private static void postAccess(SparkUnderTest spark, int n, int daysAgo) {
    String at = Timestamps.format(Instant.now().minus(daysAgo, ChronoUnit.DAYS));
    JsonArray batch = new JsonArray();
    for (int i = 0; i < n; i++) {
      batch.add(new JsonObject().put("method", "GET").put("path", "/r/" + i).put("status", 200).put("timestamp", at)
          .put("input", new JsonObject().put("padding", "p".repeat(2_000))));
    }
    assertEquals(200, spark.postNow("/api/v1/access", batch).statusCode());
  }

  private static long pragma(Path db, String name) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db + "?open_mode=1");
         ResultSet rs = c.createStatement().executeQuery("PRAGMA " + name)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
