package dev.spark.bench;

import dev.spark.bus.Addresses;
import dev.spark.storage.SqliteFiles;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The soak ({@code bin/soak}, README "Reliability"): Spark in this JVM as documented
 * ({@link SparkServer}), for {@code --minutes} at a steady mixed load, each stream an open loop at a
 * fixed rate ({@link OpenLoop}): error events over HTTP, one per POST; error events over the event
 * bus; access logs over HTTP in batches; an SSE agent and an SSE observer ({@link SseAgent}) counting
 * what they get; the dashboard's queries every few seconds ({@link DashboardLoad}). Flood control is
 * off, so every event is delivered on its own. Every minute one line: memory (resident, heap, heap
 * in use right after the last collection), the file's size, ingest p99 from the intended send time,
 * acknowledged vs delivered. At the end every acknowledged id is looked up in the file and in what
 * the agent and the observer received; exit 2 when anything is missing or any request failed.
 */
public final class Soak {
  private static final DeliveryOptions EB = new DeliveryOptions().setSendTimeout(60_000);

  public static void main(String[] args) throws Exception {
    Map<String, String> o = options(args);
    int minutes = Integer.parseInt(o.getOrDefault("minutes", "60"));
    int httpRate = Integer.parseInt(o.getOrDefault("http-rate", "200"));
    int busRate = Integer.parseInt(o.getOrDefault("bus-rate", "100"));
    int accessRate = Integer.parseInt(o.getOrDefault("access-rate", "1000"));
    int accessBatch = 50;
    long queryEveryMs = Long.parseLong(o.getOrDefault("query-every-ms", "5000"));
    Bench.configureLogging(o.containsKey("verbose"));
    Path dir = Files.createTempDirectory(Path.of(o.getOrDefault("dir", System.getProperty("java.io.tmpdir"))), "spark-soak-");
    Path db = dir.resolve("spark.db");
    System.out.printf(Locale.ROOT, "soak: %d min; events %d/s over HTTP (1 per POST) + %d/s over the event bus; access logs %d/s over HTTP "
            + "(%d per POST); SSE agent + SSE observer; dashboard queries every %d ms; database %s%n",
        minutes, httpRate, busRate, accessRate, accessBatch, queryEveryMs, db);

    Vertx server = Vertx.vertx();
    Vertx clients = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    // Cleanup runs every 5 minutes as configured by default, with a size limit this run never reaches:
    // the janitor works, and nothing acknowledged is deleted before it is checked.
    SparkServer spark = SparkServer.start(server, db, "NORMAL", new JsonObject()
        .put("issues", new JsonObject().put("floodControl", false))
        .put("db", new JsonObject().put("cleanup", new JsonObject().put("maxSizeMB", 100_000))));
    SseAgent agent = Bench.await(connect(clients, spark.port, false), 30);
    SseAgent observer = Bench.await(connect(clients, spark.port, true), 30);
    HttpClientAgent http = Bench.httpClient(clients, spark.port, 64);
    HttpClientAgent dashHttp = Bench.httpClient(clients, spark.port, 1);
    Context httpCtx = clients.getOrCreateContext();
    Context accessCtx = clients.getOrCreateContext();
    Context busCtx = server.getOrCreateContext();

    RunStats httpStats = new RunStats("http", "events over HTTP", "req");
    RunStats busStats = new RunStats("bus", "events over the event bus", "req");
    RunStats accessStats = new RunStats("access", "access logs over HTTP", "rows");
    OpenLoop httpLoad = OpenLoop.start(httpCtx, httpRate, 1,
        seq -> ClosedLoop.post(http, "/api/v1/events", Payloads.errorEvent(seq).put("via", "http").toBuffer()), httpStats);
    OpenLoop busLoad = OpenLoop.start(busCtx, busRate, 1, seq -> server.eventBus()
        .<JsonObject>request(Addresses.INGEST_EVENT, Payloads.errorEvent(seq).put("via", "bus"), EB)
        .map(m -> ClosedLoop.Outcome.ok(m.body().getJsonArray("ids")))
        .recover(e -> io.vertx.core.Future.succeededFuture(ClosedLoop.Outcome.failed(
            e instanceof ReplyException re ? re.failureCode() : 500, String.valueOf(e.getMessage())))), busStats);
    OpenLoop accessLoad = OpenLoop.start(accessCtx, accessRate / (double) accessBatch, accessBatch,
        seq -> ClosedLoop.post(http, "/api/v1/access", Payloads.accessArrayJson(seq * accessBatch, accessBatch)), accessStats);
    DashboardLoad dashboard = new DashboardLoad(clients, dashHttp, SparkServer.TOKEN, queryEveryMs);

    long start = System.nanoTime();
    System.out.println(" min   RSS MB  heap MB  after GC  DB MB   events acked  agent got  observer got  access rows  "
        + "p99 ms http  p99 ms bus  p99 ms access  queries p99/max ms  refused  failed");
    List<String> lines = new ArrayList<>();
    double worstP99 = 0;
    for (int m = 1; m <= minutes; m++) {
      long from = start + (m - 1) * 60_000_000_000L;
      long to = start + m * 60_000_000_000L;
      long wait = to - System.nanoTime();
      if (wait > 0) Bench.sleep(wait / 1_000_000 + 1);
      double pHttp = RunStats.percentileMs(httpLoad.latencies(from, to), 99);
      double pBus = RunStats.percentileMs(busLoad.latencies(from, to), 99);
      double pAccess = RunStats.percentileMs(accessLoad.latencies(from, to), 99);
      worstP99 = Math.max(worstP99, Math.max(pHttp, Math.max(pBus, pAccess)));
      long[] q = dashboard.take();
      String line = String.format(Locale.ROOT, "%4d  %7d  %7d  %8d  %5.1f  %13d  %9d  %12d  %11d  %11.1f  %10.1f  %13.1f  %8.1f / %7.1f  %7d  %6d",
          m, rssMb(), heapMb(), heapAfterGcMb(), SqliteFiles.fileBytes(db) / 1048576.0,
          httpStats.rowsOk + busStats.rowsOk, agent.received(), observer.received(), accessStats.rowsOk,
          pHttp, pBus, pAccess, RunStats.percentileMs(q, 99), RunStats.percentileMs(q, 100),
          httpStats.rejectedRequests + busStats.rejectedRequests + accessStats.rejectedRequests,
          httpStats.otherFailures + busStats.otherFailures + accessStats.otherFailures + dashboard.failures.get());
      System.out.println(line);
      lines.add(line);
    }

    Bench.await(dashboard.stop(), 60);
    List<RunStats> all = List.of(Bench.await(httpLoad.stop(), 120), Bench.await(busLoad.stop(), 120), Bench.await(accessLoad.stop(), 120));
    BitSet ackedEvents = (BitSet) httpStats.ackedIds.clone();
    ackedEvents.or(busStats.ackedIds);
    long settle = System.nanoTime() + 60_000_000_000L;
    while ((agent.received() < ackedEvents.cardinality() || observer.received() < ackedEvents.cardinality()) && System.nanoTime() < settle) {
      Bench.sleep(50);
    }
    BitSet notDelivered = (BitSet) ackedEvents.clone();
    notDelivered.andNot(agent.seen());
    BitSet notObserved = (BitSet) ackedEvents.clone();
    notObserved.andNot(observer.seen());
    String agentProblems = agent.problems();
    String observerProblems = observer.problems();
    Bench.await(agent.close(), 10);
    Bench.await(observer.close(), 10);
    spark.stop();
    RunStats.Verification events = SparkServer.verify(db, "events", ackedEvents);
    RunStats.Verification access = SparkServer.verify(db, "access_logs", accessStats.ackedIds);

    List<String> problems = new ArrayList<>();
    if (events.lost()) problems.add(events.ackedMissing() + " acknowledged events not in the file " + (events.error() == null ? "" : events.error()));
    if (access.lost()) problems.add(access.ackedMissing() + " acknowledged access logs not in the file " + (access.error() == null ? "" : access.error()));
    if (notDelivered.cardinality() > 0) problems.add(notDelivered.cardinality() + " acknowledged events never reached the SSE agent");
    if (notObserved.cardinality() > 0) problems.add(notObserved.cardinality() + " acknowledged events never reached the SSE observer");
    if (!agentProblems.isEmpty()) problems.add("agent: " + agentProblems);
    if (!observerProblems.isEmpty()) problems.add("observer: " + observerProblems);
    for (RunStats s : all) {
      if (s.otherFailures > 0) problems.add(s.title + ": " + s.otherFailures + " failed requests " + s.failureSamples);
    }
    if (dashboard.failures.get() > 0) problems.add(dashboard.failures.get() + " failed dashboard queries, last: " + dashboard.lastFailure());

    System.out.printf(Locale.ROOT, "%nsummary: %d min; events acknowledged %,d (HTTP %,d, event bus %,d), in the file %,d, delivered to the agent %,d, "
            + "seen by the observer %,d; access logs acknowledged %,d, in the file %,d; refused (503) %,d; dashboard queries %,d; "
            + "worst minute p99 %.1f ms; whole-run p99 HTTP %.1f / bus %.1f / access %.1f ms; sender at most %.1f ms behind; "
            + "final file %.1f MB%n",
        minutes, ackedEvents.cardinality(), httpStats.rowsOk, busStats.rowsOk, events.rowsInTable(), agent.seen().cardinality(),
        observer.seen().cardinality(), accessStats.rowsOk, access.rowsInTable(),
        httpStats.rejectedRequests + busStats.rejectedRequests + accessStats.rejectedRequests, dashboard.queries.get(), worstP99,
        RunStats.percentileMs(httpStats.ackLatencyNanos.sorted(), 99), RunStats.percentileMs(busStats.ackLatencyNanos.sorted(), 99),
        RunStats.percentileMs(accessStats.ackLatencyNanos.sorted(), 99),
        Math.max(httpLoad.maxBehindMs(), Math.max(busLoad.maxBehindMs(), accessLoad.maxBehindMs())), SqliteFiles.fileBytes(db) / 1048576.0);
    clients.close();
    server.close();
    if (!o.containsKey("keep")) Bench.deleteTree(dir);
    if (problems.isEmpty()) {
      System.out.println("OK: everything acknowledged was stored, delivered to the agent and seen by the observer");
      System.exit(0);
    }
    problems.forEach(p -> System.out.println("PROBLEM: " + p));
    System.exit(2);
  }

