package dev.spark.alerts;

import dev.spark.bus.Addresses;
import dev.spark.config.AlertsConfig;
import dev.spark.event.Timestamps;
import dev.spark.event.UuidV7;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.logging.Logger;

/**
 * The {@code spark-health} rules: every {@code alerts.healthCheckMs} asks storage and the poller what
 * {@code GET /health} asks them (both answer; storage can write), and on a change from UP to DOWN or
 * back tells the rules' targets. These alerts are sent directly, not through the outbox: the database
 * may be what is down. Each is retried like any delivery, in memory, and logged.
 */
final class HealthWatch {
  private static final Logger LOG = Logger.getLogger(HealthWatch.class.getName());

  private final Vertx vertx;
  private final AlertsConfig alerts;
  private final Map<String, TargetClient> clients;
  private final String environment;
  private final String dashboardUrl;
  private final DeliveryOptions quick;
  private boolean up = true;
  private long timer = -1;

  HealthWatch(Vertx vertx, AlertsConfig alerts, Map<String, TargetClient> clients, String environment, String dashboardUrl) {
    this.vertx = vertx;
    this.alerts = alerts;
    this.clients = clients;
    this.environment = environment;
    this.dashboardUrl = dashboardUrl;
    this.quick = new DeliveryOptions().setSendTimeout(Math.max(100, Math.min(2_000, alerts.healthCheckMs())));
  }

  void start() {
    boolean wanted = alerts.rules().stream().anyMatch(r -> r.on().contains("spark-health"));
    if (wanted) timer = vertx.setPeriodic(alerts.healthCheckMs(), id -> check());
  }

  void stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
  }

  private void check() {
    Future<JsonObject> storage = vertx.eventBus().<JsonObject>request(Addresses.STORAGE_STATS, new JsonObject(), quick).map(Message::body);
    Future<JsonObject> poller = vertx.eventBus().<JsonObject>request(Addresses.POLLER_STATS, new JsonObject(), quick).map(Message::body);
    Future.join(storage, poller).onComplete(ar -> {
      String reason = null;
      if (storage.failed()) reason = "storage does not answer (" + storage.cause().getMessage() + ")";
      else if (storage.result().getString("writeError") != null) {
        reason = "storage cannot write the database since " + storage.result().getString("writeErrorSince") + ": "
            + storage.result().getString("writeError");
      } else if (poller.failed()) reason = "the poller does not answer (" + poller.cause().getMessage() + ")";
      boolean nowUp = reason == null;
      if (nowUp == up) return;
      up = nowUp;
      tell(nowUp ? "UP" : "DOWN", reason);
    });
  }

  private void tell(String status, String reason) {
    LOG.warning("Spark health is " + status + (reason == null ? "" : ": " + reason) + "; telling the spark-health rules' targets");
    String now = Timestamps.now();
    for (AlertsConfig.Rule rule : alerts.rules()) {
      if (!rule.on().contains("spark-health")) continue;
      JsonObject payload = new JsonObject().put("kind", "spark-health").put("rule", rule.name())
          .put("health", new JsonObject().put("status", status).put("reason", reason))
          .put("issue", new JsonObject().put("fingerprint", "spark-health").put("type", "spark-health").put("status", status)
              .put("title", "Spark is " + status + (reason == null ? " again" : ": " + reason)).put("firstSeen", now).put("lastSeen", now))
          .put("event", null).put("environment", environment).put("link", dashboardUrl + "/#health").put("at", now);
      for (String target : rule.to()) {
        TargetClient client = clients.get(target);
        if (client != null) send(client, new Delivery(UuidV7.next(), "spark-health", target, payload), 1);
      }
    }
  }

  private void send(TargetClient client, Delivery d, int attempt) {
    client.send(d).onSuccess(a -> {
      if (a.delivered()) return;
      LOG.warning("Health alert " + d.id() + " to " + d.target() + ", attempt " + attempt + ": " + a.error());
      if (a.retry() && attempt < alerts.maxAttempts()) {
        long delay = Math.min(AlertsVerticle.MAX_RETRY_DELAY_MS, alerts.retryDelayMs() << Math.min(30, attempt - 1));
        vertx.setTimer(delay, id -> send(client, d, attempt + 1));
      }
    });
  }
}
