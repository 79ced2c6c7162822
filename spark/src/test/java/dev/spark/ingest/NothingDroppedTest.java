package dev.spark.ingest;

import dev.spark.bus.Addresses;
import dev.spark.support.Await;
import dev.spark.support.PromText;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing is dropped without a word, nothing is refused for missing context, nothing is stored twice:
 * unknown access-log fields are named in the answer (per item for a batch) and counted in /metrics;
 * both spellings of one field with different values are a 400 naming it; an error event without its
 * message is stored with one filled in; an eventId sent again gets the stored id and stores nothing.
 */
@ExtendWith(VertxExtension.class)
class NothingDroppedTest {

  private static JsonObject access(String path) {
    return new JsonObject().put("method", "GET").put("path", path).put("status", 200);
  }

  @Test
  void unknownFieldsAreNamedPerItemAndCounted(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    JsonObject one = spark.postNow("/api/v1/access", access("/a").put("tenant", "acme").put("durationMs", 3)).bodyAsJsonObject();
    assertEquals(1, one.getInteger("stored"));
    assertEquals(new JsonArray().add("tenant"), one.getJsonArray("ignoredFields"), one.encode());

    JsonObject batch = spark.postNow("/api/v1/access", new JsonArray()
        .add(access("/b"))
        .add(access("/c").put("tenant", "acme").put("region", "eu"))).bodyAsJsonObject();
    assertEquals(2, batch.getInteger("stored"));
    assertEquals(new JsonArray().add(new JsonArray()).add(new JsonArray().add("tenant").add("region")),
        batch.getJsonArray("ignoredFields"), batch.encode());

    JsonObject clean = spark.postNow("/api/v1/access", access("/d").put("duration_ms", 1.5).put("request_id", "r")).bodyAsJsonObject();
    assertFalse(clean.containsKey("ignoredFields"), "every field kept, nothing to name: " + clean.encode());

    JsonObject bus = Await.result(vertx.eventBus().<JsonObject>request(Addresses.INGEST_ACCESS, access("/e").put("shard", 3))).body();
    assertEquals(new JsonArray().add("shard"), bus.getJsonArray("ignoredFields"));

    HttpResponse<Buffer> metrics = Await.result(spark.client().get("/metrics").bearerTokenAuthentication(SparkUnderTest.TOKEN).send());
    assertEquals(4.0, PromText.value(metrics.bodyAsString(), "spark_ignored_fields_total", "kind=\"access\""), metrics.bodyAsString());
  }

  @Test
  void bothSpellingsAgreeOrAreRefusedNamingTheField(Vertx vertx, @TempDir Path dir) throws Exception {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    JsonObject same = spark.postNow("/api/v1/access", access("/same").put("durationMs", 2).put("duration_ms", 2.0)
        .put("userAgent", "ua").put("user_agent", "ua")).bodyAsJsonObject();
    assertEquals(1, same.getInteger("stored"), "the same value under both names is one field");

    for (Map.Entry<String, String[]> c : Map.of(
        "durationMs", new String[] {"durationMs", "duration_ms"},
        "requestId", new String[] {"requestId", "request_id"},
        "userAgent", new String[] {"userAgent", "user_agent"}).entrySet()) {
      JsonObject bad = access("/differ").put(c.getValue()[0], c.getKey().equals("durationMs") ? (Object) 1 : "x")
          .put(c.getValue()[1], c.getKey().equals("durationMs") ? (Object) 2 : "y");
      HttpResponse<Buffer> r = spark.postNow("/api/v1/access", new JsonArray().add(access("/ok")).add(bad));
      assertEquals(400, r.statusCode(), r.bodyAsString());
      assertEquals("[1]." + c.getKey(), r.bodyAsJsonObject().getString("field"));
      assertTrue(r.bodyAsJsonObject().getString("message").contains(c.getValue()[1]), r.bodyAsString());
    }
    assertEquals(1, spark.count("SELECT count(*) FROM access_logs"), "a refused batch stores nothing");
  }

