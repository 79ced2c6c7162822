package dev.spark.storage;

import dev.spark.bus.Addresses;
import dev.spark.config.SparkConfig;
import dev.spark.event.EventBatch;
import dev.spark.metrics.SparkMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Consumes pending events for the agents the poller has registered, on the writer thread, and
 * publishes each batch on {@code spark.events.batch} in the order it was consumed (README, "Delivery").
 *
 * <p>Two ways in. A group commit that stored fresh events consumes what is pending in its own
 * transaction: the events are stored and consumed by one commit, with no second transaction and no
 * round trip through the poller. A drain consumes what is pending in a transaction of its own; one
 * is queued on the writer when an agent registers, at the poller's safety-net tick, and after a
 * batch that reached {@code stream.batchLimit}. With no agent registered nothing is consumed.
 * Every consume runs on the writer thread, and each batch is published from there as soon as its
 * transaction is committed, so batches reach agents in the order they were consumed.
 */
public final class AgentFeed implements Shareable {
  private static final Logger LOG = Logger.getLogger(AgentFeed.class.getName());
  private static final String MAP = "spark.storage.feed";
  private static final String KEY = "feed";
  private static final int MAX_TRACKED_COMMITS = 10_000;

  private final Vertx vertx;
  private final SqliteDatabase db;
  private final Consumption consumption;
  private final SparkConfig.Issues policy;
  private final int limit;
  private final Clock clock;
  private final SparkMetrics metrics;
  private final Consumer<Runnable> writerJobs;
  /** The held subscribers' ids when at least one agent is registered; null when none is. */
  private volatile List<String> holdFor;
  private final AtomicBoolean drainQueued = new AtomicBoolean();
  /** Commits not yet consumed, as {last event id, commit time in nanos}, for the delivery-latency metric. Writer thread only. */
  private final Deque<long[]> unconsumed = new ArrayDeque<>();
  // Written on the writer thread only.
  private volatile long batches;
  private volatile long delivered;
  private volatile long consumed;
  private volatile long lastDeliveredId;

  AgentFeed(Vertx vertx, SqliteDatabase db, Consumption consumption, SparkConfig.Issues policy, int limit, Clock clock,
      SparkMetrics metrics, Consumer<Runnable> writerJobs) {
    this.vertx = vertx;
    this.db = db;
    this.consumption = consumption;
    this.policy = policy;
    this.limit = limit;
    this.clock = clock;
    this.metrics = metrics;
    this.writerJobs = writerJobs;
  }

  /** The feed of this Vert.x instance's storage, or null when storage is not deployed here. */
  public static AgentFeed of(Vertx vertx) {
    return vertx.sharedData().<String, AgentFeed>getLocalMap(MAP).get(KEY);
  }

  void register() {
    vertx.sharedData().<String, AgentFeed>getLocalMap(MAP).put(KEY, this);
  }

  void unregister() {
    LocalMap<String, AgentFeed> map = vertx.sharedData().getLocalMap(MAP);
    map.remove(KEY, this);
  }

  /**
   * Who is listening (from the poller, on any thread): {@code holdFor} lists the held subscribers
   * (each batch recorded for them in the consuming transaction), or is null when no agent is registered.
   */
  public void subscribers(List<String> holdFor) {
    boolean first = this.holdFor == null && holdFor != null;
    this.holdFor = holdFor == null ? null : List.copyOf(holdFor);
    if (first) drain();
  }

  /** Consumes what is pending, if an agent is registered (the safety net, and events stored before the first agent came). */
  public void drain() {
    if (holdFor != null && drainQueued.compareAndSet(false, true)) writerJobs.accept(this::drainNow);
  }

  /** Batches published, events delivered and consumed, and the last id delivered, since storage started. */
  public JsonObject stats() {
    return new JsonObject().put("batches", batches).put("delivered", delivered).put("consumed", consumed)
        .put("lastDeliveredId", lastDeliveredId);
  }

  /**
   * On the writer thread, inside a group commit that stored fresh events: consumes, in that
   * transaction, what is pending for the registered agents; null when none is registered. A failure
   * undoes only the consuming: the events are stored and stay pending for the next drain.
   */
  EventBatch consumeInCommit(Instant now) {
    List<String> hold = holdFor;
    if (hold == null) return null;
    try {
      return db.inSavepoint("agent_feed", () -> consumption.take(limit, policy, now, hold));
    } catch (SQLException | RuntimeException e) {
      LOG.warning("Could not consume the events of a commit (they stay pending for the next drain): " + e);
      return null;
    }
  }

  /**
   * On the writer thread, after a group commit: {@code storedThroughId} is the last event it stored
   * (0 when none), {@code inline} what it consumed (null when nothing), published now.
   */
  void committed(long storedThroughId, EventBatch inline) {
    if (storedThroughId > 0) {
      if (unconsumed.size() >= MAX_TRACKED_COMMITS) unconsumed.pollFirst();
      unconsumed.addLast(new long[] {storedThroughId, System.nanoTime()});
    }
    if (inline != null) consumedOnWriter(inline);
  }

  /** On the writer thread, once the batch is committed: counts it and publishes what it delivers. */
  private void publish(EventBatch batch) {
    consumed += batch.consumed();
    metrics.suppressed(batch.suppressed());
    if (batch.isEmpty()) return;
    batches++;
    delivered += batch.events().size();
    lastDeliveredId = batch.lastId();
    vertx.eventBus().publish(Addresses.EVENTS_BATCH, batch);
    metrics.delivered(batch.events().size());
  }

  private void drainNow() {
    drainQueued.set(false);
    List<String> hold = holdFor;
    if (hold == null) return;
    EventBatch batch;
    try {
      batch = consumption.consume(limit, policy, clock.instant(), hold);
    } catch (SQLException | RuntimeException e) {
      LOG.warning("Could not consume pending events (tried again at the next poll): " + e.getMessage());
      return;
    }
    consumedOnWriter(batch);
  }

  private void consumedOnWriter(EventBatch batch) {
    if (batch.consumed() == 0) return;
    publish(batch);
    long now = System.nanoTime();
    while (!unconsumed.isEmpty() && unconsumed.peekFirst()[0] <= batch.consumedThroughId()) {
      metrics.deliveryLatency(now - unconsumed.pollFirst()[1]);
    }
    if (batch.consumed() >= limit) drain();
  }
}
