package dev.spark.alerts;

import dev.spark.support.MutableClock;
import dev.spark.support.Poll;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Alerts end to end: a real Spark on a temp SQLite file, events over HTTP, and a real HTTP receiver
 * on loopback. Whether an alert was (not) decided is read from the outbox table right after the
 * event's POST is answered: the answer comes after the commit, and the outbox row is written in the
 * same transaction, so no waiting is needed to know "nothing was sent".
 */
@ExtendWith(VertxExtension.class)
class AlertsDeliveryTest {
  static final String SECRET = "hook-secret-42";

  static JsonObject alerts(int receiverPort, JsonArray rules) {
    return new JsonObject().put("alerts", new JsonObject()
        .put("targets", new JsonObject().put("hook", new JsonObject().put("type", "webhook")
            .put("url", "http://127.0.0.1:" + receiverPort + "/hook").put("secret", SECRET)))
        .put("rules", rules)
        .put("publicUrl", "https://spark.example.test/")
        .put("retryDelayMs", 50)
        .put("maxAttempts", 5));
  }

  static JsonObject rule(String name, int cooldownMinutes, String... on) {
    return new JsonObject().put("name", name).put("on", new JsonArray(java.util.List.of(on)))
        .put("cooldownMinutes", cooldownMinutes).put("to", new JsonArray().add("hook"));
  }

  static JsonObject error(String message) {
    return new JsonObject().put("type", "server-error").put("error", new JsonObject().put("message", message));
  }

  static void post(SparkUnderTest spark, JsonObject event) {
    var r = spark.postNow("/api/v1/events", event);
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  static String sign(String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void newIssueIsPostedSignedWithinASecondThenCooldownThenOneRegression(Vertx vertx, @TempDir Path dir) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, 0);
    MutableClock clock = MutableClock.startingNow();
    JsonObject rule = rule("issues", 30, "new-issue", "regression", "frequency")
        .put("threshold", new JsonObject().put("events", 2).put("minutes", 1));
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, alerts(hook.port, new JsonArray().add(rule)), clock);

    post(spark, error("payment gateway timed out"));
    long committed = System.nanoTime();
    WebhookReceiver.Received first = hook.nextOrFail(1_000);
    assertTrue(first.atNanos() - committed < 1_000_000_000L, "received within a second of the commit");
    assertEquals(sign(first.body()), first.header("X-Spark-Signature"), "the signature verifies with the secret");
    assertEquals("new-issue", first.header("X-Spark-Event"));
    JsonObject body = first.json();
    assertEquals("new-issue", body.getString("kind"));
    assertEquals("issues", body.getString("rule"));
    assertEquals(first.header("X-Spark-Delivery"), body.getString("delivery"));
    JsonObject issue = body.getJsonObject("issue");
    assertTrue(issue.getString("title").contains("payment gateway timed out"), issue.encode());
    assertEquals(1, issue.getLong("count"));
    assertEquals("server-error", issue.getString("type"));
    assertEquals("test", body.getString("environment"));
    long eventId = body.getJsonObject("event").getLong("id");
    assertEquals("https://spark.example.test/#events/" + eventId, body.getString("link"));
    String fingerprint = issue.getString("fingerprint");

    // Again within the cooldown: 2 events in a minute crosses the frequency threshold, but the rule is cooling down.
    post(spark, error("payment gateway timed out"));
    assertEquals(1, spark.count("SELECT count(*) FROM alert_outbox"), "nothing decided within the cooldown");

    assertEquals(200, spark.postAuthed("/api/v1/issues/" + fingerprint + "/resolve", null).statusCode());
    clock.advance(Duration.ofMinutes(31));
    post(spark, error("payment gateway timed out"));
    WebhookReceiver.Received regression = hook.nextOrFail(1_000);
    assertEquals("regression", regression.json().getString("kind"), "the next request is the regression: nothing came in between");
    assertEquals(sign(regression.body()), regression.header("X-Spark-Signature"));
    assertEquals(3, regression.json().getJsonObject("issue").getLong("count"));
    assertNotNull(regression.json().getJsonObject("issue").getString("resolvedAt"));
    assertEquals(2, spark.count("SELECT count(*) FROM alert_outbox"));
    assertEquals("delivered", awaitFinished(spark).getString("status"));

