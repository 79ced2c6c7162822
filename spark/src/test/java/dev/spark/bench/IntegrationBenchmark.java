package dev.spark.bench;

import dev.spark.client.SparkClient;
import dev.spark.client.SparkWeb;
import dev.spark.client.SparkWebOptions;
import dev.spark.event.AccessLogEntry;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What the Vert.x Web integration costs an app (not a test: run it with {@code bin/bench-integration},
 * see BENCHMARKS.md, "Integration overhead").
 *
 * <p>One JVM. The server Vert.x runs Spark ({@code SparkVerticle}, on a temp SQLite file) and three
 * copies of the same hello-world Vert.x Web app ({@code GET /hello}, {@code --instances} verticle
 * instances each): "plain"; "spark" with {@code SparkWeb.install} (request ids, an access-log row for
 * every request committed by the Spark in the same process, error reporting); and "noacc", SparkWeb
 * with access logs off, to tell the integration's own cost from the cost of storing a row per
 * request. A second Vert.x with 2 event loops drives them with {@link ClosedLoop}: {@code --connections}
 * keep-alive connections, one request in flight on each. The apps are measured in rounds in the same
 * run, the order rotating every round, after a warm-up of each; at the end every access-log entry is
 * checked against the database.
 */
public final class IntegrationBenchmark {
  private static final JsonArray NO_IDS = new JsonArray();

  private double seconds = 3;
  private int rounds = 4;
  private double warmupSeconds = 4;
  private int connections = 32;
  private int instances = 2;
  private int accessBatch = new SparkWebOptions().getAccessBatchSize();
  private boolean verbose;
  private boolean store = true;
  private Path parent = Path.of(System.getProperty("java.io.tmpdir"));

  /** Every SparkWeb the "spark" app's instances installed (to flush and count at the end). */
  private static final Queue<SparkWeb> WEBS = new ConcurrentLinkedQueue<>();

  /** The hello-world app; with a client, SparkWeb is installed on its router. */
  static final class HelloApp extends VerticleBase {
    private final int port;
    private final SparkClient client;
    private final SparkWebOptions options;

    HelloApp(int port, SparkClient client, SparkWebOptions options) {
      this.port = port;
      this.client = client;
      this.options = options;
    }

