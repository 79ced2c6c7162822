package dev.spark.alerts;

import dev.spark.bus.Addresses;
import dev.spark.bus.AlertOp;
import dev.spark.config.ConfigLoader;
import dev.spark.support.Await;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The alerts verticle deployed alone, beside stand-ins for storage and the poller on the event bus:
 * storage stops being able to write (as on a full disk), then writes again; a {@code spark-health}
 * rule tells a real HTTP receiver DOWN, then UP, once each.
 */
@ExtendWith(VertxExtension.class)
class HealthWatchTest {
  @Test
  void downThenUpAreEachSentOnce(Vertx vertx) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, 0);
    String[] writeError = {null};
    vertx.eventBus().<JsonObject>localConsumer(Addresses.STORAGE_STATS, m -> m.reply(new JsonObject()
        .put("writeError", writeError[0]).put("writeErrorSince", writeError[0] == null ? null : "2026-12-06T03:00:00Z")));
    vertx.eventBus().<JsonObject>localConsumer(Addresses.POLLER_STATS, m -> m.reply(new JsonObject().put("agents", 0)));
    vertx.eventBus().<Object>localConsumer(Addresses.STORAGE_ALERTS, m -> m.reply(new AlertOp.Due(List.of(), null)));
    JsonObject conf = ConfigLoader.load(new JsonObject().put("alerts", new JsonObject()
        .put("healthCheckMs", 100)
        .put("publicUrl", "https://spark.example.test")
        .put("targets", new JsonObject().put("hook", new JsonObject().put("type", "webhook")
            .put("url", "http://127.0.0.1:" + hook.port + "/hook").put("secret", "s")))
        .put("rules", new JsonArray().add(new JsonObject().put("on", new JsonArray().add("spark-health")).put("to", new JsonArray().add("hook"))))),
        Map.of("SPARK_ENV", "production")).json();
    Await.result(vertx.deployVerticle(new AlertsVerticle(), new DeploymentOptions().setConfig(conf)));

    assertNull(hook.next(500), "nothing while Spark is up");
    writeError[0] = "[SQLITE_FULL] database or disk is full";
    WebhookReceiver.Received down = hook.nextOrFail(2_000);
    assertEquals("spark-health", down.header("X-Spark-Event"));
    JsonObject body = down.json();
    assertEquals("DOWN", body.getJsonObject("health").getString("status"));
    assertTrue(body.getJsonObject("health").getString("reason").contains("SQLITE_FULL"), body.encode());
    assertEquals("https://spark.example.test/#health", body.getString("link"));
    assertEquals("production", body.getString("environment"));
    assertNull(hook.next(500), "once, not at every check while it stays down");

    writeError[0] = null;
    WebhookReceiver.Received up = hook.nextOrFail(2_000);
    assertEquals("UP", up.json().getJsonObject("health").getString("status"));
    assertEquals("Spark is UP again", up.json().getJsonObject("issue").getString("title"));
    assertNull(hook.next(500));
    hook.stop();
  }
}
