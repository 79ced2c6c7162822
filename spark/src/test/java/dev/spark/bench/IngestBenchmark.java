package dev.spark.bench;

import dev.spark.bus.Addresses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
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
  private static final DeliveryOptions EB = new DeliveryOptions().setSendTimeout(60_000);

  private final BenchOptions o;
  private final Path dir;
  private final Vertx server;
  private final Vertx clients;
  private final List<RunStats> results = new ArrayList<>();
  /** (s)'s envelopes, built and gzipped once before the runs, so their CPU is not counted in any run. */
  private SentryEnvelopes envelopes;
  private final List<String> problems = new ArrayList<>();
  private int files;
  private final Set<Long> clientThreads = ConcurrentHashMap.newKeySet();

  private IngestBenchmark(BenchOptions o, Path dir, Vertx server, Vertx clients) {
    this.o = o;
    this.dir = dir;
    this.server = server;
    this.clients = clients;
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
    header();
    // Learn the client Vert.x's event-loop threads, so CPU use can be split client / server.
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
    if (o.runs("s")) envelopes = new SentryEnvelopes(o.seconds);
    warmUp();

    if (o.runs("ref")) results.add(attempts(() -> sqlite("ref", "sqlite-jdbc, 1 row per transaction", 1, o.refSeconds)));
    if (o.runs("a")) results.add(attempts(() -> sqlite("a", "sqlite-jdbc, " + o.txRows + " rows per transaction", o.txRows, o.seconds)));
    if (o.runs("b1")) results.add(attempts(() -> spark("b1", "event bus, 1 row/request, " + o.ebInFlight + " in flight", "rows",
        "access_logs", (s, stats) -> eventBus(s, o.seconds, 1, stats))));
    if (o.runs("b100")) results.add(attempts(() -> spark("b100", "event bus, " + o.batch + " rows/request, " + o.ebInFlight + " in flight",
        "rows", "access_logs", (s, stats) -> eventBus(s, o.seconds, o.batch, stats))));
    if (o.runs("c")) results.add(attempts(() -> spark("c", "HTTP, " + o.batch + " rows/POST, " + o.httpBatchConnections + " connections",
        "rows", "access_logs", (s, stats) -> httpAccessBatches(s, o.seconds, false, stats))));
    if (o.runs("cs")) results.add(attempts(() -> spark("cs", "HTTP, " + o.batch + " rows/POST, snake_case names", "rows",
        "access_logs", (s, stats) -> httpAccessBatches(s, o.seconds, true, stats))));
    if (o.runs("d")) results.add(attempts(() -> spark("d", "HTTP, 1 event/POST, " + o.eventConnections + " connections", "req",
        "events", (s, stats) -> httpEvents(s, o.seconds, false, stats))));
    if (o.runs("di")) results.add(attempts(() -> spark("di", "HTTP, 1 event/POST with eventId", "req",
        "events", (s, stats) -> httpEvents(s, o.seconds, true, stats))));
    if (o.runs("be")) results.add(attempts(() -> spark("be", "event bus, " + o.batch + " events/request, no ids", "rows",
        "events", (s, stats) -> eventBusEvents(s, o.seconds, false, stats))));
    if (o.runs("bei")) results.add(attempts(() -> spark("bei", "event bus, " + o.batch + " events/request, eventIds", "rows",
        "events", (s, stats) -> eventBusEvents(s, o.seconds, true, stats))));
    if (o.runs("s")) results.add(attempts(() -> spark("s", "HTTP, Sentry envelope (gzip), 1 event each, " + o.eventConnections
        + " connections", "req", SentryEnvelopes.TABLE, (s, stats) -> sentryEnvelopes(s, o.seconds, stats))));
    LatencyResult latency = null;
    if (o.runs("e")) {
      latency = latencyRun();
      for (int i = 0; i < o.retryNoisy && latency.stats().otherCores > NOISY; i++) {
        System.out.printf(Locale.ROOT, "      (other processes used %.2f cores during it: running it again)%n", latency.stats().otherCores);
        LatencyResult again = latencyRun();
        if (again.stats().otherCores < latency.stats().otherCores) latency = again;
      }
    }

    report(latency);
    return problems.isEmpty() ? 0 : 2;
  }

  // ---------------------------------------------------------------- workloads

  private static final double NOISY = 0.15;

  private interface Run {
    RunStats run() throws Exception;
  }

  /**
   * Runs a workload; when other processes used more than {@link #NOISY} cores meanwhile, runs it
   * again (--retry-noisy times at most) and keeps the attempt they disturbed least. Every attempt's
   * data is checked.
   */
  private RunStats attempts(Run run) throws Exception {
    RunStats best = run.run();
    for (int i = 0; i < o.retryNoisy && best.otherCores > NOISY; i++) {
      System.out.printf(Locale.ROOT, "      (other processes used %.2f cores during it: running it again)%n", best.otherCores);
      RunStats again = run.run();
      if (again.otherCores < best.otherCores) best = again;
    }
    return best;
  }

  private RunStats sqlite(String key, String title, int txRows, double seconds) throws Exception {
    System.out.printf(Locale.ROOT, "running %-5s %s for %.0f s ...%n", key, title, seconds);
    waitForQuiet();
    Path db = dir.resolve(key + "-" + (++files) + ".db");
    CpuSampler cpu = new CpuSampler(clientThreads);
    cpu.start();
    RunStats stats = SqliteBaseline.run(new RunStats(key, title, "rows"), db, o.synchronous, txRows, seconds);
    stats.cpu = cpu.stop();
    stats.otherCores = cpu.otherProcesses;
    stats.serverCpuNanos = cpu.serverNanos;
    stats.serverAllocatedBytes = cpu.serverAllocatedBytes;
    stats.verification = SparkServer.verify(db, "access_logs", stats.ackedIds);
    checkVerification(stats);
    cleanupDb(db);
    settle();
    return stats;
  }

  private interface SparkWorkload {
    Future<RunStats> run(SparkServer spark, RunStats stats);
  }

  private RunStats spark(String key, String title, String unit, String table, SparkWorkload workload) {
    System.out.printf(Locale.ROOT, "running %-5s %s for %.0f s ...%n", key, title, o.seconds);
    waitForQuiet();
    Path db = dir.resolve(key + "-" + (++files) + ".db");
    SparkServer spark = SparkServer.start(server, db, o.synchronous);
    RunStats stats = new RunStats(key, title, unit);
    try {
      CpuSampler cpu = new CpuSampler(clientThreads);
      StorageProbe probe = new StorageProbe(server);
      cpu.start();
      probe.start();
      Bench.await(workload.run(spark, stats), (long) (o.seconds + 180));
      stats.cpu = cpu.stop();
      stats.otherCores = cpu.otherProcesses;
      stats.writerCpuNanos = cpu.writerNanos;
      stats.serverCpuNanos = cpu.serverNanos;
      stats.serverAllocatedBytes = cpu.serverAllocatedBytes;
      stats.storage = Bench.await(probe.stop(), 10);
      JsonObject st = spark.storageStats();
      stats.note = String.format(Locale.ROOT, "%,d commits, %.0f rows/commit",
          st.getLong("commits"), st.getLong("committedRows") / (double) Math.max(1, st.getLong("commits")));
    } finally {
      spark.stop();
    }
    stats.verification = table.equals(SentryEnvelopes.TABLE) ? SentryEnvelopes.verify(db, stats.ackedIds)
        : SparkServer.verify(db, table, stats.ackedIds);
    checkVerification(stats);
    cleanupDb(db);
    settle();
    return stats;
  }

  /** (b) Event-bus request to spark.ingest.access, answered after commit; fresh JSON per message, as an app would build it. */
  private Future<RunStats> eventBus(SparkServer spark, double seconds, int rowsPerMessage, RunStats stats) {
    Context ctx = server.getOrCreateContext();
    return ClosedLoop.run(ctx, seconds, o.ebInFlight, rowsPerMessage, seq -> {
      Object body = rowsPerMessage == 1 ? Payloads.accessLog(seq) : Payloads.accessArray(seq * rowsPerMessage, rowsPerMessage);
      return spark.vertx.eventBus().<JsonObject>request(Addresses.INGEST_ACCESS, body, EB)
          .map(m -> ClosedLoop.Outcome.ok(m.body().getJsonArray("ids")))
          .recover(IngestBenchmark::replyFailure);
    }, stats);
  }

  private static Future<ClosedLoop.Outcome> replyFailure(Throwable e) {
    if (e instanceof ReplyException re) {
      int status = re.failureType() == ReplyFailure.RECIPIENT_FAILURE ? re.failureCode() : 0;
      return Future.succeededFuture(ClosedLoop.Outcome.failed(status, re.failureType() + ": " + re.getMessage()));
    }
    return Future.failedFuture(e);
  }

  /**
   * (c) HTTP POST /api/v1/access with arrays of --batch rows, a few keep-alive connections; (cs) the
   * same rows under the original's snake_case names.
   */
  private Future<RunStats> httpAccessBatches(SparkServer spark, double seconds, boolean snake, RunStats stats) {
    HttpClientAgent http = Bench.httpClient(clients, spark.port, o.httpBatchConnections);
    Context ctx = clients.getOrCreateContext();
    return ClosedLoop.run(ctx, seconds, o.httpBatchConnections, o.batch,
            seq -> ClosedLoop.post(http, "/api/v1/access", Payloads.accessArrayJson(seq * o.batch, o.batch, snake)), stats)
        .eventually(() -> http.close());
  }

  /**
   * (d) HTTP POST /api/v1/events with one error event per request, many connections; (di) each event
   * with its own eventId (the body built per request, as a client setting ids does).
   */
  private Future<RunStats> httpEvents(SparkServer spark, double seconds, boolean ids, RunStats stats) {
    Buffer[] bodies = Payloads.errorEventBodies(1_024);
    HttpClientAgent http = Bench.httpClient(clients, spark.port, o.eventConnections);
    Context ctx = clients.getOrCreateContext();
    return ClosedLoop.run(ctx, seconds, o.eventConnections, 1,
            seq -> ClosedLoop.post(http, "/api/v1/events",
                ids ? Payloads.errorEventBodyWithId(seq) : bodies[(int) (seq % bodies.length)]), stats)
        .eventually(() -> http.close());
  }

  /** (s) Sentry envelopes, gzipped, one event each, as many connections as (d). */
  private Future<RunStats> sentryEnvelopes(SparkServer spark, double seconds, RunStats stats) {
    HttpClientAgent http = Bench.httpClient(clients, spark.port, o.eventConnections);
    Context ctx = clients.getOrCreateContext();
    return ClosedLoop.run(ctx, seconds, o.eventConnections, 1, seq -> envelopes.post(http, seq), stats)
        .eventually(() -> http.close());
  }

  /**
   * (be) event-bus requests to spark.ingest.event with --batch error events each: the writer's cost
   * per event shows, not HTTP's; (bei) the same events each with its own eventId (the dedupe cost).
   */
  private Future<RunStats> eventBusEvents(SparkServer spark, double seconds, boolean ids, RunStats stats) {
    Context ctx = server.getOrCreateContext();
    return ClosedLoop.run(ctx, seconds, o.ebInFlight, o.batch, seq ->
        spark.vertx.eventBus().<JsonObject>request(Addresses.INGEST_EVENT, Payloads.errorEvents(seq * o.batch, o.batch, ids), EB)
            .map(m -> ClosedLoop.Outcome.ok(m.body().getJsonArray("ids")))
            .recover(IngestBenchmark::replyFailure), stats);
  }

  // ---------------------------------------------------------------- (e) latency

  record LatencyResult(RunStats stats, long[] sortedLatencies, long delivered, long ackedNotDelivered, long consumedInDb,
      double maxBehindMs, String agentProblems) {}

  private LatencyResult latencyRun() {
    System.out.printf(Locale.ROOT, "running %-5s %,d events/s, 1 event/POST, 1 SSE agent, for %.0f s ...%n",
        "e", o.latencyRate, o.latencySeconds);
    waitForQuiet();
    Path db = dir.resolve("e-" + (++files) + ".db");
    SparkServer spark = SparkServer.start(server, db, o.synchronous);
    RunStats stats = new RunStats("e", "HTTP, " + o.latencyRate + " events/s, 1 event/POST, SSE agent", "req");
    SseAgent agent;
    long[] sorted;
    long delivered;
    BitSet seen;
    double[] behind = new double[1];
    String agentProblems;
    try {
      agent = connectAgent(spark);
      CpuSampler cpu = new CpuSampler(clientThreads);
      StorageProbe probe = new StorageProbe(server);
      cpu.start();
      probe.start();
      steady(spark, o.latencySeconds, o.latencyRate, stats, behind);
      stats.cpu = cpu.stop();
      stats.otherCores = cpu.otherProcesses;
      stats.storage = Bench.await(probe.stop(), 10);
      // Let the last events arrive (they are acknowledged; delivery follows the commit).
      long waitUntil = System.nanoTime() + 10_000_000_000L;
      while (agent.received() < stats.rowsOk && System.nanoTime() < waitUntil) Bench.sleep(20);
      sorted = agent.sortedLatencies();
      delivered = agent.received();
      seen = agent.seen();
      agentProblems = agent.problems();
      Bench.await(agent.close(), 10);
      JsonObject st = spark.storageStats();
      stats.note = String.format(Locale.ROOT, "%,d commits (ingest + consume), %.1f rows/commit",
          st.getLong("commits"), st.getLong("committedRows") / (double) Math.max(1, st.getLong("commits")));
    } finally {
      spark.stop();
    }
    stats.verification = SparkServer.verify(db, "events", stats.ackedIds);
    checkVerification(stats);
    BitSet notDelivered = (BitSet) stats.ackedIds.clone();
    notDelivered.andNot(seen);
    long consumed = SparkServer.count(db, "SELECT count(*) FROM events WHERE consumed = 1");
    if (notDelivered.cardinality() > 0) {
      problems.add("(e) " + notDelivered.cardinality() + " acknowledged events never reached the SSE agent");
    }
    if (!agentProblems.isEmpty()) problems.add("(e) SSE agent: " + agentProblems);
    cleanupDb(db);
    return new LatencyResult(stats, sorted, delivered, notDelivered.cardinality(), consumed, behind[0], agentProblems);
  }

  private SseAgent connectAgent(SparkServer spark) {
    Context ctx = clients.getOrCreateContext();
    Promise<SseAgent> p = Promise.promise();
    ctx.runOnContext(v -> SseAgent.connect(clients, spark.port, SparkServer.TOKEN).onComplete(p));
    SseAgent agent = Bench.await(p.future(), 30);
    long until = System.nanoTime() + 10_000_000_000L;
    while (spark.pollerStats().getInteger("agents") < 1) {
      if (System.nanoTime() > until) throw new IllegalStateException("The SSE agent never registered with the poller");
      Bench.sleep(10);
    }
    return agent;
  }

  /**
   * Open loop: sends {@code rate} events per second on a 1 ms timer (catching up if a tick is late),
   * each in its own POST with {@code sentAtNanos} = System.nanoTime() taken just before the POST.
   */
  private void steady(SparkServer spark, double seconds, int rate, RunStats stats, double[] maxBehindMs) {
    HttpClientAgent http = Bench.httpClient(clients, spark.port, o.latencyConnections);
    Context ctx = clients.getOrCreateContext();
    long total = (long) (rate * seconds);
    Promise<Void> done = Promise.promise();
    ctx.runOnContext(v -> new Object() {
      long sent;
      long outstanding;
      long timer;
      boolean finished;

      void start() {
        stats.startNanos = System.nanoTime();
        timer = ctx.owner().setPeriodic(1, id -> tick());
        tick();
      }

      void tick() {
        long now = System.nanoTime();
        long due = Math.min(total, (long) ((now - stats.startNanos) / 1e9 * rate) + 1);
        maxBehindMs[0] = Math.max(maxBehindMs[0], (due - sent) * 1000.0 / rate);
        while (sent < due) send(sent++);
        if (sent >= total && !finished) {
          finished = true;
          ctx.owner().cancelTimer(timer);
          maybeDone();
        }
      }

      void send(long seq) {
        outstanding++;
        long t = System.nanoTime();
        // A fingerprint of its own per event: (e) times the delivery of each event, and occurrences of
        // one bug would be grouped by flood control (delivered once per issue; see README, "Issues").
        Buffer body = Payloads.errorEvent(seq).put("fingerprint", "bench-e-" + seq).put("sentAtNanos", t).toBuffer();
        ClosedLoop.post(http, "/api/v1/events", body).onComplete(ar -> {
          outstanding--;
          long latency = System.nanoTime() - t;
          if (ar.failed()) stats.failure(String.valueOf(ar.cause()));
          else if (ar.result().status() == 200) stats.ack(ar.result().ids(), 1, latency);
          else if (ar.result().status() == 503) stats.rejected(1);
          else stats.failure(ar.result().status() + " " + ar.result().error());
          maybeDone();
        });
      }

      void maybeDone() {
        if (finished && outstanding == 0) {
          stats.endNanos = System.nanoTime();
          done.tryComplete();
        }
      }
    }.start());
    Bench.await(done.future(), (long) seconds + 120);
    Bench.await(http.close(), 10);
  }

  // ---------------------------------------------------------------- warm-up

  /** Runs every code path briefly on a throw-away database so the measured runs see a warm JIT. */
  private void warmUp() throws Exception {
    if (o.warmupSeconds <= 0) return;
    System.out.printf(Locale.ROOT, "warm-up: %.0f s per workload kind on throw-away databases ...%n", o.warmupSeconds);
    waitForQuiet();
    long t0 = System.nanoTime();
    if (o.runs("a") || o.runs("ref")) {
      SqliteBaseline.run(new RunStats("w", "", "rows"), dir.resolve("warmup-a.db"), o.synchronous, o.txRows, o.warmupSeconds);
      SqliteBaseline.run(new RunStats("w", "", "rows"), dir.resolve("warmup-ref.db"), o.synchronous, 1, Math.min(1, o.warmupSeconds));
    }
    SparkServer spark = SparkServer.start(server, dir.resolve("warmup-spark.db"), o.synchronous);
    try {
      double s = o.warmupSeconds;
      if (o.runs("b1")) Bench.await(eventBus(spark, s, 1, new RunStats("w", "", "rows")), 120);
      if (o.runs("b100")) Bench.await(eventBus(spark, s, o.batch, new RunStats("w", "", "rows")), 120);
      if (o.runs("c") || o.runs("cs")) Bench.await(httpAccessBatches(spark, s, o.runs("cs"), new RunStats("w", "", "rows")), 120);
      if (o.runs("d") || o.runs("di")) Bench.await(httpEvents(spark, s, false, new RunStats("w", "", "req")), 120);
      if (o.runs("be") || o.runs("bei")) Bench.await(eventBusEvents(spark, s, false, new RunStats("w", "", "rows")), 120);
      if (o.runs("s")) Bench.await(sentryEnvelopes(spark, s, new RunStats("w", "", "req")), 120);
      if (o.runs("e")) {
        SseAgent agent = connectAgent(spark);
        steady(spark, s, o.latencyRate, new RunStats("w", "", "req"), new double[1]);
        Bench.await(agent.close(), 10);
      }
    } finally {
      spark.stop();
    }
    for (String f : new String[] {"warmup-a.db", "warmup-ref.db", "warmup-spark.db"}) cleanupDb(dir.resolve(f));
    settle();
    System.out.printf(Locale.ROOT, "warm-up done in %.1f s%n%n", (System.nanoTime() - t0) / 1e9);
  }

  // ---------------------------------------------------------------- reporting

  private void header() {
    Runtime rt = Runtime.getRuntime();
    System.out.println("Spark ingest benchmark");
    System.out.printf(Locale.ROOT, "  machine : %d CPUs (availableProcessors), %s %s, max heap %d MB%n",
        rt.availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"), rt.maxMemory() >> 20);
    System.out.printf(Locale.ROOT, "  JVM     : %s %s (%s)%n", System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"), System.getProperty("java.vm.vendor"));
    System.out.printf(Locale.ROOT, "  options : seconds=%s ref-seconds=%s warmup-seconds=%s latency=%d/s for %s s, tx-rows=%d batch=%d "
            + "eb-inflight=%d http-batch-connections=%d event-connections=%d latency-connections=%d synchronous=%s request-ids=%s%n",
        fmt(o.seconds), fmt(o.refSeconds), fmt(o.warmupSeconds), o.latencyRate, fmt(o.latencySeconds), o.txRows, o.batch,
        o.ebInFlight, o.httpBatchConnections, o.eventConnections, o.latencyConnections, o.synchronous,
        o.cycledIds ? "cycled" : "unique");
    System.out.println("  data dir: " + dir);
    long[] before = CpuSampler.machineTicks();
    Bench.sleep(1_000);
    double busy = CpuSampler.machineCores(before, CpuSampler.machineTicks());
    if (!Double.isNaN(busy)) {
      System.out.printf(Locale.ROOT, "  before starting, the machine was busy %.2f cores (other processes)%s%n", busy,
          busy > 0.15 ? "  <-- WARNING: not quiet; figures will be understated" : "");
    }
    System.out.println();
  }

  private void report(LatencyResult latency) {
    RunStats a = results.stream().filter(r -> r.key.equals("a")).findFirst().orElse(null);
    double aRate = a == null ? Double.NaN : a.rowsPerSecond();
    System.out.println();
    System.out.println("SQLite (as the baseline connection reports it): " + SqliteBaseline.lastPragmas
        + "; Spark's writer opens its file with the same pragmas (SqliteFiles.configure)");
    System.out.println();
    System.out.println("Throughput (every workload on a fresh database; rows = rows acknowledged as committed)");
    String line = "-".repeat(150);
    System.out.println(line);
    System.out.printf(Locale.ROOT, "%-5s %-44s %11s %6s %11s %10s %7s %6s %6s %17s  %s%n",
        "", "workload", "rows", "s", "rows/s", "req/s", "vs (a)", "503s", "errors", "ack p50/p99 ms", "notes");
    System.out.println(line);
    List<RunStats> all = new ArrayList<>(results);
    if (latency != null) all.add(latency.stats());
    for (RunStats r : all) {
      long[] lat = r.ackLatencyNanos.sorted();
      System.out.printf(Locale.ROOT, "%-5s %-44s %,11d %6.1f %,11.0f %,10.0f %6.1f%% %,6d %,6d %8.2f/%-8.2f  %s%n",
          r.key, r.title, r.rowsOk, r.seconds(), r.rowsPerSecond(), r.requestsPerSecond(),
          100 * r.rowsPerSecond() / aRate, r.rejectedRequests, r.otherFailures,
          RunStats.percentileMs(lat, 50), RunStats.percentileMs(lat, 99), r.note);
    }
    System.out.println(line);
    System.out.println("(a)/(ref) use one transaction's commit as the 'ack'; req/s for (a)/(ref) counts transactions.");
    RunStats d = results.stream().filter(r -> r.key.equals("d")).findFirst().orElse(null);
    RunStats sentry = results.stream().filter(r -> r.key.equals("s")).findFirst().orElse(null);
    if (d != null && sentry != null) {
      System.out.printf(Locale.ROOT, "(s) Sentry envelopes vs (d) POST /api/v1/events, same run: %,.0f vs %,.0f events/s = %.0f%%%n",
          sentry.requestsPerSecond(), d.requestsPerSecond(), 100 * sentry.requestsPerSecond() / d.requestsPerSecond());
    }

    System.out.println();
    System.out.printf(Locale.ROOT, "CPU during each run: cores busy on average (the machine has %d), by thread group%n",
        Runtime.getRuntime().availableProcessors());
    for (RunStats r : all) System.out.printf(Locale.ROOT, "  %-5s %s%n", r.key, r.cpu);
    System.out.println();
    System.out.println("Per stored row, server side (every thread of this JVM but the load generator's; figures that hold up on a"
        + " shared machine): CPU us, of it the SQLite writer thread, and heap bytes allocated");
    for (RunStats r : all) {
      System.out.printf(Locale.ROOT, "  %-5s CPU %6.1f us/row (writer %5.1f)   allocated %,9.0f B/row%n", r.key,
          perRow(r.serverCpuNanos, r), perRow(r.writerCpuNanos, r), r.serverAllocatedBytes / (double) Math.max(1, r.rowsOk));
    }
    System.out.println();
    System.out.println("Rows acknowledged per 1-second window of each run (a rate that swings within a run shows here):");
    for (RunStats r : all) if (!r.windows().isEmpty()) System.out.printf(Locale.ROOT, "  %-5s %s%n", r.key, r.windows());
    if (all.stream().anyMatch(r -> !r.storage.isEmpty())) {
      System.out.println();
      System.out.println("Spark storage verticle, sampled every 2 ms over the event bus (spark.storage.stats):");
      for (RunStats r : all) if (!r.storage.isEmpty()) System.out.printf(Locale.ROOT, "  %-5s %s%n", r.key, r.storage);
    }

    if (latency != null) {
      long[] l = latency.sortedLatencies();
      System.out.println();
      System.out.println("Ingest -> SSE delivery latency (e): from just before the POST to the parsed SSE message");
      System.out.printf(Locale.ROOT, "  events acknowledged %,d, delivered to the agent %,d, with latency sample %,d, achieved %.0f events/s"
              + " (sender at most %.1f ms behind schedule)%n",
          latency.stats().rowsOk, latency.delivered(), l.length, latency.stats().requestsPerSecond(), latency.maxBehindMs());
      System.out.printf(Locale.ROOT, "  p50 %.2f ms   p95 %.2f ms   p99 %.2f ms   p99.9 %.2f ms   max %.2f ms%n",
          RunStats.percentileMs(l, 50), RunStats.percentileMs(l, 95), RunStats.percentileMs(l, 99),
          RunStats.percentileMs(l, 99.9), RunStats.percentileMs(l, 100));
      long[] ack = latency.stats().ackLatencyNanos.sorted();
      System.out.printf(Locale.ROOT, "  (POST acknowledgement alone: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms)%n",
          RunStats.percentileMs(ack, 50), RunStats.percentileMs(ack, 95), RunStats.percentileMs(ack, 99), RunStats.percentileMs(ack, 100));
      System.out.printf(Locale.ROOT, "  events marked consumed in the DB: %,d; acknowledged but never delivered: %,d%n",
          latency.consumedInDb(), latency.ackedNotDelivered());
    }

    ratios();

    System.out.println();
    System.out.println("Targets");
    targets(a, latency);

    System.out.println();
    System.out.println("Data check: every acknowledged id looked up in the database file after Spark was stopped (plain sqlite-jdbc)");
    for (RunStats r : all) {
      RunStats.Verification v = r.verification;
      if (v == null) continue;
      System.out.printf(Locale.ROOT, "  %-5s %-12s acknowledged %,11d   rows in table %,11d   acknowledged but MISSING %,d   present but unacknowledged %,d   %s%n",
          r.key, v.table(), v.ackedIds(), v.rowsInTable(), v.ackedMissing(), v.unackedPresent(),
          v.lost() ? "DATA LOSS" + (v.error() == null ? "" : " (" + v.error() + ")") : "OK");
      if (r.duplicateIds > 0) System.out.printf(Locale.ROOT, "        %,d ids were acknowledged twice%n", r.duplicateIds);
      if (r.ignoredRows > 0) System.out.printf(Locale.ROOT, "        %,d rows answered as ignored%n", r.ignoredRows);
      for (var e : r.failureSamples.entrySet()) System.out.printf(Locale.ROOT, "        failure x%d: %s%n", e.getValue(), e.getKey());
    }
    List<String> noisy = all.stream().filter(r -> r.otherCores > NOISY)
        .map(r -> String.format(Locale.ROOT, "%s (%.2f cores)", r.key, r.otherCores)).toList();
    if (!noisy.isEmpty()) {
      System.out.println();
      System.out.println("WARNING: other processes used CPU during " + String.join(", ", noisy)
          + "; on a 2-core machine those figures are understated. Re-run on a quiet machine.");
    }
    if (!problems.isEmpty()) {
      System.out.println();
      System.out.println("!".repeat(100));
      System.out.println("!!! THE BENCHMARK FOUND PROBLEMS:");
      for (String p : problems) System.out.println("!!!   " + p);
      System.out.println("!".repeat(100));
    } else {
      System.out.println("  all acknowledged rows are in the database");
    }
  }

  private void targets(RunStats a, LatencyResult latency) {
    for (RunStats r : results) {
      switch (r.key) {
        case "b1", "b100" -> {
          if (a != null) target("(" + r.key + ") event bus >= 65% of (a)", String.format(Locale.ROOT, "%.1f%% of (a)",
              100 * r.rowsPerSecond() / a.rowsPerSecond()), r.rowsPerSecond() >= 0.65 * a.rowsPerSecond());
        }
        case "c" -> target("(c) HTTP batches >= 100,000 rows/s", String.format(Locale.ROOT, "%,.0f rows/s", r.rowsPerSecond()),
            r.rowsPerSecond() >= 100_000);
        case "d" -> target("(d) HTTP single events >= 10,000 req/s", String.format(Locale.ROOT, "%,.0f req/s", r.requestsPerSecond()),
            r.requestsPerSecond() >= 10_000);
        default -> { }
      }
    }
    if (latency != null) {
      long[] l = latency.sortedLatencies();
      double p50 = RunStats.percentileMs(l, 50);
      double p99 = RunStats.percentileMs(l, 99);
      target("(e) SSE delivery p50 <= 5 ms", String.format(Locale.ROOT, "%.2f ms", p50), p50 <= 5);
      target("(e) SSE delivery p99 <= 25 ms", String.format(Locale.ROOT, "%.2f ms", p99), p99 <= 25);
    }
  }

  /** Pairs run in this same run that differ in one thing: the original's names, and client event ids. */
  private void ratios() {
    String[][] pairs = {{"cs", "c", "snake_case vs camelCase access logs (HTTP batches)"},
        {"di", "d", "events with eventId vs without (HTTP, 1 per POST)"},
        {"bei", "be", "events with eventId vs without (event bus batches)"}};
    boolean header = false;
    for (String[] p : pairs) {
      RunStats with = results.stream().filter(r -> r.key.equals(p[0])).findFirst().orElse(null);
      RunStats without = results.stream().filter(r -> r.key.equals(p[1])).findFirst().orElse(null);
      if (with == null || without == null) continue;
      if (!header) {
        System.out.println();
        System.out.println("Ratios (same run; target >= 95 %: neither costs more than 5 % against the other)");
        header = true;
      }
      double ratio = with.rowsPerSecond() / without.rowsPerSecond();
      System.out.printf(Locale.ROOT, "  (%s)/(%s) %-52s throughput %6.1f %%  %s%n", p[0], p[1], p[2], 100 * ratio, ratio >= 0.95 ? "MET" : "MISSED");
      // CPU per row is what the difference costs; unlike throughput it holds up on a shared machine.
      System.out.printf(Locale.ROOT, "        CPU per row: Spark (server side) %.1f vs %.1f us (%+.1f %%), SQLite writer thread %.1f vs %.1f us (%+.1f %%)%n",
          perRow(with.serverCpuNanos, with), perRow(without.serverCpuNanos, without),
          100 * (perRow(with.serverCpuNanos, with) / perRow(without.serverCpuNanos, without) - 1),
          perRow(with.writerCpuNanos, with), perRow(without.writerCpuNanos, without),
          100 * (perRow(with.writerCpuNanos, with) / perRow(without.writerCpuNanos, without) - 1));
    }
  }

  private static double perRow(long nanos, RunStats r) {
    return nanos / 1_000.0 / Math.max(1, r.rowsOk);
  }

  private static void target(String what, String measured, boolean met) {
    System.out.printf(Locale.ROOT, "  %-42s %-22s %s%n", what, measured, met ? "MET" : "MISSED");
  }

  private void checkVerification(RunStats r) {
    RunStats.Verification v = r.verification;
    if (v.lost()) {
      String msg = "(" + r.key + ") DATA LOSS: " + v.ackedMissing() + " acknowledged rows are not in " + v.table()
          + (v.error() == null ? "" : " (" + v.error() + ")");
      problems.add(msg);
      System.out.println("!!! " + msg);
    }
    if (r.duplicateIds > 0) problems.add("(" + r.key + ") " + r.duplicateIds + " ids acknowledged twice");
    if (r.otherFailures > 0) problems.add("(" + r.key + ") " + r.otherFailures + " requests failed (not 503): " + r.failureSamples.keySet());
  }

  // ---------------------------------------------------------------- plumbing

  private void cleanupDb(Path db) {
    if (o.keep) return;
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      try {
        Files.deleteIfExists(db.resolveSibling(db.getFileName() + suffix));
      } catch (IOException e) {
        System.err.println("could not delete " + db + suffix + ": " + e.getMessage());
      }
    }
  }

  private void waitForQuiet() {
    if (o.waitQuietSeconds > 0) CpuSampler.waitForQuiet(o.waitQuietSeconds);
  }

  private static void settle() {
    System.gc();
    Bench.sleep(300);
  }


  private static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }
}
