package dev.spark.client;

import dev.spark.bus.Addresses;
import dev.spark.event.EventBatch;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/** An agent subscription or an observer from {@link SparkClient}; {@link #close()} ends it. */
public final class SparkSubscription {
  private static final Logger LOG = Logger.getLogger(SparkSubscription.class.getName());

  private final SparkClient client;
  private final String id;
  private final boolean agent;
  private final MessageConsumer<EventBatch> consumer;
  private final JsonObject registration;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final long timer;

  SparkSubscription(SparkClient client, String id, boolean agent, MessageConsumer<EventBatch> consumer, JsonObject registration) {
    this.client = client;
    this.id = id;
    this.agent = agent;
    this.consumer = consumer;
    this.registration = registration;
    long every = client.options().getReregisterIntervalMs();
    // Spark keeps its agent list in memory: repeating the (idempotent) registration keeps this
    // subscription counted after Spark restarts.
    this.timer = agent && every > 0 ? client.vertx().setPeriodic(every, t -> reregister()) : -1;
  }

  /** The agent id registered with Spark (observers get a local id). */
  public String id() {
    return id;
  }

  /** True for an agent subscriber (consumes events), false for an observer. */
  public boolean isAgent() {
    return agent;
  }

  public boolean isClosed() {
    return closed.get();
  }

  private void reregister() {
    if (closed.get()) return;
    client.vertx().eventBus().request(Addresses.SUBSCRIBER_REGISTER, registration, client.delivery())
        .onFailure(e -> LOG.fine("Re-registering agent " + id + " failed: " + e));
  }

  /**
   * Ends the subscription: an agent is unregistered from Spark first (so no further batch is
   * consumed for it), then stops listening. Completes once it no longer listens, also when Spark is
   * gone (then there is nothing to unregister from).
   */
  public Future<Void> close() {
    if (!closed.compareAndSet(false, true)) return Future.succeededFuture();
    if (timer >= 0) client.vertx().cancelTimer(timer);
    Future<?> unregistered = agent
        ? client.vertx().eventBus().request(Addresses.SUBSCRIBER_UNREGISTER, new JsonObject().put("id", id), client.delivery())
            .onFailure(e -> LOG.fine("Unregistering agent " + id + " failed: " + e))
        : Future.succeededFuture();
    return unregistered.transform(ar -> consumer.unregister());
  }
}
