package dev.spark.bench;

import dev.spark.bench.IntegrationVariant.Workload;
import dev.spark.client.SparkClient;
import dev.spark.client.SparkWeb;
import dev.spark.client.SparkWebOptions;
import dev.spark.event.AccessLogEntry;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What the Vert.x Web integration costs an app, against what users would use instead (not a test:
 * run it with {@code bin/bench-integration}, see BENCHMARKS.md, "Integration overhead").
 *
 * <p>One JVM. The server Vert.x runs Spark ({@code SparkVerticle}, on a temp SQLite file) and six
 * apps, {@code --instances} verticle instances each. Hello world ({@link HelloApp}, {@code GET
 * /hello}): "plain"; "logger", Vert.x Web's LoggerHandler writing an access line per request through
 * java.util.logging to a file ({@link AccessLogFile}); "spark", SparkWeb.install (request ids, an
 * access-log row per request committed by the Spark in the same process, error reporting); "noacc",
 * SparkWeb with access logs off. A realistic app ({@link QuoteApp}, JSON in and out and SQLite reads
 * by primary key on a worker): "real-plain" and "real-spark". A second Vert.x with 2 event loops
 * drives them with {@link ClosedLoop}. The apps are measured in rounds in the same run, the order
 * rotating every round, after a warm-up of each; {@link IntegrationReport} prints the figures and
 * checks every access line: in Spark's database, or in the log file.
 */
public final class IntegrationBenchmark {
  static final List<String> APPS = List.of("plain", "logger", "spark", "noacc", "real-plain", "real-spark");

  double seconds = 3;
  int rounds = 4;
  double warmupSeconds = 8;
  int connections = 32;
  int instances = 2;
  int accessBatch = 256;
  long accessFlushMs;
  boolean captureInput = true;
  /** The apps to run (all when null). */
  Set<String> only;
  int quoteItems = 6;
  int quotePool = 8;
  boolean verbose;
  boolean store = true;
  /** ingest.instances of the Spark under test; 0: Spark's default. */
  int ingestInstances;
  /** The realistic app's work alone, CPU µs per order (see {@link QuoteLoad#appWorkMicros}). */
  double appWorkMicros;
  private Path parent = Path.of(System.getProperty("java.io.tmpdir"));

