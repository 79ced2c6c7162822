package dev.spark.alerts;

import dev.spark.bus.Addresses;
import dev.spark.bus.FixOp;
import dev.spark.support.Await;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@code agent-fix} alerts: a fix record that reaches a verdict, written through the storage writer as
 * the agent writes it, sets off one signed alert per target in the same transaction; a person's
 * apply or discard does not; the rule's filters are matched against the fix's first event.
 */
@ExtendWith(VertxExtension.class)
class FixAlertsTest {

  @Test
  void aFixVerdictIsAlertedOnceAndApplyingItIsNot(Vertx vertx, @TempDir Path dir) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, 0);
    JsonObject rule = AlertsDeliveryTest.rule("fixes", 0, "agent-fix").put("types", new JsonArray().add("server-error"));
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, AlertsDeliveryTest.alerts(hook.port, new JsonArray().add(rule)));
    long eventId = spark.postNow("/api/v1/events", AlertsDeliveryTest.error("null cart in checkout"))
        .bodyAsJsonObject().getJsonArray("ids").getLong(0);
    long rateLimited = spark.postNow("/api/v1/events", new JsonObject().put("type", "rate-limit").put("ip", "10.0.0.1"))
        .bodyAsJsonObject().getJsonArray("ids").getLong(0);
    String fingerprint = spark.getJson("/api/v1/events/" + eventId).getString("fingerprint");

    JsonObject fix = record(vertx, new FixOp.Record(new JsonObject()
        .put("fingerprint", fingerprint).put("events", new JsonArray().add(eventId)).put("status", "verified")
        .put("branch", "spark/fix-" + fingerprint).put("diff", "+ fixed").put("summary", "guarded the cart")
        .put("verify", new JsonObject().put("command", "mvn -q test").put("exitCode", 0).put("tail", "ok")), null));

    WebhookReceiver.Received alert = hook.nextOrFail(2_000);
    assertEquals("agent-fix", alert.header("X-Spark-Event"));
    assertEquals(AlertsDeliveryTest.sign(alert.body()), alert.header("X-Spark-Signature"));
    JsonObject body = alert.json();
    assertEquals("fixes", body.getString("rule"));
    assertEquals(fingerprint, body.getJsonObject("issue").getString("fingerprint"));
    assertEquals("verified", body.getJsonObject("fix").getString("status"));
    assertEquals("guarded the cart", body.getJsonObject("fix").getString("summary"));
    assertEquals(0, body.getJsonObject("fix").getJsonObject("verify").getInteger("exitCode"));
    assertNull(body.getJsonObject("fix").getValue("diff"), "the diff stays on the dashboard");
    assertEquals(eventId, body.getJsonObject("event").getLong("id"));
    assertEquals("https://spark.example.test/#fixes/" + fix.getLong("id"), body.getString("link"));

    record(vertx, new FixOp.SetStatus(fix.getLong("id"), "applied", null));
    record(vertx, new FixOp.Record(new JsonObject()
        .put("fingerprint", "rate-limited").put("events", new JsonArray().add(rateLimited)).put("status", "no-change"), null));
    // Both answered after their commits; an alert would have been written in the same transactions.
    assertEquals(1, spark.count("SELECT count(*) FROM alert_outbox WHERE kind = 'agent-fix'"),
        "applying is a person's act, and the rule's types filter leaves out the rate-limit's fix");
  }

  private static JsonObject record(Vertx vertx, FixOp<FixOp.Fix> op) {
    return Await.result(vertx.eventBus().<FixOp.Fix>request(Addresses.STORAGE_FIXES, op)).body().json();
  }
}
