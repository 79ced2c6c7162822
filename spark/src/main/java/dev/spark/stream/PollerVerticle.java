package dev.spark.stream;

import dev.spark.bus.Addresses;
import dev.spark.bus.EventBusCodecs;
import dev.spark.config.SparkConfig;
import dev.spark.event.EventBatch;
import dev.spark.metrics.SparkMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Hands pending events to agents. Whenever storage reports stored events (and every
 * {@code db.pollIntervalMs} as a safety net), and at least one agent subscriber is registered, it
 * asks storage to consume the pending events atomically and publishes what it delivers as one
 * {@link EventBatch} on {@code spark.events.batch}. With no agent registered, events stay pending.
 * With flood control (issues.floodControl), storage delivers each issue at most once per batch and
 * consumes the other occurrences without delivering them; a batch that delivers nothing is not published.
 */
public final class PollerVerticle extends VerticleBase {
  private static final long RETRY_MS = 200;
  private static final Logger LOG = Logger.getLogger(PollerVerticle.class.getName());

  private final Map<String, JsonObject> agents = new HashMap<>();
  private int batchLimit;
  private boolean polling;
  private boolean again;
  private long batches;
  private long delivered;
  private long consumed;
  private long lastDeliveredId;
  private SparkMetrics metrics;
  /** Commits not yet delivered, as {last event id, commit time in nanos}, for the delivery-latency metric. */
  private final Deque<long[]> undelivered = new ArrayDeque<>();
  private static final int MAX_TRACKED_COMMITS = 10_000;

  @Override
  public Future<?> start() {
    SparkConfig cfg = SparkConfig.fromJson(config());
    batchLimit = cfg.stream().batchLimit();
    EventBusCodecs.register(vertx);
    metrics = SparkMetrics.of(vertx);
    vertx.setPeriodic(cfg.db().pollIntervalMs(), id -> poll());
    return Future.all(
        vertx.eventBus().<EventBatch>localConsumer(Addresses.EVENTS_STORED, m -> {
          track(m.body());
          poll();
        }).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.SUBSCRIBER_REGISTER, this::register).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.SUBSCRIBER_UNREGISTER, this::unregister).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.POLLER_STATS, m -> m.reply(stats())).completion());
  }

  private void register(Message<JsonObject> msg) {
    String id = msg.body() == null ? null : msg.body().getString("id");
    if (id == null || id.isBlank()) {
      msg.fail(400, "register needs {\"id\": \"<subscriber id>\"}");
      return;
    }
    agents.put(id, msg.body());
    metrics.agents(agents.size());
    msg.reply(new JsonObject().put("id", id).put("agents", agents.size()));
    poll();
  }

  private void unregister(Message<JsonObject> msg) {
    String id = msg.body() == null ? null : msg.body().getString("id");
    if (id != null) agents.remove(id);
    metrics.agents(agents.size());
    if (msg.replyAddress() != null) msg.reply(new JsonObject().put("agents", agents.size()));
  }

  private void poll() {
    if (agents.isEmpty()) return;
    if (polling) {
      again = true;
      return;
    }
    polling = true;
    again = false;
    // Held subscribers (Spark's own agent) get each batch recorded in the consuming transaction,
    // until they say they have taken it: a crash before that loses nothing for them.
    JsonArray holdFor = new JsonArray();
    for (Map.Entry<String, JsonObject> a : agents.entrySet()) if (Boolean.TRUE.equals(a.getValue().getValue("held"))) holdFor.add(a.getKey());
    vertx.eventBus().<EventBatch>request(Addresses.STORAGE_CONSUME, new JsonObject().put("limit", batchLimit).put("holdFor", holdFor))
        .onComplete(ar -> {
          polling = false;
          if (ar.failed()) {
            LOG.warning("Could not consume pending events: " + ar.cause().getMessage());
            // Events stored meanwhile should not wait for the safety-net poll; retry shortly instead
            // of at once, so a storage that keeps failing is not hammered.
            if (again) vertx.setTimer(RETRY_MS, t -> poll());
            return;
          }
          EventBatch batch = ar.result().body();
          consumed += batch.consumed();
          metrics.suppressed(batch.suppressed());
          if (!batch.isEmpty()) {
            batches++;
            delivered += batch.events().size();
            lastDeliveredId = batch.lastId();
            vertx.eventBus().publish(Addresses.EVENTS_BATCH, batch);
            metrics.delivered(batch.events().size());
          }
          if (batch.consumed() > 0) handled(batch.consumedThroughId());
          if (again || batch.consumed() == batchLimit) poll();
        });
  }

  private void track(EventBatch stored) {
    if (stored == null || stored.isEmpty()) return;
    if (undelivered.size() >= MAX_TRACKED_COMMITS) undelivered.pollFirst();
    undelivered.addLast(new long[] {stored.lastId(), System.nanoTime()});
  }

  /** Every event up to {@code throughId} has been consumed (delivered, or counted on its issue): record the latency. */
  private void handled(long throughId) {
    long now = System.nanoTime();
    while (!undelivered.isEmpty() && undelivered.peekFirst()[0] <= throughId) {
      metrics.deliveryLatency(now - undelivered.pollFirst()[1]);
    }
  }

  private JsonObject stats() {
    return new JsonObject()
        .put("agents", agents.size())
        .put("batches", batches)
        .put("delivered", delivered)
        .put("consumed", consumed)
        .put("lastDeliveredId", lastDeliveredId);
  }
}
