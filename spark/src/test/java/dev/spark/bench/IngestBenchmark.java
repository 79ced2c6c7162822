package dev.spark.bench;

import dev.spark.bus.Addresses;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ingest benchmark for Spark (not a test: run it with {@code bin/bench}, see BENCHMARKS.md).
 *
 * <p>Workloads, each on a fresh SQLite file in a temp directory, one after the other:
 * <ul>
 *   <li>ref: plain sqlite-jdbc, one INSERT + COMMIT per row (the original system's style)</li>
 *   <li>a: plain sqlite-jdbc, batched INSERTs, {@code --tx-rows} rows per transaction: the ceiling</li>
 *   <li>b1 / b100: event-bus {@code request} to {@code spark.ingest.access}, 1 row / {@code --batch} rows
 *       per message, {@code --eb-inflight} in flight, answered after commit</li>
 *   <li>c: HTTP {@code POST /api/v1/access}, {@code --batch} rows per POST, {@code --http-batch-connections}
 *       keep-alive connections with one POST in flight each (no pipelining)</li>
 *   <li>hb: the bus ceiling of b1: b1's load against a bare consumer that answers as Spark does ({@link BusCeiling})</li>
 *   <li>h / hr: the HTTP ceiling of d: the same load against a bare Vert.x HTTP server that reads each body
 *       and answers as Spark does, storing nothing ({@link HttpCeiling}; h: a request handler, hr: a Router
 *       with a BodyHandler)</li>
 *   <li>d: HTTP {@code POST /api/v1/events}, one error event per POST, {@code --event-connections}
 *       connections with one POST in flight each</li>
 *   <li>s: HTTP {@code POST /api/1/envelope/}, Sentry envelopes, gzipped, one error event each,
 *       {@code --event-connections} connections: beside (d), the cost of speaking Sentry</li>
 *   <li>e: {@code --latency-rate} error events/s, one per POST, for {@code --latency-seconds}, with one
 *       SSE agent on {@code GET /api/v1/stream}; latency from just before the POST to the parsed SSE message</li>
 * </ul>
 * After each workload every acknowledged id is looked up in the database file.
 */
public final class IngestBenchmark {
  private final BenchOptions o;
  private final Path dir;
  private final Vertx server;
  private final Vertx clients;
  private final Set<Long> clientThreads = ConcurrentHashMap.newKeySet();
  private final WorkloadRunner runner;
  private final List<RunStats> results = new ArrayList<>();
  private IngestWorkloads loads;

  private IngestBenchmark(BenchOptions o, Path dir, Vertx server, Vertx clients) {
    this.o = o;
    this.dir = dir;
    this.server = server;
    this.clients = clients;
    this.runner = new WorkloadRunner(o, dir, server, clients, clientThreads);
  }

  public static void main(String[] args) throws Exception {
    BenchOptions o;
    try {
      o = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(64);
      return;
    }
    Bench.configureLogging(o.verbose);
    Payloads.cycledIds = o.cycledIds;
    Path parent = o.dir != null ? Files.createDirectories(o.dir) : Path.of(System.getProperty("java.io.tmpdir"));
    Path dir = Files.createTempDirectory(parent, "spark-bench-");
    // Spark gets the default Vert.x (2 x cores event loops); the load generators get their own
    // Vert.x with 2 event loops, so client and server callbacks never share an event loop.
    Vertx server = Vertx.vertx();
    Vertx clients = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    IngestBenchmark bench = new IngestBenchmark(o, dir, server, clients);
    int exit;
    try {
      exit = bench.runAll();
    } finally {
      Bench.await(clients.close(), 30);
      Bench.await(server.close(), 30);
      if (!o.keep) Bench.deleteTree(dir);
      else System.out.println("Database files kept in " + dir);
    }
    System.exit(exit);
  }

  private int runAll() throws Exception {
    IngestReport report = new IngestReport(o, dir, results, runner.problems());
    report.header();
    learnClientThreads();
    loads = new IngestWorkloads(o, server, clients);
    warmUp();

    if (o.runs("ref")) results.add(runner.attempts(() -> runner.sqlite("ref", "sqlite-jdbc, 1 row per transaction", 1, o.refSeconds)));
    if (o.runs("a")) results.add(runner.attempts(() -> runner.sqlite("a", "sqlite-jdbc, " + o.txRows + " rows per transaction", o.txRows, o.seconds)));
    if (o.runs("b1")) results.add(runner.attempts(() -> runner.spark("b1", "event bus, 1 row/request, " + o.ebInFlight + " in flight", "rows",
        "access_logs", (s, seconds, stats) -> loads.eventBus(s.vertx, Addresses.INGEST_ACCESS, seconds, 1, stats))));
    if (o.runs("b100")) results.add(runner.attempts(() -> runner.spark("b100", "event bus, " + o.batch + " rows/request, " + o.ebInFlight + " in flight",
        "rows", "access_logs", (s, seconds, stats) -> loads.eventBus(s.vertx, Addresses.INGEST_ACCESS, seconds, o.batch, stats))));
    if (o.runs("c")) results.add(runner.attempts(() -> runner.spark("c", "HTTP, " + o.batch + " rows/POST, " + o.httpBatchConnections + " connections",
        "rows", "access_logs", (s, seconds, stats) -> loads.httpAccessBatches(s, seconds, false, stats))));
    if (o.runs("cs")) results.add(runner.attempts(() -> runner.spark("cs", "HTTP, " + o.batch + " rows/POST, snake_case names", "rows",
        "access_logs", (s, seconds, stats) -> loads.httpAccessBatches(s, seconds, true, stats))));
    if (o.runs("d")) results.add(runner.attempts(() -> runner.spark("d", "HTTP, 1 event/POST, " + o.eventConnections + " connections", "req",
        "events", (s, seconds, stats) -> loads.httpEvents(s.port, seconds, false, stats))));
    if (o.runs("di")) results.add(runner.attempts(() -> runner.spark("di", "HTTP, 1 event/POST with eventId", "req",
        "events", (s, seconds, stats) -> loads.httpEvents(s.port, seconds, true, stats))));
    if (o.runs("be")) results.add(runner.attempts(() -> runner.spark("be", "event bus, " + o.batch + " events/request, no ids", "rows",
        "events", (s, seconds, stats) -> loads.eventBusEvents(s, seconds, false, stats))));
    if (o.runs("bei")) results.add(runner.attempts(() -> runner.spark("bei", "event bus, " + o.batch + " events/request, eventIds", "rows",
        "events", (s, seconds, stats) -> loads.eventBusEvents(s, seconds, true, stats))));
    if (o.runs("s")) results.add(runner.attempts(() -> runner.spark("s", "HTTP, Sentry envelope (gzip), 1 event each, " + o.eventConnections
        + " connections", "req", SentryEnvelopes.TABLE, (s, seconds, stats) -> loads.sentryEnvelopes(s, seconds, stats))));
    LatencyRun.Result latency = o.runs("e") ? new LatencyRun(runner).bestOfAttempts() : null;
    // The bare servers run last, so that no Spark workload is measured right after them: their handlers
    // reach the Vert.x and Netty code Spark's HTTP workloads share with other types (BENCHMARKS.md,
    // "The HTTP ceiling of (d)": whether that made the JIT recompile during (d) is not settled).
    if (o.runs("h")) results.add(runner.attempts(() -> runner.ceiling("h", "bare Vert.x HTTP, 1 event/POST",
        () -> HttpCeiling.start(server, false), (bare, seconds, stats) -> loads.httpEvents(bare.port, seconds, false, stats))));
    if (o.runs("hr")) results.add(runner.attempts(() -> runner.ceiling("hr", "bare Router+BodyHandler, 1 event/POST",
        () -> HttpCeiling.start(server, true), (bare, seconds, stats) -> loads.httpEvents(bare.port, seconds, false, stats))));
    if (o.runs("hb")) results.add(runner.attempts(() -> runner.ceiling("hb", "bare bus consumer, 1 row/request, " + o.ebInFlight + " in flight",
        () -> BusCeiling.start(server, SparkServer.ingestInstances(o.ingestInstances)),
        (bare, seconds, stats) -> loads.eventBus(server, BusCeiling.ADDRESS, seconds, 1, stats))));

    report.report(latency);
    return runner.problems().isEmpty() ? 0 : 2;
  }

  /** Learns the client Vert.x's event-loop threads, so CPU use can be split client / server. */
  private void learnClientThreads() {
    List<Future<Void>> seen = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Promise<Void> p = Promise.promise();
      clients.getOrCreateContext().runOnContext(v -> {
        clientThreads.add(Thread.currentThread().getId());
        p.complete();
      });
      seen.add(p.future());
    }
    Bench.await(Future.all(seen), 10);
  }

  /** Runs every code path briefly on a throw-away database so the measured runs see a warm JIT. */
  private void warmUp() throws Exception {
    if (o.warmupSeconds <= 0) return;
    System.out.printf(Locale.ROOT, "warm-up: %.0f s per workload kind on throw-away databases (and bare servers) ...%n", o.warmupSeconds);
    runner.waitForQuiet();
    long t0 = System.nanoTime();
    if (o.runs("a") || o.runs("ref")) {
      SqliteBaseline.run(new RunStats("w", "", "rows"), dir.resolve("warmup-a.db"), o.synchronous, o.txRows, o.warmupSeconds);
      SqliteBaseline.run(new RunStats("w", "", "rows"), dir.resolve("warmup-ref.db"), o.synchronous, 1, Math.min(1, o.warmupSeconds));
    }
    SparkServer spark = SparkServer.start(server, dir.resolve("warmup-spark.db"), o.synchronous, SparkServer.ingestConfig(o.ingestInstances));
    try {
      double s = o.warmupSeconds;
      if (o.runs("b1")) Bench.await(loads.eventBus(spark.vertx, Addresses.INGEST_ACCESS, s, 1, new RunStats("w", "", "rows")), 120);
      if (o.runs("b100")) Bench.await(loads.eventBus(spark.vertx, Addresses.INGEST_ACCESS, s, o.batch, new RunStats("w", "", "rows")), 120);
      if (o.runs("c") || o.runs("cs")) Bench.await(loads.httpAccessBatches(spark, s, o.runs("cs"), new RunStats("w", "", "rows")), 120);
      if (o.runs("d") || o.runs("di")) Bench.await(loads.httpEvents(spark.port, s, false, new RunStats("w", "", "req")), 120);
      if (o.runs("be") || o.runs("bei")) Bench.await(loads.eventBusEvents(spark, s, false, new RunStats("w", "", "rows")), 120);
      if (o.runs("s")) Bench.await(loads.sentryEnvelopes(spark, s, new RunStats("w", "", "req")), 120);
      if (o.runs("e")) new LatencyRun(runner).warmUp(spark, s);
    } finally {
      spark.stop();
    }
    for (boolean router : new boolean[] {false, true}) {
      if (!o.runs(router ? "hr" : "h")) continue;
      HttpCeiling bare = HttpCeiling.start(server, router);
      try {
        Bench.await(loads.httpEvents(bare.port, o.warmupSeconds, false, new RunStats("w", "", "req")), 120);
      } finally {
        bare.stop();
      }
    }
    if (o.runs("hb")) {
      BusCeiling bare = BusCeiling.start(server, SparkServer.ingestInstances(o.ingestInstances));
      try {
        Bench.await(loads.eventBus(server, BusCeiling.ADDRESS, o.warmupSeconds, 1, new RunStats("w", "", "rows")), 120);
      } finally {
        bare.stop();
      }
    }
    for (String f : new String[] {"warmup-a.db", "warmup-ref.db", "warmup-spark.db"}) runner.cleanupDb(dir.resolve(f));
    WorkloadRunner.settle();
    System.out.printf(Locale.ROOT, "warm-up done in %.1f s%n%n", (System.nanoTime() - t0) / 1e9);
  }
}
