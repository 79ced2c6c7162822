package dev.spark.stream;

import dev.spark.bus.Addresses;
import dev.spark.bus.EventBusCodecs;
import dev.spark.config.SparkConfig;
import dev.spark.metrics.SparkMetrics;
import dev.spark.storage.AgentFeed;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the register of agent subscribers (SSE agents, Spark's own agent, {@code SparkClient}
 * subscriptions on the bus) and tells storage's {@link AgentFeed} who is listening: with at least
 * one registered, storage consumes pending events as it stores them and publishes each batch on
 * {@code spark.events.batch}; with none, events stay pending. Every {@code db.pollIntervalMs} it
 * asks the feed to drain what is pending, as a safety net.
 */
public final class PollerVerticle extends VerticleBase {
  private final Map<String, JsonObject> agents = new HashMap<>();
  private SparkMetrics metrics;

  @Override
  public Future<?> start() {
    SparkConfig cfg = SparkConfig.fromJson(config());
    EventBusCodecs.register(vertx);
    metrics = SparkMetrics.of(vertx);
    vertx.setPeriodic(cfg.db().pollIntervalMs(), id -> {
      AgentFeed feed = AgentFeed.of(vertx);
      if (feed == null) return;
      feed.subscribers(listening());
      feed.drain();
    });
    return Future.all(
        vertx.eventBus().<JsonObject>consumer(Addresses.SUBSCRIBER_REGISTER, this::register).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.SUBSCRIBER_UNREGISTER, this::unregister).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.POLLER_STATS, m -> m.reply(stats())).completion());
  }

  @Override
  public Future<?> stop() {
    agents.clear();
    changed();
    return Future.succeededFuture();
  }

  private void register(Message<JsonObject> msg) {
    String id = msg.body() == null ? null : msg.body().getString("id");
    if (id == null || id.isBlank()) {
      msg.fail(400, "register needs {\"id\": \"<subscriber id>\"}");
      return;
    }
    agents.put(id, msg.body());
    changed();
    msg.reply(new JsonObject().put("id", id).put("agents", agents.size()));
  }

  private void unregister(Message<JsonObject> msg) {
    String id = msg.body() == null ? null : msg.body().getString("id");
    if (id != null) agents.remove(id);
    changed();
    if (msg.replyAddress() != null) msg.reply(new JsonObject().put("agents", agents.size()));
  }

  private void changed() {
    metrics.agents(agents.size());
    AgentFeed feed = AgentFeed.of(vertx);
    if (feed != null) feed.subscribers(listening());
  }

  /**
   * The held subscribers (Spark's own agent: each batch is recorded for it in the consuming
   * transaction, until it says it has taken it), or null when no agent is registered.
   */
  private List<String> listening() {
    if (agents.isEmpty()) return null;
    List<String> held = new ArrayList<>();
    for (Map.Entry<String, JsonObject> a : agents.entrySet()) if (Boolean.TRUE.equals(a.getValue().getValue("held"))) held.add(a.getKey());
    return held;
  }

  private JsonObject stats() {
    AgentFeed feed = AgentFeed.of(vertx);
    JsonObject delivered = feed == null ? new JsonObject().put("batches", 0).put("delivered", 0).put("consumed", 0).put("lastDeliveredId", 0)
        : feed.stats();
    return new JsonObject().put("agents", agents.size()).mergeIn(delivered);
  }
}
