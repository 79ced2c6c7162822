package dev.spark.stream;

import dev.spark.bus.Addresses;
import dev.spark.config.SparkConfig;
import dev.spark.event.EventBatch;
import dev.spark.event.StoredEvent;
import dev.spark.metrics.SparkMetrics;
import dev.spark.query.ReadStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * The SSE clients of one web verticle instance. Agents get the consumed batches from
 * {@code spark.events.batch} and count as subscribers with the poller; observers get every stored
 * event from {@code spark.events.stored} and consume nothing. Heartbeat comments keep idle links open.
 */
public final class SseHub {
  private static final Logger LOG = Logger.getLogger(SseHub.class.getName());
  private static final int REPLAY_PAGE = 500;

  private final Vertx vertx;
  private final ReadStore reads;
  private final SparkConfig.Stream cfg;
  private final SparkMetrics metrics;
  private final Map<String, SseConnection> agents = new LinkedHashMap<>();
  private final Map<String, SseConnection> observers = new LinkedHashMap<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private long heartbeatTimer = -1;
  private boolean stopping;

  public SseHub(Vertx vertx, ReadStore reads, SparkConfig.Stream cfg) {
    this.vertx = vertx;
    this.reads = reads;
    this.cfg = cfg;
    this.metrics = SparkMetrics.of(vertx);
  }

  public Future<Void> start() {
    MessageConsumer<EventBatch> batches = vertx.eventBus().localConsumer(Addresses.EVENTS_BATCH, m -> fanOut(agents, m.body().events()));
    MessageConsumer<EventBatch> stored = vertx.eventBus().localConsumer(Addresses.EVENTS_STORED, m -> fanOut(observers, m.body().events()));
    consumers.add(batches);
    consumers.add(stored);
    heartbeatTimer = vertx.setPeriodic(cfg.heartbeatMs(), id -> {
      for (SseConnection c : List.copyOf(agents.values())) c.comment("heartbeat");
      for (SseConnection c : List.copyOf(observers.values())) c.comment("heartbeat");
    });
    return Future.all(batches.completion(), stored.completion()).mapEmpty();
  }

  public Future<Void> stop() {
    stopping = true;
    vertx.cancelTimer(heartbeatTimer);
    for (SseConnection c : List.copyOf(agents.values())) c.end();
    for (SseConnection c : List.copyOf(observers.values())) c.end();
    List<Future<Void>> done = new ArrayList<>();
    for (MessageConsumer<?> c : consumers) done.add(c.unregister());
    return Future.all(done).mapEmpty();
  }

  public int agentCount() {
    return agents.size();
  }

  public int observerCount() {
    return observers.size();
  }

  /**
   * Starts streaming on an already prepared response. {@code since} is the last event id the
   * client has (from Last-Event-ID or ?since=), or null for "only what comes from now on".
   */
  public void open(HttpServerResponse response, boolean observer, Long since, String remote) {
    String id = UUID.randomUUID().toString();
    Map<String, SseConnection> group = observer ? observers : agents;
    SseConnection conn = new SseConnection(id, observer, response, since == null ? 0 : since, () -> {
      group.remove(id);
      if (observer) metrics.observerClosed();
      if (!observer && !stopping) vertx.eventBus().send(Addresses.SUBSCRIBER_UNREGISTER, new JsonObject().put("id", id));
    });
    group.put(id, conn);
    if (observer) metrics.observerOpened();
    response.write("retry: 2000\n: connected as " + (observer ? "observer" : "agent") + "\n\n");

    Future<Void> replayed = since == null ? Future.succeededFuture() : reads.maxEventId().compose(max -> {
      // An id beyond the newest event means the database was replaced since: start from its beginning.
      if (since > max) conn.rewind(0);
      return replay(conn, Math.min(since, max));
    });
    replayed.onComplete(ar -> {
      if (ar.failed()) LOG.warning("Replay for SSE client " + remote + " failed: " + ar.cause().getMessage());
      conn.live();
    });
    if (!observer) {
      vertx.eventBus().request(Addresses.SUBSCRIBER_REGISTER, new JsonObject().put("id", id).put("kind", "sse").put("remote", remote))
          .onFailure(e -> LOG.warning("Could not register SSE agent " + remote + ": " + e.getMessage()));
    }
  }

  /** Agents replay what was consumed after {@code since} (pending events reach them as a batch); observers replay everything. */
  private Future<Void> replay(SseConnection conn, long after) {
    if (conn.isClosed()) return Future.succeededFuture();
    return reads.eventsAfter(after, !conn.observer, REPLAY_PAGE).compose(page -> {
      if (page.isEmpty()) return Future.succeededFuture();
      return conn.replay(page).compose(v -> page.size() < REPLAY_PAGE ? Future.succeededFuture() : replay(conn, conn.lastSentId()));
    });
  }

  private static void fanOut(Map<String, SseConnection> group, List<StoredEvent> events) {
    if (group.isEmpty()) return;
    for (SseConnection c : List.copyOf(group.values())) c.offer(events);
  }
}
