package dev.spark.client;

import dev.spark.bus.Addresses;
import dev.spark.bus.EventBusCodecs;
import dev.spark.bus.HandOverCodec;
import dev.spark.event.AccessLogEntry;
import dev.spark.event.EventBatch;
import dev.spark.event.SparkEvent;
import dev.spark.event.UuidV7;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A typed client for Spark over the event bus, for code in the same JVM as Spark or on the same
 * clustered event bus. It uses only Spark's public addresses ({@link Addresses}) and sends JSON
 * (records are converted with their {@code toJson()}), so it works whether Spark is deployed in this
 * {@link Vertx} or on another node; Spark validates everything it receives.
 *
 * <ul>
 *   <li>{@code send*}: fire-and-forget. Never blocks and never throws. What Spark could not take yet
 *       (nobody listening, refused with 503, an event not answered within
 *       {@link SparkClientOptions#getSendTimeoutMs()}) is kept in a bounded buffer and sent again with
 *       backoff ({@link #buffered()}, {@link #dropped()}); an event keeps its {@code eventId}, so a
 *       retry after a lost answer is stored once. What Spark refuses for good (400), or the buffer
 *       drops, is counted in {@link #refused()}.</li>
 *   <li>{@code store*}: acknowledged. The future completes with the committed ids once the rows are
 *       committed, or fails with Spark's {@link io.vertx.core.eventbus.ReplyException} (code 400 or 503,
 *       or a {@code NO_HANDLERS} / {@code TIMEOUT} failure).</li>
 *   <li>{@link #subscribe}: an agent subscriber (consumes events); {@link #observe}: sees every
 *       stored event, consumes nothing.</li>
 * </ul>
 * Thread-safe; create one per {@link Vertx} and share it.
 */
public final class SparkClient {
  private static final Logger LOG = Logger.getLogger(SparkClient.class.getName());
  private static final long WARN_EVERY_MS = 60_000;

  /** Told about each refused fire-and-forget send: how many items it carried and why. */
  @FunctionalInterface
  interface RefusalListener {
    void refused(int items, Throwable cause);
  }

  private final Vertx vertx;
  private final SparkClientOptions options;
  private final DeliveryOptions delivery;
  /** For JSON this client built itself and never touches again: passed as it is within this JVM. */
  private final DeliveryOptions handOver;
  private final LongAdder refused = new LongAdder();
  private final SendBuffer buffer;
  /** Counts sends, so the buffer keeps them in the order they were made. */
  private final AtomicLong sends = new AtomicLong();
  private final AtomicLong lastWarning = new AtomicLong();
  private volatile boolean closed;

  private SparkClient(Vertx vertx, SparkClientOptions options) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.options = options;
    this.delivery = new DeliveryOptions().setSendTimeout(options.getSendTimeoutMs());
    this.buffer = new SendBuffer(vertx, delivery, options, (n, why) -> refuse(n, why, null));
    this.sends.set(buffer.lastSeq());
    // Lets this node decode the EventBatch messages Spark publishes when they cross a clustered bus.
    EventBusCodecs.register(vertx);
    // Within one JVM the event bus copies JSON bodies, in case the sender changes them afterwards.
    // What SparkWeb builds is never changed after the send (and Spark never changes its input), so
    // it is handed over as it is; across a cluster it is encoded as usual.
    DeliveryOptions local = HandOverCodec.options(vertx, delivery);
    this.handOver = local == null ? delivery : local;
  }

  public static SparkClient create(Vertx vertx) {
    return new SparkClient(vertx, new SparkClientOptions());
  }

  public static SparkClient create(Vertx vertx, SparkClientOptions options) {
    return new SparkClient(vertx, options == null ? new SparkClientOptions() : options);
  }

  public Vertx vertx() {
    return vertx;
  }

  public SparkClientOptions options() {
    return options;
  }

  // ------------------------------------------------------------------ fire-and-forget

  /** Sends an error event; never blocks or throws. See {@link #refused()}. */
  public void sendEvent(SparkEvent event) {
    sendEvent(event == null ? null : event.toJson());
  }

  /** Sends an error event given as JSON (the HTTP API's format); never blocks or throws. */
  public void sendEvent(JsonObject event) {
    send(Addresses.INGEST_EVENT, withEventId(event), 1, null);
  }

  /** Sends an access-log entry; never blocks or throws. */
  public void sendAccess(AccessLogEntry entry) {
    sendAccess(entry == null ? null : entry.toJson());
  }

  /** Sends an access-log entry given as JSON; never blocks or throws. */
  public void sendAccess(JsonObject entry) {
    send(Addresses.INGEST_ACCESS, entry, 1, null);
  }

  /**
   * Items Spark did not confirm from this client's fire-and-forget sends: refused (bad input, queue
   * full, shutting down), nobody listening on the address, no answer in time, or not sendable at all.
   * An event whose whole batch was refused counts once per item in the batch.
   */
  public long refused() {
    return refused.sum();
  }

  void send(String address, Object body, int items, RefusalListener listener) {
    send(address, body, items, listener, delivery);
  }

  /** For JSON built by this package and never touched after the call. */
  void handOver(String address, Object body, int items, RefusalListener listener) {
    send(address, body, items, listener, handOver);
  }

  private void send(String address, Object body, int items, RefusalListener listener, DeliveryOptions options) {
    if (closed) {
      refuse(items, new IllegalStateException("SparkClient is closed"), listener);
      return;
    }
    long seq = sends.incrementAndGet();
    if (!buffer.isEmpty()) {
      keep(seq, address, body, items, listener, null);
      return;
    }
    try {
      vertx.eventBus().request(address, body, options).onComplete(ar -> {
        if (ar.failed() && SendBuffer.retriable(ar.cause(), hasEventId(body))) keep(seq, address, body, items, listener, ar.cause());
        else if (ar.failed()) refuse(items, ar.cause(), listener);
      });
    } catch (RuntimeException e) {
      refuse(items, e, listener);
    }
  }

  /** Into the buffer, to be sent again; what it drops (overflow, or refused on a retry) counts as refused. */
  private void keep(long seq, String address, Object body, int items, RefusalListener listener, Throwable cause) {
    if (cause != null && (options.getBufferEvents() == 0 || options.getBufferBytes() == 0)) {
      refuse(items, cause, listener); // no buffer: refused at once, with Spark's reason
      return;
    }
    SendBuffer.Item item = new SendBuffer.Item(seq, address, body, items, SpillLog.bytes(body), (n, why) -> refuse(n, why, listener));
    if (!buffer.add(item)) refuse(items, new IllegalStateException("SparkClient is closed"), listener);
  }

  /**
   * Stops this client: later sends are refused, the buffer stops sending, and what it keeps stays in
   * the buffer directory (if any) for the next client on it, which sends it. Without a buffer
   * directory, what is kept is lost. Subscriptions are closed on their own.
   */
  public void close() {
    closed = true;
    buffer.close();
  }

  static boolean hasEventId(Object body) {
    return body instanceof JsonObject o && o.getValue("eventId") != null;
  }

  /** Items kept to be sent again once Spark answers (see {@link SparkClientOptions#setBufferLimit}). */
  public long buffered() {
    return buffer.buffered();
  }

  /** Items the buffer dropped, oldest first, because it was full; they are also counted in {@link #refused()}. */
  public long dropped() {
    return buffer.dropped();
  }

  void sendAccessBatch(JsonArray entries, RefusalListener listener) {
    if (entries.isEmpty()) return;
    handOver(Addresses.INGEST_ACCESS, entries, entries.size(), listener);
  }

  private void refuse(int items, Throwable cause, RefusalListener listener) {
    refused.add(items);
    long now = System.currentTimeMillis();
    long last = lastWarning.get();
    if (now - last >= WARN_EVERY_MS && lastWarning.compareAndSet(last, now)) {
      LOG.warning("Spark did not take " + items + " item(s): " + cause + " (" + refused.sum()
          + " refused so far; further refusals are logged at FINE for a minute)");
    } else if (LOG.isLoggable(Level.FINE)) {
      LOG.fine("Spark did not take " + items + " item(s): " + cause);
    }
    try {
      if (listener != null) listener.refused(items, cause);
      Handler<Throwable> handler = options.getRefusalHandler();
      if (handler != null) handler.handle(cause);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "A refusal handler failed", e);
    }
  }

  // ------------------------------------------------------------------ acknowledged

  /**
   * Sends an error event and completes with its id once committed (a one-element list; the element
   * is null when Spark was configured not to keep this type: {@code enabled: false} or {@code watch.*}).
   */
  public Future<List<Long>> storeEvent(SparkEvent event) {
    return storeEvent(event == null ? null : event.toJson());
  }

  public Future<List<Long>> storeEvent(JsonObject event) {
    return store(Addresses.INGEST_EVENT, withEventId(event));
  }

  /**
   * The event with an {@code eventId} (a UUIDv7) when it has none, so that sending it again (a retry)
   * stores it once; the caller's object is not changed.
   */
  static JsonObject withEventId(JsonObject event) {
    if (event == null || event.getValue("eventId") != null) return event;
    return event.copy().put("eventId", UuidV7.next());
  }

  /** Sends an access-log entry and completes with its id once committed. */
  public Future<List<Long>> storeAccess(AccessLogEntry entry) {
    return storeAccess(entry == null ? null : entry.toJson());
  }

  public Future<List<Long>> storeAccess(JsonObject entry) {
    return store(Addresses.INGEST_ACCESS, entry);
  }

  private Future<List<Long>> store(String address, Object body) {
    try {
      return vertx.eventBus().<JsonObject>request(address, body, delivery).map(m -> ids(m.body()));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static List<Long> ids(JsonObject reply) {
    JsonArray arr = reply.getJsonArray("ids", new JsonArray());
    List<Long> out = new ArrayList<>(arr.size());
    for (int i = 0; i < arr.size(); i++) {
      Object id = arr.getValue(i);
      out.add(id == null ? null : ((Number) id).longValue());
    }
    return Collections.unmodifiableList(out);
  }

  // ------------------------------------------------------------------ subscriptions

  /** {@link #subscribe(String, Handler)} with a fresh id. */
  public Future<SparkSubscription> subscribe(Handler<EventBatch> handler) {
    return subscribe("client-" + UuidV7.next(), handler);
  }

  /**
   * Subscribes as an agent: listens on {@code spark.events.batch}, then registers {@code agentId} on
   * {@code spark.subscribers.register}, so pending events are consumed and delivered to
   * {@code handler} in batches (the first agent gets the backlog). Fails, leaving nothing behind, if
   * Spark does not accept the registration. {@link SparkSubscription#close()} unregisters.
   */
  public Future<SparkSubscription> subscribe(String agentId, Handler<EventBatch> handler) {
    return subscribe(agentId, false, handler);
  }

  /**
   * As {@link #subscribe(String, Handler)}; with {@code held}, Spark also records every batch it
   * consumes for {@code agentId} in its database, in the consuming transaction, and keeps it until
   * the subscriber releases it ({@code spark.storage.outbox}): what Spark's own agent uses so a batch
   * it has not yet handed to its agent survives a crash. A held subscriber must release what it takes.
   */
  public Future<SparkSubscription> subscribe(String agentId, boolean held, Handler<EventBatch> handler) {
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(handler, "handler");
    JsonObject registration = new JsonObject().put("id", agentId).put("kind", "event-bus");
    if (held) registration.put("held", true);
    MessageConsumer<EventBatch> consumer = vertx.eventBus().consumer(Addresses.EVENTS_BATCH, m -> handler.handle(m.body()));
    // Listen first, register second: a batch published right after registration must find us.
    return consumer.completion()
        .compose(v -> propagated())
        .compose(v -> vertx.eventBus().request(Addresses.SUBSCRIBER_REGISTER, registration, delivery))
        .<SparkSubscription>map(reply -> new SparkSubscription(this, agentId, true, consumer, registration))
        .recover(err -> consumer.unregister().transform(ignored -> Future.failedFuture(err)));
  }

  /**
   * Observes: {@code handler} gets the events of every commit as they are stored, consumed or not.
   * Registers nothing with Spark and consumes nothing.
   */
  public Future<SparkSubscription> observe(Handler<EventBatch> handler) {
    Objects.requireNonNull(handler, "handler");
    MessageConsumer<EventBatch> consumer = vertx.eventBus().consumer(Addresses.EVENTS_STORED, m -> handler.handle(m.body()));
    return consumer.completion()
        .compose(v -> propagated())
        .map(v -> new SparkSubscription(this, "observer-" + UuidV7.next(), false, consumer, null))
        .recover(err -> consumer.unregister().transform(ignored -> Future.failedFuture(err)));
  }

  /** On a clustered bus, gives the other nodes time to learn about a new consumer (see the option). */
  private Future<Void> propagated() {
    long ms = options.getClusterPropagationMs();
    if (!vertx.isClustered() || ms <= 0) return Future.succeededFuture();
    return vertx.timer(ms);
  }

  DeliveryOptions delivery() {
    return delivery;
  }
}
