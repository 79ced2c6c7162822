package dev.spark.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.micrometer.backends.BackendRegistries;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Spark's own meters, one set per Vert.x instance, in a Prometheus registry served at {@code GET /metrics}.
 *
 * <p>Where the registry comes from: when Vert.x itself was created with Micrometer metrics and a
 * Prometheus backend ({@code MicrometerMetricsOptions}, e.g. {@code bin/vertx run ... -options
 * conf/vertx-metrics.json}), Spark adds its meters to that registry, so {@code /metrics} also shows
 * Vert.x's HTTP, event-bus and pool metrics. Otherwise (the default launch, tests, an application that
 * created Vert.x without metrics) Spark owns a Prometheus registry of its own. Either way Spark's meters
 * are the same, and nothing depends on how Vert.x was started.
 *
 * <p>Every update is a counter increment, a gauge's atomic set or one histogram record per commit or
 * batch (never per row), all non-blocking, so the ingest path does not slow down.
 */
public final class SparkMetrics {
  private static final Map<Vertx, SparkMetrics> BY_VERTX = Collections.synchronizedMap(new WeakHashMap<>());

  private final PrometheusMeterRegistry registry;
  private final boolean vertxMetrics;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final AtomicLong queueRows = new AtomicLong();
  private final AtomicLong queueBytes = new AtomicLong();
  private final AtomicInteger agents = new AtomicInteger();
  private final AtomicInteger observers = new AtomicInteger();
  private final AtomicLong pendingEvents = new AtomicLong();
  private final AtomicLong eventRows = new AtomicLong();
  private final AtomicLong accessRows = new AtomicLong();
  private final AtomicLong dbBytes = new AtomicLong();
  private final AtomicLong ingestInFlight = new AtomicLong();
  private volatile LongSupplier ingestStalled = () -> 0;
  private final DistributionSummary commitRows;
  private final Timer commitTime;
  private final Timer deliveryLatency;