  public static void main(String[] args) throws Exception {
    // Before any Vert.x or Netty class logs: Vert.x logs straight to java.util.logging, as it does with
    // Spark's runtime class path (the test class path also holds SLF4J with two providers).
    if (System.getProperty("vertx.logger-delegate-factory-class-name") == null) {
      System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.JULLogDelegateFactory");
    }
    if (System.getProperty("slf4j.provider") == null) System.setProperty("slf4j.provider", "org.slf4j.jul.JULServiceProvider");
    IntegrationBenchmark b = new IntegrationBenchmark();
    b.accessBatch = new SparkWebOptions().getAccessBatchSize();
    b.accessFlushMs = new SparkWebOptions().getAccessFlushMs();
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
        case "capture-input" -> captureInput = Boolean.parseBoolean(value);
        case "access-flush-ms" -> accessFlushMs = Long.parseLong(value);
        case "only" -> only = Set.of(value.split(","));
        case "quote-items" -> quoteItems = Integer.parseInt(value);
        case "quote-pool" -> quotePool = Integer.parseInt(value);
        case "store" -> store = Boolean.parseBoolean(value);
        case "ingest-instances" -> ingestInstances = SparkServer.ingestInstancesOption(value);
        case "dir" -> parent = Path.of(value);
        default -> throw new IllegalArgumentException("Unknown option " + arg + "\n" + usage());
      }
    }
    if (only != null && !APPS.containsAll(only)) throw new IllegalArgumentException("--only takes some of " + String.join(",", APPS));
    if (quoteItems < 1 || quoteItems > QuoteApp.MAX_ITEMS) throw new IllegalArgumentException("--quote-items must be 1.." + QuoteApp.MAX_ITEMS);
  }

  private static String usage() {
    return """
        Usage: bin/bench-integration [options]
        Apps: plain, logger (Vert.x Web LoggerHandler to a file), spark (SparkWeb), noacc (SparkWeb, no
        access logs): GET /hello; real-plain, real-spark: POST /quote (JSON order in, SQLite reads, JSON out).
          --seconds=3          length of each measured run
          --rounds=4           measured rounds; each runs every app, the order rotating
          --warmup-seconds=8   warm-up of each app before measuring (in two halves)
          --connections=32     keep-alive connections, one request in flight on each
          --instances=2        verticle instances (event loops) of each app
          --access-batch=256   SparkWebOptions.accessBatchSize (1: one event-bus message per request)
          --access-flush-ms=20 SparkWebOptions.accessFlushMs (a batch not full is sent after this long)
          --capture-input=true SparkWebOptions.captureInput (false: access logs carry no query or JSON body)
          --quote-items=6      items per order in the realistic app (one primary-key read each)
          --quote-pool=8       SQLite connections of the realistic app (used on Vert.x worker threads)
          --store=true         false: Spark runs with "enabled": false (validates and answers, stores nothing)
          --ingest-instances=N ingest.instances of the Spark under test (default: Spark's own default)
          --only=KEY,...       only these apps (e.g. real-spark, to profile it alone); targets need their apps
          --dir=PATH --verbose --quick (2 s runs, 2 rounds, 2 s warm-up)""";
  }

  private int run() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(parent), "spark-bench-integration-");
    Vertx server = Vertx.vertx();
    Vertx clients = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    Set<Long> clientThreads = ConcurrentHashMap.newKeySet();
    List<String> problems = new ArrayList<>();
    try (QuoteCatalog catalog = QuoteCatalog.create(dir.resolve("app.db"), quotePool)) {
      header(dir);
      for (int i = 0; i < 8; i++) {
        Promise<Void> p = Promise.promise();
        clients.getOrCreateContext().runOnContext(v -> {
          clientThreads.add(Thread.currentThread().getId());
          p.complete();
        });
        Bench.await(p.future(), 10);
      }
      SparkServer spark = SparkServer.start(server, dir.resolve("spark.db"), "NORMAL", SparkServer.ingestConfig(ingestInstances).put("enabled", store));
      SparkClient client = SparkClient.create(server);
      AccessLogFile accessLog = new AccessLogFile(dir.resolve("access.log"));
      QuoteLoad quotes = new QuoteLoad(catalog, quoteItems);
      SparkWebOptions withSpark = new SparkWebOptions().setAccessBatchSize(accessBatch).setAccessFlushMs(accessFlushMs)
          .setCaptureInput(captureInput);
      List<IntegrationVariant> variants = Stream.of(
          new IntegrationVariant("plain", "plain Vert.x Web", Workload.HELLO, null, false),
          new IntegrationVariant("logger", "Vert.x Web LoggerHandler, JUL file", Workload.HELLO, null, true),
          new IntegrationVariant("spark", "SparkWeb, Spark in-process", Workload.HELLO, withSpark, false),
          new IntegrationVariant("noacc", "SparkWeb without access logs", Workload.HELLO, new SparkWebOptions().setAccessLog(false), false),
          new IntegrationVariant("real-plain", "JSON + SQLite app", Workload.QUOTE, null, false),
          new IntegrationVariant("real-spark", "JSON + SQLite app, SparkWeb", Workload.QUOTE, withSpark, false))
          .filter(v -> only == null || only.contains(v.key)).toList();
      for (IntegrationVariant v : variants) {
        SparkClient c = v.options == null ? null : client;
        Supplier<VerticleBase> app = v.workload == Workload.HELLO
            ? () -> new HelloApp(v.port, c, v.options, v.webs, v.accessLogger)
            : () -> new QuoteApp(v.port, catalog, c, v.options, v.webs);
        Bench.await(server.deployVerticle(app, new DeploymentOptions().setInstances(instances)), 30);
        v.http = Bench.httpClient(clients, v.port, connections);
      }
      appWorkMicros = quotes.appWorkMicros(catalog, 20_000);
      System.out.printf(Locale.ROOT, "realistic app: %d items per order, %.0f bytes in, %.0f bytes out on average, %d orders cycled;"
          + " its work alone (parse, validate, %d reads, render; no HTTP) %.1f µs of CPU per order on one thread%n",
          quoteItems, quotes.requestBytes, quotes.answerBytes, QuoteLoad.ORDERS, quoteItems, appWorkMicros);

      System.out.printf(Locale.ROOT, "warm-up: %.0f s per app ...%n", warmupSeconds);
      for (int i = 0; i < 2; i++) {
        for (IntegrationVariant v : variants) v.warmupRequests += drive(clients, v, quotes, warmupSeconds / 2, new RunStats("w", "", "req")).requestsOk;
      }

      for (int r = 1; r <= rounds; r++) {
        // rotate the order every round, so drift in the machine's load hits every app alike
        for (int k = 0; k < variants.size(); k++) {
          IntegrationVariant v = variants.get((k + r - 1) % variants.size());
          RunStats stats = new RunStats(v.key, "round " + r, "req");
          CpuSampler cpu = new CpuSampler(clientThreads);
          JsonObject storageBefore = spark.storageStats();
          long[] jvmBefore = JvmThreadsCpu.now();
          cpu.start();
          drive(clients, v, quotes, seconds, stats);
          stats.cpu = cpu.stop();
          long[] jvmAfter = JvmThreadsCpu.now();
          cpu.groupNanos.put("GC", jvmAfter[0] - jvmBefore[0]);
          cpu.groupNanos.put("JIT", jvmAfter[1] - jvmBefore[1]);
          JsonObject storageAfter = spark.storageStats();
          v.commits += storageAfter.getLong("commits") - storageBefore.getLong("commits");
          v.committedRows += storageAfter.getLong("committedRows") - storageBefore.getLong("committedRows");
          v.runs.add(stats);
          v.cpu.add(cpu.groupNanos);
          long[] lat = stats.ackLatencyNanos.sorted();
          System.out.printf(Locale.ROOT, "  round %d %-10s %,9.0f req/s  p50 %.2f ms  p99 %.2f ms   cpu %s%n", r, stats.key,
              stats.requestsPerSecond(), RunStats.percentileMs(lat, 50), RunStats.percentileMs(lat, 99), stats.cpu);
        }
      }

      // Every access-log entry the SparkWeb apps produced must be in the database (or counted as refused).
      for (IntegrationVariant v : variants) for (SparkWeb web : v.webs) web.flush();
      Bench.await(client.storeAccess(new AccessLogEntry("GET", "/bench-barrier", 200, 0L, null, null, null, null, null, null, null)), 60);
      long helloRows = SparkServer.count(spark.db, "SELECT count(*) FROM access_logs WHERE path = '/hello'");
      long quoteRows = SparkServer.count(spark.db, "SELECT count(*) FROM access_logs WHERE path = '/quote'");
      for (IntegrationVariant v : variants) Bench.await(v.http.close(), 10);
      spark.stop();
      long[] logLines = accessLog.closeAndCount();
      if (verbose) accessLog.head(2).forEach(line -> System.out.println("  access.log: " + line));

      new IntegrationReport(this, variants, problems).print(helloRows, quoteRows, logLines);
    } finally {
      Bench.await(clients.close(), 30);
      Bench.await(server.close(), 30);
      Bench.deleteTree(dir);
    }
    return problems.isEmpty() ? 0 : 2;
  }

  /** {@code --connections} requests in flight for {@code seconds}; every answer is checked (see the apps' loads). */
  private RunStats drive(Vertx clients, IntegrationVariant v, QuoteLoad quotes, double seconds, RunStats stats) {
    Context ctx = clients.getOrCreateContext();
    return Bench.await(ClosedLoop.run(ctx, seconds, connections, 0,
        seq -> v.workload == Workload.HELLO ? HelloApp.get(v.http) : quotes.post(v.http, seq), stats), (long) seconds + 60);
  }

  private void header(Path dir) {
    Runtime rt = Runtime.getRuntime();
    System.out.println("Spark integration overhead benchmark");
    System.out.printf(Locale.ROOT, "  machine : %d CPUs (availableProcessors), %s %s, max heap %d MB%n",
        rt.availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"), rt.maxMemory() >> 20);
    System.out.printf(Locale.ROOT, "  JVM     : %s %s%n", System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"));
    System.out.printf(Locale.ROOT, "  options : seconds=%s rounds=%d warmup-seconds=%s connections=%d instances=%d access-batch=%d"
        + " access-flush-ms=%d capture-input=%s quote-items=%d quote-pool=%d store=%s ingest-instances=%s%s%n", seconds, rounds, warmupSeconds, connections, instances,
        accessBatch, accessFlushMs, captureInput, quoteItems, quotePool, store, SparkServer.ingestOption(ingestInstances), only == null ? "" : " only=" + String.join(",", only));
    System.out.println("  data dir: " + dir);
    System.out.println();
  }
}
