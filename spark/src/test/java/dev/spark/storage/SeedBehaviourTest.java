package dev.spark.storage;

import dev.spark.bus.Addresses;
import dev.spark.event.EventBatch;
import dev.spark.event.Timestamps;
import dev.spark.support.Await;
import dev.spark.support.SparkUnderTest;
import dev.spark.support.SseTestClient;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The original data layer's behaviours, on a real SQLite file. */
@ExtendWith(VertxExtension.class)
class SeedBehaviourTest {

  private static JsonObject error(String message) {
    return new JsonObject().put("type", "server-error").put("error", new JsonObject().put("message", message));
  }

  /**
   * Registers a same-JVM agent, waits for a batch of {@code expected} events, and unregisters it
   * with a request: once that is answered, no agent is left, so later events stay pending.
   */
  private static void consumeEverythingPending(Vertx vertx, int expected) {
    Promise<EventBatch> batch = Promise.promise();
    var consumer = vertx.eventBus().<EventBatch>consumer(Addresses.EVENTS_BATCH, m -> batch.tryComplete(m.body()));
    Await.result(consumer.completion());
    Await.result(vertx.eventBus().request(Addresses.SUBSCRIBER_REGISTER, new JsonObject().put("id", "seed-agent")));
    assertEquals(expected, Await.result(batch.future()).events().size());
    Await.result(vertx.eventBus().request(Addresses.SUBSCRIBER_UNREGISTER, new JsonObject().put("id", "seed-agent")));
    Await.result(consumer.unregister());
  }

  @Test
  void anEventIsConsumedOnceAndNeverAgain(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    SseTestClient first = Await.result(SseTestClient.connect(vertx, spark.port, null, null));
    long id = spark.postNow("/api/v1/events", error("once")).bodyAsJsonObject().getJsonArray("ids").getLong(0);
    List<SseTestClient.Received> got = Await.result(first.awaitCount(1));
    assertEquals(id, got.get(0).id());
    assertEquals(1, spark.count("SELECT consumed FROM events WHERE id = " + id));
    assertEquals(1, spark.count("SELECT count(*) FROM events WHERE consumed_at IS NOT NULL"));

    // A second agent arriving later gets only what is new, never the consumed event again.
    SseTestClient second = Await.result(SseTestClient.connect(vertx, spark.port, null, null));
    long next = spark.postNow("/api/v1/events", error("twice?")).bodyAsJsonObject().getJsonArray("ids").getLong(0);
    List<SseTestClient.Received> secondGot = Await.result(second.awaitCount(1));
    assertEquals(List.of(next), secondGot.stream().map(SseTestClient.Received::id).toList());
    assertEquals(List.of(id, next), Await.result(first.awaitCount(2)).stream().map(SseTestClient.Received::id).toList());
  }

  @Test
  void severalPendingEventsGoOutInOneBatch(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    spark.postNow("/api/v1/events", new JsonArray().add(error("a")).add(error("b")).add(error("c")));
    assertEquals(3, spark.count("SELECT count(*) FROM events WHERE consumed = 0"), "no agent yet: pending");

    Promise<EventBatch> batch = Promise.promise();
    vertx.eventBus().<EventBatch>consumer(Addresses.EVENTS_BATCH, m -> batch.tryComplete(m.body()));
    Await.result(vertx.eventBus().request(Addresses.SUBSCRIBER_REGISTER, new JsonObject().put("id", "same-jvm-agent")));
    EventBatch delivered = Await.result(batch.future());
    assertEquals(List.of("a", "b", "c"), delivered.events().stream()
        .map(e -> new JsonObject(e.row().data()).getJsonObject("error").getString("message")).toList());
    assertEquals(0, spark.count("SELECT count(*) FROM events WHERE consumed = 0"));
  }

  @Test
  void recentEventsIncludeConsumedOnesNewestFirst(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    spark.postNow("/api/v1/events", error("old"));
    consumeEverythingPending(vertx, 1);
    spark.postNow("/api/v1/events", error("new"));

    JsonArray events = spark.getJson("/api/v1/events").getJsonArray("events");
    assertEquals(2, events.size());
    assertEquals("new", events.getJsonObject(0).getJsonObject("data").getJsonObject("error").getString("message"));
    assertTrue(events.getJsonObject(1).getBoolean("consumed"));
    assertEquals(1, spark.getJson("/api/v1/events?consumed=true").getInteger("count"));
    assertEquals(2, spark.getJson("/api/v1/events?type=server-error").getInteger("count"));
    assertEquals(1, spark.getJson("/api/v1/events?limit=1").getInteger("count"));
  }