  private static io.vertx.core.Future<SseAgent> connect(Vertx clients, int port, boolean observer) {
    io.vertx.core.Promise<SseAgent> p = io.vertx.core.Promise.promise();
    clients.getOrCreateContext().runOnContext(v -> SseAgent.connect(clients, port, SparkServer.TOKEN, observer).onComplete(p));
    return p.future();
  }

  private static long rssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    } catch (Exception ignored) {
      // not Linux
    }
    return -1;
  }

  private static long heapMb() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576;
  }

  /**
   * Heap in use right after the most recent garbage collection (young ones included): the live data
   * plus what the old generation has not collected yet. What a leak would make grow minute after minute.
   */
  private static long heapAfterGcMb() {
    java.util.Set<String> heapPools = new java.util.HashSet<>();
    for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == java.lang.management.MemoryType.HEAP) heapPools.add(pool.getName());
    }
    com.sun.management.GcInfo last = null;
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof com.sun.management.GarbageCollectorMXBean sun) {
        com.sun.management.GcInfo info = sun.getLastGcInfo();
        if (info != null && (last == null || info.getEndTime() > last.getEndTime())) last = info;
      }
    }
    if (last == null) return -1;
    long bytes = 0;
    for (var e : last.getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(e.getKey())) bytes += e.getValue().getUsed();
    }
    return bytes / 1048576;
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        System.out.println("bin/soak [--minutes=60] [--http-rate=200] [--bus-rate=100] [--access-rate=1000] [--query-every-ms=5000] "
            + "[--dir=<parent of the temp directory>] [--keep] [--verbose]");
        System.exit(0);
      }
      if (!a.startsWith("--")) throw new IllegalArgumentException("Unknown argument: " + a);
      int eq = a.indexOf('=');
      o.put(eq < 0 ? a.substring(2) : a.substring(2, eq), eq < 0 ? "" : a.substring(eq + 1));
    }
    return o;
  }
}
