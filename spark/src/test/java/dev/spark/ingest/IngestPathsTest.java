package dev.spark.ingest;

import dev.spark.bus.Addresses;
import dev.spark.event.AccessLogEntry;
import dev.spark.event.EventType;
import dev.spark.event.SparkEvent;
import dev.spark.support.Await;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class IngestPathsTest {

  @Test
  void everyIngestPathStoresExactlyWhatItAcknowledgedAndARestartKeepsIt(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    List<Long> acked = new ArrayList<>();

    // HTTP, one object and a batch
    JsonObject one = spark.postNow("/api/v1/events", new JsonObject().put("type", "server-error").put("feature", "create-user")
        .put("error", new JsonObject().put("message", "Connection refused").put("stack", "Error: Connection refused\n    at db.ts:1"))).bodyAsJsonObject();
    one.getJsonArray("ids").forEach(id -> acked.add(((Number) id).longValue()));
    JsonObject batch = spark.postNow("/api/v1/events", new JsonArray()
        .add(new JsonObject().put("type", "rate-limit").put("ip", "10.0.0.1"))
        .add(new JsonObject().put("type", "unhandled-error").put("error", new JsonObject().put("message", "boom")))).bodyAsJsonObject();
    batch.getJsonArray("ids").forEach(id -> acked.add(((Number) id).longValue()));

    // Event bus: JsonObject, the project's record, and an array
    JsonObject viaJson = Await.result(vertx.eventBus().<JsonObject>request(Addresses.INGEST_EVENT,
        new JsonObject().put("type", "process-error").put("error", new JsonObject().put("message", "exit 1")))).body();
    viaJson.getJsonArray("ids").forEach(id -> acked.add(((Number) id).longValue()));
    JsonObject viaRecord = Await.result(vertx.eventBus().<JsonObject>request(Addresses.INGEST_EVENT,
        SparkEvent.of(EventType.SERVER_ERROR, "from a record"))).body();
    viaRecord.getJsonArray("ids").forEach(id -> acked.add(((Number) id).longValue()));

    assertEquals(5, acked.size(), "five events acknowledged");
    assertEquals(acked.size(), acked.stream().distinct().count(), "ids are distinct");
    assertEquals(5, spark.count("SELECT count(*) FROM events"));

    // Access logs: HTTP and the event bus (record)
    JsonObject access = spark.postNow("/api/v1/access", new JsonObject().put("method", "GET").put("path", "/api/users")
        .put("status", 200).put("durationMs", 12)).bodyAsJsonObject();
    assertEquals(1, access.getInteger("stored"));
    JsonObject accessRecord = Await.result(vertx.eventBus().<JsonObject>request(Addresses.INGEST_ACCESS,
        new AccessLogEntry("POST", "/api/users", 500, 40L, null, "127.0.0.1", "create-user", "req-1", null, "boom", "curl"))).body();
    assertEquals(1, accessRecord.getInteger("stored"));
    assertEquals(2, spark.count("SELECT count(*) FROM access_logs"));

    spark.restart();

    JsonObject events = spark.getJson("/api/v1/events?limit=100");
    List<Long> stored = new ArrayList<>();
    events.getJsonArray("events").forEach(e -> stored.add(((JsonObject) e).getLong("id")));
    assertEquals(acked.stream().sorted((a, b) -> Long.compare(b, a)).toList(), stored, "after restart: exactly the acknowledged ids, newest first");
    JsonObject first = spark.getJson("/api/v1/events/" + acked.get(0));
    assertEquals("Connection refused", first.getJsonObject("data").getJsonObject("error").getString("message"));
    assertEquals("create-user", first.getString("feature"));
    assertEquals("test", first.getString("environment"), "missing environment is filled from config");
    assertTrue(first.getString("traceId").matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), "UUIDv7 trace id");
    assertEquals(2, spark.getJson("/api/v1/access").getInteger("count"));
  }

  @Test
  void fireAndForgetSendIsStored(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) throws Exception {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    vertx.eventBus().consumer(Addresses.EVENTS_STORED, m -> ctx.verify(() -> {
      assertEquals(1, spark.count("SELECT count(*) FROM events WHERE type = 'unhandled-error'"));
      ctx.completeNow();
    }));
    vertx.eventBus().send(Addresses.INGEST_EVENT, SparkEvent.of(EventType.UNHANDLED_ERROR, "sent, not requested"));
    assertTrue(ctx.awaitCompletion(10, TimeUnit.SECONDS));
    if (ctx.failed()) throw new AssertionError(ctx.causeOfFailure());
  }

  @Test
  void eventBusRejectsBadInputWith400AndStoresNothing(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    Throwable failure = Await.failure(vertx.eventBus().request(Addresses.INGEST_EVENT, new JsonObject().put("type", "nope")));
    ReplyException reply = assertInstanceOf(ReplyException.class, failure);
    assertEquals(400, reply.failureCode());
    assertTrue(reply.getMessage().contains("type must be one of"), reply.getMessage());
    Throwable badBatch = Await.failure(vertx.eventBus().request(Addresses.INGEST_ACCESS, new JsonArray()
        .add(new JsonObject().put("method", "GET").put("path", "/ok").put("status", 200))
        .add(new JsonObject().put("method", "GET").put("path", "/bad").put("status", "two hundred"))));
    assertEquals(400, ((ReplyException) badBatch).failureCode());
    assertTrue(badBatch.getMessage().startsWith("[1].status"), badBatch.getMessage());
    assertEquals(0, spark.count("SELECT count(*) FROM events"));
    assertEquals(0, spark.count("SELECT count(*) FROM access_logs"), "a batch is all-or-nothing");
  }

  @Test
  void disabledAndUnwatchedEventsAreAnsweredButNotStored(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("watch", new JsonObject().put("serverErrors", false)));
    JsonObject res = spark.postNow("/api/v1/events", new JsonArray()
        .add(new JsonObject().put("type", "server-error").put("error", new JsonObject().put("message", "ignored")))
        .add(new JsonObject().put("type", "rate-limit"))).bodyAsJsonObject();
    assertNull(res.getJsonArray("ids").getValue(0));
    assertEquals(1, res.getInteger("stored"));
    assertEquals(1, res.getInteger("ignored"));
    assertEquals(0, spark.count("SELECT count(*) FROM events WHERE type = 'server-error'"));
    spark.stop();

    SparkUnderTest off = SparkUnderTest.start(vertx, dir.resolve("off"), new JsonObject().put("enabled", false));
    var answer = off.postNow("/api/v1/access", new JsonObject().put("method", "GET").put("path", "/").put("status", 200));
    assertEquals(200, answer.statusCode());
    assertEquals(0, answer.bodyAsJsonObject().getInteger("stored"));
    assertEquals(0, off.count("SELECT count(*) FROM access_logs"));
  }
}