  @Test
  void accessLogsRoundTripAndFilter(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    String old = Timestamps.format(Instant.now().minus(2, ChronoUnit.HOURS));
    JsonArray batch = new JsonArray()
        .add(new JsonObject().put("method", "GET").put("path", "/api/users").put("status", 200).put("durationMs", 5)
            .put("feature", "list-users").put("timestamp", old).put("ip", "10.1.1.1").put("requestId", "r1")
            .put("userAgent", "curl/8").put("input", new JsonObject().put("q", "x").put("apiKey", "k")))
        .add(new JsonObject().put("method", "post").put("path", "/api/users").put("status", 500).put("durationMs", 40.6)
            .put("feature", "create-user").put("error", "Connection refused"))
        .add(new JsonObject().put("method", "GET").put("path", "/health").put("status", 200));
    spark.postNow("/api/v1/access", batch);

    JsonObject first = spark.getJson("/api/v1/access?feature=list-users").getJsonArray("access").getJsonObject(0);
    assertEquals("GET", first.getString("method"));
    assertEquals("/api/users", first.getString("path"));
    assertEquals(5, first.getInteger("durationMs"));
    assertEquals(old, first.getString("timestamp"));
    assertEquals("10.1.1.1", first.getString("ip"));
    assertEquals("r1", first.getString("requestId"));
    assertEquals("curl/8", first.getString("userAgent"));
    assertEquals(new JsonObject().put("q", "x").put("apiKey", "[REDACTED]"), first.getJsonObject("input"));

    JsonObject failed = spark.getJson("/api/v1/access?status=500").getJsonArray("access").getJsonObject(0);
    assertEquals("POST", failed.getString("method"));
    assertEquals(40.6, failed.getDouble("durationMs"), "stored as sent: the seed's REAL column");
    assertEquals("Connection refused", failed.getString("error"));
    assertEquals(1, spark.getJson("/api/v1/access?status=5xx").getInteger("count"));
    assertEquals(2, spark.getJson("/api/v1/access?status=2xx").getInteger("count"));
    assertEquals(2, spark.getJson("/api/v1/access?since=" + Timestamps.format(Instant.now().minus(1, ChronoUnit.HOURS))).getInteger("count"));
    assertEquals(1, spark.getJson("/api/v1/access?until=" + Timestamps.format(Instant.now().minus(1, ChronoUnit.HOURS))).getInteger("count"));
    assertEquals(1, spark.getJson("/api/v1/access?limit=1").getInteger("count"));
    assertEquals("/health", spark.getJson("/api/v1/access?limit=1").getJsonArray("access").getJsonObject(0).getString("path"), "newest first");
    assertEquals(2, spark.getJson("/api/v1/access?path=/api/users").getInteger("count"));
    assertEquals(2, spark.getJson("/api/v1/access?path=/api/*").getInteger("count"));
    assertEquals(1, spark.getJson("/api/v1/access?method=post").getInteger("count"));
  }

  @Test
  void aSeventyThousandCharacterInputIsCappedAndStillParses(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    String huge = "x".repeat(70_000);
    JsonObject event = error("big").put("request", new JsonObject().put("input", new JsonObject().put("blob", huge)));
    long id = spark.postNow("/api/v1/events", event).bodyAsJsonObject().getJsonArray("ids").getLong(0);
    assertTrue(spark.count("SELECT length(CAST(data AS BLOB)) FROM events WHERE id = " + id) <= 64 * 1024);
    JsonObject stored = spark.getJson("/api/v1/events/" + id).getJsonObject("data");
    assertTrue(stored.getBoolean("truncated"));
    assertEquals("big", stored.getJsonObject("error").getString("message"));
    assertTrue(stored.getJsonObject("request").getJsonObject("input").getString("blob").startsWith("xxxx"));

    long access = spark.postNow("/api/v1/access", new JsonObject().put("method", "POST").put("path", "/p").put("status", 200)
        .put("input", new JsonObject().put("blob", huge))).bodyAsJsonObject().getJsonArray("ids").getLong(0);
    assertTrue(spark.count("SELECT length(CAST(input AS BLOB)) FROM access_logs WHERE id = " + access) <= 64 * 1024);
    assertNotNull(spark.getJson("/api/v1/access").getJsonArray("access").getJsonObject(0).getJsonObject("input"));
  }