    @Override
    public Future<?> start() {
      Router router = Router.router(vertx);
      if (client != null) WEBS.add(SparkWeb.install(router, client, options));
      router.get("/hello").setName("hello").handler(ctx -> ctx.response()
          .putHeader("Content-Type", "text/plain; charset=utf-8")
          .end("Hello, World!"));
      return vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true)).requestHandler(router).listen(port, "127.0.0.1");
    }
  }

  public static void main(String[] args) throws Exception {
    IntegrationBenchmark b = new IntegrationBenchmark();
    try {
      b.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(64);
    }
    Bench.configureLogging(b.verbose);
    System.exit(b.run());
  }

  private void parse(String[] args) {
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        System.out.println(usage());
        System.exit(0);
      }
      if (arg.equals("--verbose")) { verbose = true; continue; }
      if (arg.equals("--quick")) { seconds = 2; rounds = 2; warmupSeconds = 2; continue; }
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) throw new IllegalArgumentException("Unknown argument " + arg + "\n" + usage());
      String value = arg.substring(eq + 1);
      switch (arg.substring(2, eq)) {
        case "seconds" -> seconds = Double.parseDouble(value);
        case "rounds" -> rounds = Integer.parseInt(value);
        case "warmup-seconds" -> warmupSeconds = Double.parseDouble(value);
        case "connections" -> connections = Integer.parseInt(value);
        case "instances" -> instances = Integer.parseInt(value);
        case "access-batch" -> accessBatch = Integer.parseInt(value);
        case "store" -> store = Boolean.parseBoolean(value);
        case "dir" -> parent = Path.of(value);
        default -> throw new IllegalArgumentException("Unknown option " + arg + "\n" + usage());
      }
    }
  }

  private static String usage() {
    return """
        Usage: bin/bench-integration [options]
          --seconds=3          length of each measured run
          --rounds=4           measured rounds; each runs every app, the order rotating
          --warmup-seconds=4   warm-up of each app before measuring
          --connections=32     keep-alive connections, one request in flight on each
          --instances=2        verticle instances (event loops) of each app
          --access-batch=256   SparkWebOptions.accessBatchSize (1: one event-bus message per request)
          --store=true         false: Spark runs with "enabled": false (validates and answers, stores nothing)
          --dir=PATH --verbose --quick (2 s runs, 2 rounds, 2 s warm-up)""";
  }

  /** One app under test: its name, port, HTTP client and measured rounds. */
  private static final class Variant {
    final String key;
    final String title;
    final int port = SparkServer.freePort();
    final SparkWebOptions options;
    final List<RunStats> runs = new ArrayList<>();
    HttpClientAgent http;

    Variant(String key, String title, SparkWebOptions options) {
      this.key = key;
      this.title = title;
      this.options = options;
    }
  }

  private int run() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(parent), "spark-bench-integration-");
    Vertx server = Vertx.vertx();
    Vertx clients = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    Set<Long> clientThreads = ConcurrentHashMap.newKeySet();
    List<String> problems = new ArrayList<>();
    try {
      header(dir);
      for (int i = 0; i < 8; i++) {
        Promise<Void> p = Promise.promise();
        clients.getOrCreateContext().runOnContext(v -> {
          clientThreads.add(Thread.currentThread().getId());
          p.complete();
        });
        Bench.await(p.future(), 10);
      }
      SparkServer spark = SparkServer.start(server, dir.resolve("spark.db"), "NORMAL", new JsonObject().put("enabled", store));
      SparkClient client = SparkClient.create(server);
      Variant plain = new Variant("plain", "plain Vert.x Web", null);
      Variant full = new Variant("spark", "SparkWeb, Spark in-process", new SparkWebOptions().setAccessBatchSize(accessBatch));
      Variant idsOnly = new Variant("noacc", "SparkWeb without access logs", new SparkWebOptions().setAccessLog(false));
      List<Variant> variants = List.of(plain, full, idsOnly);
      for (Variant v : variants) {
        SparkClient c = v.options == null ? null : client;
        Bench.await(server.deployVerticle(() -> new HelloApp(v.port, c, v.options), new DeploymentOptions().setInstances(instances)), 30);
        v.http = Bench.httpClient(clients, v.port, connections);
      }

      System.out.printf(Locale.ROOT, "warm-up: %.0f s per app ...%n", warmupSeconds);
      long warmupFull = 0;
      for (int i = 0; i < 2; i++) {
        for (Variant v : variants) {
          long n = drive(clients, v.http, warmupSeconds / 2, new RunStats("w", "", "req")).requestsOk;
          if (v == full) warmupFull += n;
        }
      }

      for (int r = 1; r <= rounds; r++) {
        // rotate the order every round, so drift in the machine's load hits every app alike
        for (int k = 0; k < variants.size(); k++) {
          Variant v = variants.get((k + r - 1) % variants.size());
          RunStats stats = new RunStats(v.key, "round " + r, "req");
          CpuSampler cpu = new CpuSampler(clientThreads);
          cpu.start();
          drive(clients, v.http, seconds, stats);
          stats.cpu = cpu.stop();
          v.runs.add(stats);
          long[] lat = stats.ackLatencyNanos.sorted();
          System.out.printf(Locale.ROOT, "  round %d %-5s %,9.0f req/s  p50 %.2f ms  p99 %.2f ms   cpu %s%n", r, stats.key,
              stats.requestsPerSecond(), RunStats.percentileMs(lat, 50), RunStats.percentileMs(lat, 99), stats.cpu);
        }
      }

      // Every access-log entry the "spark" app produced must be in the database (or counted as refused).
      long produced = 0;
      long refused = 0;
      long internal = 0;
      for (SparkWeb web : WEBS) {
        web.flush();
        produced += web.accessLogs();
        refused += web.refused();
        internal += web.internalErrors();
      }
      Bench.await(client.storeAccess(new AccessLogEntry("GET", "/bench-barrier", 200, 0L, null, null, null, null, null, null, null)), 60);
      long fullRequests = warmupFull + full.runs.stream().mapToLong(s -> s.requestsOk).sum();
      long rows = SparkServer.count(spark.db, "SELECT count(*) FROM access_logs WHERE path = '/hello'");
      for (Variant v : variants) Bench.await(v.http.close(), 10);
      spark.stop();

      report(plain, full, idsOnly, produced, rows, refused, internal, fullRequests, problems);
    } finally {
      Bench.await(clients.close(), 30);
      Bench.await(server.close(), 30);
      Bench.deleteTree(dir);
    }
    return problems.isEmpty() ? 0 : 2;
  }

  /** {@code --connections} requests in flight for {@code seconds}; every answer must be a 200 "Hello, World!". */
  private RunStats drive(Vertx clients, HttpClientAgent http, double seconds, RunStats stats) {
    Context ctx = clients.getOrCreateContext();
    return Bench.await(ClosedLoop.run(ctx, seconds, connections, 0, seq -> http.request(HttpMethod.GET, "/hello")
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(body -> resp.statusCode() == 200 && body.length() == 13
            ? ClosedLoop.Outcome.ok(NO_IDS)
            : ClosedLoop.Outcome.failed(resp.statusCode(), body.toString()))), stats), (long) seconds + 60);
  }

  private void header(Path dir) {
    Runtime rt = Runtime.getRuntime();
    System.out.println("Spark integration overhead benchmark");
    System.out.printf(Locale.ROOT, "  machine : %d CPUs (availableProcessors), %s %s, max heap %d MB%n",
        rt.availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"), rt.maxMemory() >> 20);
    System.out.printf(Locale.ROOT, "  JVM     : %s %s%n", System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"));
    System.out.printf(Locale.ROOT, "  options : seconds=%s rounds=%d warmup-seconds=%s connections=%d instances=%d access-batch=%d store=%s%n",
        seconds, rounds, warmupSeconds, connections, instances, accessBatch, store);
    System.out.println("  data dir: " + dir);
    System.out.println();
  }

  private void report(Variant plain, Variant full, Variant idsOnly, long produced, long rows, long refused, long internal,
      long fullRequests, List<String> problems) {
    Totals p = Totals.of(plain.runs);
    Totals f = Totals.of(full.runs);
    Totals n = Totals.of(idsOnly.runs);
    double ratio = f.rate() / p.rate();
    double p99Diff = f.p99() - p.p99();
    System.out.println();
    System.out.println("Hello world, GET /hello, " + connections + " connections (closed loop), all measured rounds together");
    String line = "-".repeat(110);
    System.out.println(line);
    System.out.printf(Locale.ROOT, "%-5s %-36s %12s %9s %7s %8s %8s %8s %8s %6s%n", "", "app", "requests", "req/s", "vs plain",
        "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "errors");
    System.out.println(line);
    p.print(plain, p);
    f.print(full, p);
    n.print(idsOnly, p);
    System.out.println(line);
    System.out.printf(Locale.ROOT, "spark vs plain: throughput %.1f%%, p99 %+.2f ms, p50 %+.2f ms; per round: %s%n",
        100 * ratio, p99Diff, f.p50() - p.p50(), perRound(plain.runs, full.runs));
    System.out.printf(Locale.ROOT, "noacc vs plain: throughput %.1f%%, p99 %+.2f ms, p50 %+.2f ms; per round: %s%n",
        100 * n.rate() / p.rate(), n.p99() - p.p99(), n.p50() - p.p50(), perRound(plain.runs, idsOnly.runs));
    System.out.println();
    System.out.println("CPU (cores busy on average) by thread group, per run:");
    for (Variant v : List.of(plain, full, idsOnly)) {
      for (RunStats r : v.runs) System.out.printf(Locale.ROOT, "  %-5s %-8s %s%n", v.key, r.title, r.cpu);
    }
    System.out.println();
    System.out.println("Targets (spark vs plain)");
    target("throughput >= 90% of the plain app", String.format(Locale.ROOT, "%.1f%%", 100 * ratio), ratio >= 0.90);
    target("p99 latency within +1 ms of the plain app", String.format(Locale.ROOT, "%+.2f ms", p99Diff), p99Diff <= 1.0);
    System.out.println();
    System.out.printf(Locale.ROOT, "Data check: the spark app answered %,d requests (warm-up included), produced %,d access-log entries; "
        + "%,d rows for /hello are in the database file, %,d refused, %,d internal errors%n", fullRequests, produced, rows, refused, internal);
    if (produced != fullRequests) problems.add("access-log entries produced (" + produced + ") != requests answered (" + fullRequests + ")");
    if (!store) {
      if (rows != 0) problems.add(rows + " rows stored although Spark ran with enabled: false");
      rows = produced - refused; // nothing to look up; the check below is about refusals only
    }
    if (rows + refused != produced) problems.add("rows in the database (" + rows + ") + refused (" + refused + ") != entries produced (" + produced + ")");
    if (internal > 0) problems.add(internal + " internal errors in SparkWeb");
    if (p.failures > 0 || f.failures > 0 || n.failures > 0) {
      problems.add("requests failed: plain " + p.failures + ", spark " + f.failures + ", noacc " + n.failures);
    }
    if (problems.isEmpty()) {
      System.out.println("  every access-log entry is in the database");
    } else {
      System.out.println("!!! THE BENCHMARK FOUND PROBLEMS:");
      for (String problem : problems) System.out.println("!!!   " + problem);
    }
  }

  private static String perRound(List<RunStats> plain, List<RunStats> withSpark) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < plain.size(); i++) {
      if (i > 0) out.append(", ");
      out.append(String.format(Locale.ROOT, "%.1f%%", 100 * withSpark.get(i).requestsPerSecond() / plain.get(i).requestsPerSecond()));
    }
    return out.toString();
  }

  private static void target(String what, String measured, boolean met) {
    System.out.printf(Locale.ROOT, "  %-44s %-12s %s%n", what, measured, met ? "MET" : "MISSED");
  }

  /** Several runs of one app taken together: requests over their summed time, latencies pooled. */
  private record Totals(long requests, double seconds, long[] sorted, long failures) {
    static Totals of(List<RunStats> runs) {
      RunStats.LongList all = new RunStats.LongList();
      long requests = 0;
      long failures = 0;
      double secs = 0;
      for (RunStats r : runs) {
        requests += r.requestsOk;
        failures += r.otherFailures;
        secs += r.seconds();
        for (long v : r.ackLatencyNanos.sorted()) all.add(v);
      }
      return new Totals(requests, secs, all.sorted(), failures);
    }

    double rate() {
      return requests / seconds;
    }

    double p50() {
      return RunStats.percentileMs(sorted, 50);
    }

    double p99() {
      return RunStats.percentileMs(sorted, 99);
    }

    void print(Variant v, Totals plain) {
      System.out.printf(Locale.ROOT, "%-5s %-36s %,12d %,9.0f %6.1f%% %8.2f %8.2f %8.2f %8.2f %,6d%n", v.key, v.title, requests, rate(),
          100 * rate() / plain.rate(), p50(), RunStats.percentileMs(sorted, 90), p99(), RunStats.percentileMs(sorted, 99.9), failures);
    }
  }
}