    JsonArray deliveries = spark.getJson("/api/v1/alerts/deliveries").getJsonArray("deliveries");
    assertEquals(2, deliveries.size());
    assertEquals("regression", deliveries.getJsonObject(0).getString("kind"));
    assertEquals("delivered", deliveries.getJsonObject(0).getString("status"));
    assertEquals(1, deliveries.getJsonObject(0).getInteger("attempts"));
    String shown = spark.getJson("/api/v1/alerts").encode();
    assertTrue(!shown.contains(SECRET) && !shown.contains("/hook"), "no secret and no URL path in the API: " + shown);
    assertEquals(2, hook.all().size());
    spark.stop();
    hook.stop();
  }

  @Test
  void aClientsRetryOfAStoredEventAfterAResolveIsNoRegression(Vertx vertx, @TempDir Path dir) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, 0);
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir,
        alerts(hook.port, new JsonArray().add(rule("issues", 0, "new-issue", "regression"))));
    JsonObject event = error("inventory sync failed").put("eventId", "retry-me-1");
    post(spark, event);
    String fingerprint = hook.nextOrFail(1_000).json().getJsonObject("issue").getString("fingerprint");
    assertEquals(200, spark.postAuthed("/api/v1/issues/" + fingerprint + "/resolve", null).statusCode());
    post(spark, event);  // the client retries the same event: stored once, no new occurrence
    assertEquals(1, spark.count("SELECT count(*) FROM alert_outbox"), "a retry is not a regression");
    post(spark, error("inventory sync failed"));
    assertEquals("regression", hook.nextOrFail(1_000).json().getString("kind"), "a real recurrence is");
    spark.stop();
    assertEquals(2, hook.all().size());
    hook.stop();
  }

  @Test
  void twentyEventsOfOneIssueInAMinuteWithFrequencyTenPerMinuteAlertOnce(Vertx vertx, @TempDir Path dir) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, 0);
    JsonObject rule = rule("busy", 0, "frequency").put("threshold", new JsonObject().put("events", 10).put("minutes", 1));
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, alerts(hook.port, new JsonArray().add(rule)));
    for (int i = 0; i < 20; i++) {
      post(spark, error("cache stampede on key " + i));
      assertEquals(i < 9 ? 0 : 1, spark.count("SELECT count(*) FROM alert_outbox"), "after event " + (i + 1));
    }
    WebhookReceiver.Received r = hook.nextOrFail(1_000);
    assertEquals("frequency", r.json().getString("kind"));
    assertEquals(10, r.json().getJsonObject("issue").getLong("count"));
    assertEquals(new JsonObject().put("events", 10).put("minutes", 1), r.json().getJsonObject("issue").getJsonObject("threshold"));
    post(spark, error("cache stampede on key 99"));
    assertEquals(1, spark.count("SELECT count(*) FROM alert_outbox"));
    spark.stop();
    assertEquals(1, hook.all().size());
    hook.stop();
  }

  @Test
  void fiveHundredThreeTimesThenOkIsDeliveredOnceWithTheSameDeliveryId(Vertx vertx, @TempDir Path dir) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, 0);
    hook.answer(500, 500, 500);
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, alerts(hook.port, new JsonArray().add(rule("new", 0, "new-issue"))));
    post(spark, error("flaky receiver"));
    String id = null;
    for (int i = 0; i < 4; i++) {
      WebhookReceiver.Received r = hook.nextOrFail(5_000);
      if (id == null) id = r.header("X-Spark-Delivery");
      assertEquals(id, r.header("X-Spark-Delivery"), "attempt " + (i + 1));
      assertEquals(sign(r.body()), r.header("X-Spark-Signature"));
    }
    JsonObject d = awaitFinished(spark);
    assertEquals("delivered", d.getString("status"));
    assertEquals(4, d.getInteger("attempts"));
    assertEquals(id, d.getString("deliveryId"));
    spark.stop();
    assertEquals(4, hook.all().size(), "no attempt after the 200");
    hook.stop();
  }

  @Test
  void aFinal4xxIsNotRetriedAndRepeatedFailuresAreDroppedAfterMaxAttempts(Vertx vertx, @TempDir Path dir) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, 0);
    hook.answer(404);
    JsonObject cfg = alerts(hook.port, new JsonArray().add(rule("new", 0, "new-issue")));
    cfg.getJsonObject("alerts").put("maxAttempts", 3);
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, cfg);
    post(spark, error("gone receiver"));
    JsonObject d = awaitFinished(spark);
    assertEquals("dropped", d.getString("status"));
    assertEquals(1, d.getInteger("attempts"));
    assertTrue(d.getString("lastError").startsWith("HTTP 404"), d.encode());

    hook.answer(503, 429, 500);
    post(spark, error("a second, different problem"));
    JsonObject second = awaitFinished(spark);
    assertEquals("dropped", second.getString("status"));
    assertEquals(3, second.getInteger("attempts"));
    assertTrue(second.getString("lastError").startsWith("gave up after 3 attempts: HTTP 500"), second.encode());
    spark.stop();
    assertEquals(4, hook.all().size());
    hook.stop();
  }

  /** The newest delivery once it is no longer pending (polls the API, at most 10 s). */
  static JsonObject awaitFinished(SparkUnderTest spark) {
    return Poll.until("the newest delivery to finish", 10_000, () -> {
      JsonArray list = spark.getJson("/api/v1/alerts/deliveries?limit=1").getJsonArray("deliveries");
      return !list.isEmpty() && !list.getJsonObject(0).getString("status").equals("pending") ? list.getJsonObject(0) : null;
    });
  }

  @Test
  void testSendAnswersHowItWentAndAnUnknownTargetIs404(Vertx vertx, @TempDir Path dir) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, 0);
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, alerts(hook.port, new JsonArray()));
    var ok = spark.postAuthed("/api/v1/alerts/targets/hook/test", null);
    assertEquals(200, ok.statusCode(), ok.bodyAsString());
    assertEquals(true, ok.bodyAsJsonObject().getBoolean("delivered"));
    WebhookReceiver.Received r = hook.nextOrFail(1_000);
    assertEquals("test", r.header("X-Spark-Event"));
    assertEquals(sign(r.body()), r.header("X-Spark-Signature"));
    hook.answer(500);
    var failed = spark.postAuthed("/api/v1/alerts/targets/hook/test", null).bodyAsJsonObject();
    assertEquals(false, failed.getBoolean("delivered"));
    assertEquals("HTTP 500 Internal Server Error", failed.getString("error"));
    hook.nextOrFail(1_000);
    assertEquals(404, spark.postAuthed("/api/v1/alerts/targets/nope/test", null).statusCode());
    spark.stop();
    assertEquals(2, hook.all().size());
    hook.stop();
  }
}