  @Test
  void cleanupRemovesThirtyDayOldRowsAndKeepsRecentOnes(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    String monthAgo = Timestamps.format(Instant.now().minus(30, ChronoUnit.DAYS));
    spark.postNow("/api/v1/access", new JsonArray()
        .add(new JsonObject().put("method", "GET").put("path", "/old").put("status", 200).put("timestamp", monthAgo))
        .add(new JsonObject().put("method", "GET").put("path", "/new").put("status", 200)));
    spark.postNow("/api/v1/events", new JsonArray()
        .add(error("old consumed").put("timestamp", monthAgo))
        .add(error("new consumed")));
    consumeEverythingPending(vertx, 2);
    spark.postNow("/api/v1/events", error("old but pending").put("timestamp", monthAgo));

    var res = Await.result(spark.client().post("/api/v1/admin/cleanup").bearerTokenAuthentication(SparkUnderTest.TOKEN).send());
    assertEquals(200, res.statusCode(), res.bodyAsString());
    JsonObject report = res.bodyAsJsonObject();
    assertEquals(1, report.getInteger("agedEvents"));
    assertEquals(1, report.getInteger("agedAccessLogs"));
    assertEquals(0, spark.count("SELECT count(*) FROM access_logs WHERE path = '/old'"));
    assertEquals(1, spark.count("SELECT count(*) FROM access_logs WHERE path = '/new'"));
    assertEquals(2, spark.count("SELECT count(*) FROM events"), "recent consumed and old pending stay");
    assertEquals(1, spark.count("SELECT count(*) FROM events WHERE consumed = 0"), "a pending event is never deleted");
    assertEquals(1, spark.count("SELECT count(*) FROM spark_meta WHERE key = 'last_cleanup'"));
  }

  @Test
  void aJunkDatabaseFileIsMovedAsideAndSparkStartsFresh(Vertx vertx, @TempDir Path dir) throws Exception {
    Path db = dir.resolve("spark.db");
    byte[] junk = "this is not a database, just junk text that fills the header page".repeat(100).getBytes(StandardCharsets.UTF_8);
    Files.write(db, junk);
    Files.writeString(dir.resolve("spark.db-wal"), "junk wal");

    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    long id = spark.postNow("/api/v1/events", error("fresh")).bodyAsJsonObject().getJsonArray("ids").getLong(0);
    assertEquals(1, id);
    assertEquals(1, spark.getJson("/api/v1/events").getInteger("count"));
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> aside = files.filter(p -> p.getFileName().toString().startsWith("spark.db.corrupt-")).toList();
      Path moved = aside.stream().filter(p -> !p.toString().endsWith("-wal") && !p.toString().endsWith("-shm")).findFirst().orElseThrow();
      assertTrue(java.util.Arrays.equals(junk, Files.readAllBytes(moved)), "the junk is kept, byte for byte");
      assertTrue(aside.stream().anyMatch(p -> p.toString().endsWith("-wal")), "its -wal moved with it");
    }
    assertFalse(Files.readString(dir.resolve("spark.db"), StandardCharsets.ISO_8859_1).startsWith("this is not"));
  }

  @Test
  void anIndexMissingAnEntryIsNotReasonToMoveTheFileAside() {
    // The rows are intact: REINDEX mends it (IndexRepair), a fresh file would hide every row.
    assertFalse(SqliteFiles.damaged(new org.sqlite.SQLiteException("index", org.sqlite.SQLiteErrorCode.SQLITE_CORRUPT_INDEX)));
    assertTrue(SqliteFiles.damaged(new org.sqlite.SQLiteException("malformed", org.sqlite.SQLiteErrorCode.SQLITE_CORRUPT)));
    assertTrue(SqliteFiles.damaged(new org.sqlite.SQLiteException("not a database", org.sqlite.SQLiteErrorCode.SQLITE_NOTADB)));
  }
}
