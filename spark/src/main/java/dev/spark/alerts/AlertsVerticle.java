package dev.spark.alerts;

import dev.spark.bus.Addresses;
import dev.spark.bus.AlertOp;
import dev.spark.bus.EventBusCodecs;
import dev.spark.config.AlertTarget;
import dev.spark.config.AlertsConfig;
import dev.spark.config.SparkConfig;
import dev.spark.event.Timestamps;
import dev.spark.event.UuidV7;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import dev.spark.config.ServerUrl;

/**
 * Sends what storage put in the alert outbox. Handed the rows by the writer right after the commit
 * that wrote them (so an alert leaves within milliseconds of its event's commit), at start (a restart resumes
 * what was pending), and by a timer for the next retry. Each attempt's result is recorded through
 * storage; a failure worth retrying is tried again after {@code retryDelayMs}, doubling, up to ten
 * minutes, until {@code maxAttempts}. Also answers {@link #TEST} (send a test alert to one target).
 */
public final class AlertsVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(AlertsVerticle.class.getName());
  /** Local: {@code {"target": name}} sends a test alert at once and answers {@code {"delivered", "error"}}; 404 for no such target. */
  public static final String TEST = "spark.alerts.test";
  static final int BATCH = 50;
  static final long MAX_RETRY_DELAY_MS = 600_000;

  private AlertsConfig alerts;
  private String dashboardUrl;
  private HttpClient http;
  private final Map<String, TargetClient> clients = new LinkedHashMap<>();
  /** Rows being sent or whose attempt is being recorded: never sent twice at once, never listed as due. */
  private final Set<Long> inFlight = new HashSet<>();
  /** Attempts on the wire (at most BATCH); recording one does not hold a slot. */
  private int sending;
  private boolean passRunning;
  private boolean again;
  private long timer = -1;
  private long timerAt = Long.MAX_VALUE;
  private boolean stopping;
  private HealthWatch health;

  @Override
  public Future<?> start() {
    SparkConfig cfg = SparkConfig.fromJson(config());
    EventBusCodecs.register(vertx);
    alerts = AlertsConfig.fromJson(config(), System.getenv());
    dashboardUrl = alerts.publicUrl().isEmpty() ? ServerUrl.of(cfg.web()) : alerts.publicUrl();
    http = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(BATCH));
    for (AlertTarget t : alerts.targets().values()) clients.put(t.name(), TargetClient.of(vertx, http, t, alerts.timeoutMs()));
    return Future.all(
            vertx.eventBus().<AlertOp.Committed>localConsumer(Addresses.ALERTS_PENDING, m -> committed(m.body())).completion(),
            vertx.eventBus().<JsonObject>localConsumer(TEST, this::onTest).completion())
        .onSuccess(v -> {
          health = new HealthWatch(vertx, alerts, clients, cfg.environment(), dashboardUrl);
          health.start();
          if (!alerts.targets().isEmpty()) LOG.info("Alerts: " + alerts.rules().size() + " rules, targets " + alerts.targets().keySet());
          wake();
        });
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (timer >= 0) vertx.cancelTimer(timer);
    if (health != null) health.stop();
    return http == null ? Future.succeededFuture() : http.close();
  }

  /**
   * The rows a commit just wrote, sent at once without reading them back through the writer's queue
   * (which, under heavy ingest, holds seconds of writes). Past the concurrency cap, the rest wait for
   * the next look, which each finishing attempt starts.
   */
  private void committed(AlertOp.Committed rows) {
    if (stopping || rows == null) return;
    for (AlertOp.Outgoing row : rows.deliveries()) {
      if (sending >= BATCH) {
        wake();
        return;
      }
      attempt(row);
    }
  }

  /** Looks for due deliveries now, or right after the look in progress. */
  private void wake() {
    if (stopping) return;
    if (passRunning) {
      again = true;
      return;
    }
    passRunning = true;
    again = false;
    if (BATCH - sending <= 0) {
      passRunning = false;
      return;  // every slot busy: each finishing attempt wakes us again
    }
    vertx.eventBus().<AlertOp.Due>request(Addresses.STORAGE_ALERTS, new AlertOp.ListDue(System.currentTimeMillis(), BATCH - sending, inFlight))
        .onComplete(ar -> {
          passRunning = false;
          if (ar.failed()) {
            LOG.warning("Alerts: could not read the outbox (" + ar.cause().getMessage() + "); trying again shortly");
            wakeAt(System.currentTimeMillis() + 1_000);
            return;
          }
          AlertOp.Due due = ar.result().body();
          for (AlertOp.Outgoing row : due.deliveries()) attempt(row);
          Long nextAt = due.nextAt();
          if (nextAt != null && nextAt > System.currentTimeMillis()) wakeAt(nextAt);
          if (again) wake();
        });
  }

  private void wakeAt(long at) {
    if (stopping || (timer >= 0 && timerAt <= at)) return;
    if (timer >= 0) vertx.cancelTimer(timer);
    timerAt = at;
    timer = vertx.setTimer(Math.max(1, at - System.currentTimeMillis()), id -> {
      timer = -1;
      timerAt = Long.MAX_VALUE;
      wake();
    });
  }

  private void attempt(AlertOp.Outgoing row) {
    long id = row.id();
    if (!inFlight.add(id)) return;
    sending++;
    Delivery d = new Delivery(row.deliveryId(), row.kind(), row.target(), row.payload());
    TargetClient client = clients.get(d.target());
    Future<Attempt> sent = client == null
        ? Future.succeededFuture(Attempt.fail("target " + d.target() + " is no longer in alerts.targets"))
        : client.send(d);
    sent.compose(result -> {
          sending--;
          if (sending == BATCH - 1) wake();  // a slot is free: rows skipped at the cap are due now
          int attempts = row.attempts() + 1;
          long delay = Math.min(MAX_RETRY_DELAY_MS, alerts.retryDelayMs() << Math.min(30, attempts - 1));
          if (!result.delivered()) LOG.warning("Alert " + d.id() + " to " + d.target() + ", attempt " + attempts + ": " + result.error());
          return vertx.eventBus().<AlertOp.Recorded>request(Addresses.STORAGE_ALERTS, new AlertOp.RecordAttempt(id, result.delivered(),
              result.retry(), result.error(), System.currentTimeMillis() + delay, alerts.maxAttempts()));
        })
        .onComplete(ar -> {
          inFlight.remove(id);
          if (ar.failed()) {
            // Not recorded: the row is still pending and is sent again (same delivery id) on the next look.
            LOG.warning("Alerts: could not record an attempt (" + ar.cause().getMessage() + ")");
            wakeAt(System.currentTimeMillis() + 1_000);
            return;
          }
          String status = ar.result().body().status();
          if ("dropped".equals(status)) LOG.warning("Alert " + d.id() + " to " + d.target() + " dropped");
          if ("pending".equals(status)) wakeAt(System.currentTimeMillis() + Math.min(MAX_RETRY_DELAY_MS,
              alerts.retryDelayMs() << Math.min(30, row.attempts())));
          wake();
        });
  }

  private void onTest(Message<JsonObject> msg) {
    String name = msg.body() == null ? null : msg.body().getString("target");
    TargetClient client = name == null ? null : clients.get(name);
    if (client == null) {
      msg.fail(404, "No alert target named " + name + " (alerts.targets has " + String.join(", ", alerts.targets().keySet()) + ")");
      return;
    }
    Delivery d = new Delivery(UuidV7.next(), "test", name, testPayload());
    client.send(d).onComplete(ar -> {
      Attempt a = ar.succeeded() ? ar.result() : Attempt.fail(String.valueOf(ar.cause().getMessage()));
      msg.reply(new JsonObject().put("target", name).put("delivery", d.id()).put("delivered", a.delivered()).put("error", a.error()));
    });
  }

  private JsonObject testPayload() {
    String now = Timestamps.now();
    return new JsonObject().put("kind", "test").put("rule", null)
        .put("issue", new JsonObject().put("fingerprint", "test").put("title", "Test alert from Spark: this target works")
            .put("type", "test").put("count", 1).put("firstSeen", now).put("lastSeen", now).put("status", "open"))
        .put("event", null).put("environment", null).put("link", dashboardUrl).put("at", now);
  }
}