  @Test
  void missingErrorContextIsFilledInAndWrongTypesAreRefused(Vertx vertx, @TempDir Path dir) throws Exception {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    JsonObject res = spark.postNow("/api/v1/events", new JsonArray()
        .add(new JsonObject().put("type", "process-error").put("command", "make").put("exitCode", 3))
        .add(new JsonObject().put("type", "server-error").put("status", 502).put("error", new JsonObject().put("stack", "at x")))
        .add(new JsonObject().put("type", "unhandled-error").put("error", new JsonObject().put("type", "java.lang.IllegalStateException")))
        .add(new JsonObject().put("type", "unhandled-error"))).bodyAsJsonObject();
    assertEquals(4, res.getInteger("stored"), res.encode());
    String[][] expected = {
        {"process exited with code 3", "error"}, {"HTTP 502", "error.message"},
        {"java.lang.IllegalStateException", "error.message"}, {"(no message)", "error"}};
    for (int i = 0; i < expected.length; i++) {
      JsonObject data = spark.getJson("/api/v1/events/" + res.getJsonArray("ids").getLong(i)).getJsonObject("data");
      assertEquals(expected[i][0], data.getJsonObject("error").getString("message"), data.encode());
      assertEquals(new JsonArray().add(expected[i][1]), data.getJsonArray("filledIn"), data.encode());
    }
    JsonObject kept = spark.getJson("/api/v1/events/" + res.getJsonArray("ids").getLong(1)).getJsonObject("data");
    assertEquals("at x", kept.getJsonObject("error").getString("stack"), "the rest of error is kept");

    for (Map.Entry<String, JsonObject> bad : Map.of(
        "exitCode", new JsonObject().put("type", "process-error").put("exitCode", "three"),
        "command", new JsonObject().put("type", "process-error").put("command", 7),
        "error.message", new JsonObject().put("type", "server-error").put("error", new JsonObject().put("message", 5)),
        "error", new JsonObject().put("type", "server-error").put("error", "boom"),
        "eventId", new JsonObject().put("type", "rate-limit").put("eventId", "x".repeat(129))).entrySet()) {
      HttpResponse<Buffer> r = spark.postNow("/api/v1/events", bad.getValue());
      assertEquals(400, r.statusCode(), bad.getKey() + ": " + r.bodyAsString());
      assertEquals(bad.getKey(), r.bodyAsJsonObject().getString("field"));
    }
    assertEquals(4, spark.count("SELECT count(*) FROM events"));
  }

  @Test
  void anEventIdSentAgainIsStoredOnceAndAnsweredWithTheSameId(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    JsonObject event = new JsonObject().put("type", "server-error").put("eventId", "retry-1")
        .put("error", new JsonObject().put("message", "once only"));
    JsonObject first = spark.postNow("/api/v1/events", event).bodyAsJsonObject();
    JsonObject again = spark.postNow("/api/v1/events", event).bodyAsJsonObject();
    assertEquals(first.getJsonArray("ids"), again.getJsonArray("ids"), "the retry is answered with the stored id");
    assertEquals(1, again.getInteger("stored"));

    // In a batch beside new events, twice in one batch, and over the event bus.
    JsonObject batch = spark.postNow("/api/v1/events", new JsonArray()
        .add(new JsonObject().put("type", "rate-limit").put("eventId", "new-1"))
        .add(event)
        .add(new JsonObject().put("type", "rate-limit").put("eventId", "new-1"))).bodyAsJsonObject();
    long id = first.getJsonArray("ids").getLong(0);
    assertEquals(id, batch.getJsonArray("ids").getLong(1));
    assertEquals(batch.getJsonArray("ids").getLong(0), batch.getJsonArray("ids").getLong(2));
    JsonObject bus = Await.result(vertx.eventBus().<JsonObject>request(Addresses.INGEST_EVENT, event)).body();
    assertEquals(id, bus.getJsonArray("ids").getLong(0));

    assertEquals(1, spark.count("SELECT count(*) FROM events WHERE event_id = 'retry-1'"));
    assertEquals(2, spark.count("SELECT count(*) FROM events"));
    String fingerprint = spark.getJson("/api/v1/events/" + id).getString("fingerprint");
    assertEquals(1, spark.getJson("/api/v1/issues/" + fingerprint).getJsonObject("issue").getLong("count"),
        "a retry is no new occurrence of its issue");

    spark.restart();
    JsonObject afterRestart = spark.postNow("/api/v1/events", event).bodyAsJsonObject();
    assertEquals(id, afterRestart.getJsonArray("ids").getLong(0));
    assertEquals(2, spark.count("SELECT count(*) FROM events"));

    Throwable tooLong = Await.failure(vertx.eventBus().request(Addresses.INGEST_EVENT, event.copy().put("eventId", "")));
    assertEquals(400, assertInstanceOf(ReplyException.class, tooLong).failureCode());
  }
}
