package dev.spark.janitor;

import dev.spark.bus.Addresses;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Over maxSizeMB: oldest access logs go first, pending events never, and the file shrinks. */
@ExtendWith(VertxExtension.class)
class JanitorSizeTest {

  @Test
  void overTheSizeLimitTheOldestRowsGoAndTheFileShrinks(Vertx vertx, @TempDir Path dir) throws Exception {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject()
        .put("db", new JsonObject().put("cleanup", new JsonObject().put("maxSizeMB", 1).put("maxAgeDays", 3650))));
    String padding = "p".repeat(2_000);
    for (int round = 0; round < 10; round++) {
      JsonArray batch = new JsonArray();
      for (int i = 0; i < 200; i++) {
        batch.add(new JsonObject().put("method", "GET").put("path", "/r" + round + "/" + i).put("status", 200)
            .put("input", new JsonObject().put("padding", padding)));
      }
      assertEquals(200, spark.postNow("/api/v1/access", batch).statusCode());
    }
    JsonArray pending = new JsonArray();
    for (int i = 0; i < 20; i++) {
      pending.add(new JsonObject().put("type", "server-error").put("error", new JsonObject().put("message", "pending " + i)));
    }
    spark.postNow("/api/v1/events", pending);
    long before = Files.size(spark.db) + sizeOf(dir.resolve("spark.db-wal"));
    assertTrue(before > 3 * 1024 * 1024, "the test starts well over the limit: " + before);

    JsonObject report = Await.result(vertx.eventBus().<JsonObject>request(Addresses.JANITOR_RUN, new JsonObject())).body();

    long after = Files.size(spark.db) + sizeOf(dir.resolve("spark.db-wal"));
    assertTrue(after <= 1024 * 1024 + 64 * 1024, "db + wal back near 1 MB: " + after + " bytes; report " + report);
    assertTrue(report.getLong("sizeAccessLogs") > 0, report.encode());
    assertEquals(20, spark.count("SELECT count(*) FROM events WHERE consumed = 0"), "pending events are never deleted");
    long left = spark.count("SELECT count(*) FROM access_logs");
    assertTrue(left > 0 && left < 2_000, "some access logs left: " + left);
    assertEquals(2_000 - left, spark.count("SELECT min(id) FROM access_logs") - 1, "the oldest ones went, the newest stayed");
    assertTrue(Math.abs(report.getLong("bytesAfter") - after) < 64 * 1024, "the report tells the truth (save the report row itself): " + report.getLong("bytesAfter") + " vs " + after);
  }

  private static long sizeOf(Path p) throws Exception {
    return Files.exists(p) ? Files.size(p) : 0;
  }
}