  private SparkMetrics(PrometheusMeterRegistry registry, boolean vertxMetrics) {
    this.registry = registry;
    this.vertxMetrics = vertxMetrics;
    MeterRegistry r = registry;
    Gauge.builder("spark.storage.queue.rows", queueRows, AtomicLong::get)
        .description("Rows waiting in the storage queue to be committed").register(r);
    Gauge.builder("spark.storage.queue.bytes", queueBytes, AtomicLong::get)
        .description("Approximate bytes waiting in the storage queue").baseUnit("bytes").register(r);
    Gauge.builder("spark.subscribers", agents, AtomicInteger::get).tag("kind", "agent")
        .description("Connected subscribers: agents (consume) and observers (watch)").register(r);
    Gauge.builder("spark.subscribers", observers, AtomicInteger::get).tag("kind", "observer")
        .description("Connected subscribers: agents (consume) and observers (watch)").register(r);
    Gauge.builder("spark.events.pending", pendingEvents, AtomicLong::get)
        .description("Events stored but not yet consumed by an agent (read from the database)").register(r);
    Gauge.builder("spark.db.rows", eventRows, AtomicLong::get).tag("table", "events")
        .description("Rows in the database (read from the database)").register(r);
    Gauge.builder("spark.db.rows", accessRows, AtomicLong::get).tag("table", "access_logs")
        .description("Rows in the database (read from the database)").register(r);
    Gauge.builder("spark.db.size", dbBytes, AtomicLong::get).baseUnit("bytes")
        .description("Database file plus its WAL").register(r);
    Gauge.builder("spark.ingest.inflight", ingestInFlight, AtomicLong::get).baseUnit("bytes")
        .description("Ingest request bodies being read and processed (bounded by ingest.maxInFlightBytes)").register(r);
    Gauge.builder("spark.ingest.stalled", this, m -> m.ingestStalled.getAsLong()).baseUnit("bytes")
        .description("Bytes held by ingest bodies with nothing arriving for over a second (cut at ingest.bodyTimeoutMs)").register(r);
    commitRows = DistributionSummary.builder("spark.storage.commit.rows")
        .description("Rows per committed transaction (group commit batch size)")
        .serviceLevelObjectives(1, 10, 50, 100, 500, 1_000, 5_000, 10_000)
        .register(r);
    commitTime = Timer.builder("spark.storage.commit")
        .description("Time to commit one group of rows")
        .serviceLevelObjectives(ms(1), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), ms(1_000), ms(5_000))
        .register(r);
    deliveryLatency = Timer.builder("spark.delivery.latency")
        .description("From an event's commit to its delivery to agents (includes time spent waiting for an agent)")
        .serviceLevelObjectives(ms(1), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), ms(1_000), ms(5_000), ms(60_000))
        .register(r);
  }

  /** The metrics of this Vert.x instance (created on first use). */
  public static SparkMetrics of(Vertx vertx) {
    synchronized (BY_VERTX) {
      return BY_VERTX.computeIfAbsent(vertx, SparkMetrics::create);
    }
  }

  private static SparkMetrics create(Vertx vertx) {
    MeterRegistry vertxRegistry = vertxRegistry(vertx);
    if (vertxRegistry instanceof PrometheusMeterRegistry prometheus) return new SparkMetrics(prometheus, true);
    return new SparkMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), false);
  }

  /**
   * The registry Vert.x's own Micrometer metrics write to, if this instance runs metrics: the one of
   * the default registry name (public API cannot tell which name an instance was given; a Vert.x
   * started with another {@code registryName} leaves Spark a registry of its own).
   */
  private static MeterRegistry vertxRegistry(Vertx vertx) {
    try {
      if (vertx.isMetricsEnabled()) return BackendRegistries.getDefaultNow();
    } catch (RuntimeException | LinkageError e) {
      // Another metrics implementation, or an incompatible version: Spark keeps a registry of its own.
    }
    return null;
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** True when the registry is Vert.x's own (Vert.x was started with Micrometer metrics). */
  public boolean includesVertxMetrics() {
    return vertxMetrics;
  }

  /** Ingest request bodies in flight, in bytes (their reservations against ingest.maxInFlightBytes). */
  public void ingestInFlight(long bytes) {
    ingestInFlight.set(bytes);
  }

  /** Where the stalled-bytes gauge reads from (the ingest budget of this Spark). */
  public void ingestStalled(LongSupplier bytes) {
    ingestStalled = bytes;
  }

  /** Rows committed ({@code kind}: event or access). */
  public void ingested(String kind, long rows) {
    counter("spark.ingested", "kind", kind, "Rows committed to the database").increment(rows);
  }

  /** Items validated but deliberately not kept ({@code enabled: false} or a {@code watch.*} switch off). */
  public void ignored(String kind, long rows) {
    if (rows > 0) counter("spark.ignored", "kind", kind, "Valid items not stored because enabled or watch.* is off").increment(rows);
  }

  /** Fields of valid items that Spark does not keep (named back to the sender in "ignoredFields"). */
  public void ignoredFields(String kind, long fields) {
    if (fields > 0) counter("spark.ignored.fields", "kind", kind, "Fields sent that Spark does not keep, named in the answer").increment(fields);
  }

  /** Events sent again with an eventId already stored: answered with the stored id, not stored twice. */
  public void retried(long events) {
    if (events > 0) counter("spark.retried", "kind", "event", "Events whose eventId was already stored (retries), not stored again").increment(events);
  }

  /** Items refused: {@code reason} is invalid (400), queue_full or shutting_down (503). */

  public void rejected(String kind, String reason, long rows) {
    Counter c = counters.computeIfAbsent("spark.rejected|" + kind + "|" + reason, k -> Counter.builder("spark.rejected")
        .description("Items refused at ingest").tag("kind", kind).tag("reason", reason).register(registry));
    c.increment(rows);
  }

  /**
   * Sentry envelope items received, by item type ({@code event}, {@code transaction}, {@code session},
   * ..., {@code other} for a type Spark does not know) and outcome: {@code ingested} (handed to the
   * validator) or {@code skipped} (acknowledged and dropped).
   */
  public void sentryItems(String type, String outcome, long items) {
    if (items <= 0) return;
    Counter c = counters.computeIfAbsent("spark.sentry.items|" + type + "|" + outcome, k -> Counter.builder("spark.sentry.items")
        .description("Sentry envelope items received, by type and outcome").tag("type", type).tag("outcome", outcome)
        .register(registry));
    c.increment(items);
  }

  /** Events handed to agents in consumed batches. */
  public void delivered(long events) {
    counter("spark.delivered", "kind", "event", "Events delivered to agents").increment(events);
  }

  /** Events consumed without delivery (flood control, muted or resolved issues). */
  public void suppressed(long events) {
    if (events > 0) counter("spark.suppressed", "kind", "event", "Events consumed without delivery to agents (flood control)").increment(events);
  }

  public void commit(long rows, long nanos) {
    commitRows.record(rows);
    commitTime.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void deliveryLatency(long nanos) {
    deliveryLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void queue(long rows, long bytes) {
    queueRows.set(rows);
    queueBytes.set(bytes);
  }

  public void agents(int count) {
    agents.set(count);
  }

  public void observerOpened() {
    observers.incrementAndGet();
  }

  public void observerClosed() {
    observers.decrementAndGet();
  }

  public int observers() {
    return observers.get();
  }

  /** Refreshes the gauges that are read from the database (before a scrape, or with the dashboard summary). */
  public void database(long events, long pending, long access, long bytes) {
    eventRows.set(events);
    pendingEvents.set(pending);
    accessRows.set(access);
    dbBytes.set(bytes);
  }

  private Counter counter(String name, String tag, String value, String description) {
    return counters.computeIfAbsent(name + "|" + value, k -> Counter.builder(name).description(description).tag(tag, value).register(registry));
  }
}
