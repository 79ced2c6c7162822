package dev.spark.bench;

import dev.spark.client.SparkWeb;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The integration benchmark's tables, targets and data checks, from its apps' measured rounds. */
final class IntegrationReport {
  private static final String[] SERVER_GROUPS = {"server event loops", "sqlite writer", "vert.x workers", "GC+JIT+other JVM", "other threads"};

  private final IntegrationBenchmark options;
  private final Map<String, IntegrationVariant> apps = new LinkedHashMap<>();
  private final List<String> problems;

  IntegrationReport(IntegrationBenchmark options, List<IntegrationVariant> variants, List<String> problems) {
    this.options = options;
    for (IntegrationVariant v : variants) apps.put(v.key, v);
    this.problems = problems;
  }

  /** Rows for /hello and /quote in Spark's file; {lines, GET /hello 200 lines} of the LoggerHandler's file. */
  void print(long helloRows, long quoteRows, long[] logLines) {
    if (has("plain")) {
      table("Hello world, GET /hello", "plain", "plain", "logger", "spark", "noacc");
      for (String key : List.of("logger", "spark", "noacc")) compare(key, "plain");
    }
    compare("spark", "logger");
    if (has("real-plain")) {
      table("Realistic app, POST /quote (" + options.quoteItems + " items: JSON in, " + options.quoteItems
          + " SQLite reads by primary key on a worker, JSON out)", "real-plain", "real-plain", "real-spark");
    }
    compare("real-spark", "real-plain");

    System.out.println();
    System.out.println("Server-side CPU per request (µs), measured rounds together, by thread group; client event loops apart");
    String line = "-".repeat(128);
    System.out.println(line);
    System.out.printf(Locale.ROOT, "%-11s %12s %13s %12s %21s %12s %12s %14s%n", "app", "event loops", "sqlite writer", "vx workers",
        "GC+JIT+JVM (GC/JIT)", "other thr.", "server", "client loops");
    System.out.println(line);
    for (IntegrationVariant v : apps.values()) {
      Map<String, Long> cpu = v.cpuTotals();
      double requests = Totals.of(v.runs).requests;
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-11s", v.key));
      for (String group : SERVER_GROUPS) {
        double micros = cpu.getOrDefault(group, 0L) / requests / 1e3;
        if (group.startsWith("GC")) {
          row.append(String.format(Locale.ROOT, " %7.1f (%4.1f / %4.1f)", micros, cpu.getOrDefault("GC", 0L) / requests / 1e3,
              cpu.getOrDefault("JIT", 0L) / requests / 1e3));
        } else {
          row.append(String.format(Locale.ROOT, group.equals("sqlite writer") ? " %13.1f" : " %12.1f", micros));
        }
      }
      row.append(String.format(Locale.ROOT, " %12.1f %14.1f", serverMicros(v), cpu.getOrDefault("client event loops", 0L) / requests / 1e3));
      System.out.println(row);
    }
    System.out.println(line);
    for (IntegrationVariant v : apps.values()) {
      if (v.options != null && v.options.isAccessLog() && v.commits > 0) System.out.printf(Locale.ROOT, "%s: Spark's writer committed %,d rows in %,d commits (%.1f rows per commit)%n",
          v.key, v.committedRows, v.commits, v.committedRows / (double) v.commits);
    }
    double real = has("real-plain") ? serverMicros(apps.get("real-plain")) : Double.NaN;
    System.out.printf(Locale.ROOT, "The realistic app: %.1f µs of server CPU per request, %.1f more than hello world's; its work alone"
        + " (no HTTP, one thread, before the warm-up) %.1f µs%n", real, has("plain") ? real - serverMicros(apps.get("plain")) : Double.NaN,
        options.appWorkMicros);
    System.out.println();
    System.out.println("CPU (cores busy on average) by thread group, per run:");
    for (IntegrationVariant v : apps.values()) {
      for (RunStats r : v.runs) System.out.printf(Locale.ROOT, "  %-10s %-8s %s%n", v.key, r.title, r.cpu);
    }

    System.out.println();
    System.out.println("Targets");
    if (has("plain", "logger", "spark")) {
      Totals plain = totals("plain");
      Totals logger = totals("logger");
      Totals spark = totals("spark");
      target("hello: spark/plain >= logger/plain", String.format(Locale.ROOT, "%.1f%% vs %.1f%%", 100 * spark.rate() / plain.rate(),
          100 * logger.rate() / plain.rate()), spark.rate() >= logger.rate());
    }
    if (has("real-plain", "real-spark")) {
      Totals realPlain = totals("real-plain");
      Totals realSpark = totals("real-spark");
      target("real: real-spark >= 95% of real-plain", String.format(Locale.ROOT, "%.1f%%", 100 * realSpark.rate() / realPlain.rate()),
          realSpark.rate() >= 0.95 * realPlain.rate());
      target("real: p99 within +0.5 ms of real-plain", String.format(Locale.ROOT, "%+.2f ms", realSpark.p99() - realPlain.p99()),
          realSpark.p99() - realPlain.p99() <= 0.5);
    }
    if (has("real-plain")) target("real: 100-200 µs of server CPU per request", String.format(Locale.ROOT, "%.1f µs", real), real >= 100 && real <= 200);
    if (has("plain", "spark")) {
      Totals plain = totals("plain");
      Totals spark = totals("spark");
      System.out.println("Earlier targets (hello world, spark vs plain)");
      target("throughput >= 90% of the plain app", String.format(Locale.ROOT, "%.1f%%", 100 * spark.rate() / plain.rate()), spark.rate() >= 0.9 * plain.rate());
      target("p99 latency within +1 ms of the plain app", String.format(Locale.ROOT, "%+.2f ms", spark.p99() - plain.p99()), spark.p99() - plain.p99() <= 1.0);
    }

    System.out.println();
    System.out.println("Data check");
    if (has("spark")) checkSpark(apps.get("spark"), helloRows, "/hello");
    if (has("real-spark")) checkSpark(apps.get("real-spark"), quoteRows, "/quote");
    long answered = has("logger") ? apps.get("logger").answered() : 0;
    if (has("logger")) {
      System.out.printf(Locale.ROOT, "  logger: answered %,d requests (warm-up included); the access log file has %,d lines, %,d of them"
          + " \"GET /hello HTTP/1.1\" 200%n", answered, logLines[0], logLines[1]);
    }
    if (logLines[0] != answered || logLines[1] != answered) {
      problems.add("access log file: " + logLines[0] + " lines, " + logLines[1] + " for GET /hello 200, but " + answered + " requests answered");
    }
    for (IntegrationVariant v : apps.values()) {
      long failures = Totals.of(v.runs).failures;
      if (failures > 0) problems.add(v.key + ": " + failures + " requests failed, e.g. " + v.runs.stream()
          .flatMap(r -> r.failureSamples.keySet().stream()).findFirst().orElse("?"));
    }
    if (problems.isEmpty()) {
      System.out.println(options.store
          ? "  every access line is stored: the SparkWeb apps' in the database, the logger app's in its file"
          : "  every access-log entry was accepted by Spark (store=false: none stored), the logger app's lines are in its file");
    } else {
      System.out.println("!!! THE BENCHMARK FOUND PROBLEMS:");
      for (String problem : problems) System.out.println("!!!   " + problem);
    }
  }

  /** Server-side CPU per measured request, µs. */
  private static double serverMicros(IntegrationVariant v) {
    Map<String, Long> cpu = v.cpuTotals();
    long nanos = 0;
    for (String group : SERVER_GROUPS) nanos += cpu.getOrDefault(group, 0L);
    return nanos / (double) Totals.of(v.runs).requests / 1e3;
  }

  private void checkSpark(IntegrationVariant v, long rows, String path) {
    long produced = 0;
    long refused = 0;
    long internal = 0;
    for (SparkWeb web : v.webs) {
      produced += web.accessLogs();
      refused += web.refused();
      internal += web.internalErrors();
    }
    long answered = v.answered();
    System.out.printf(Locale.ROOT, "  %s: answered %,d requests (warm-up included), produced %,d access-log entries; %,d rows for %s are in the "
        + "database file, %,d refused, %,d internal errors%n", v.key, answered, produced, rows, path, refused, internal);
    if (produced != answered) problems.add(v.key + ": access-log entries produced (" + produced + ") != requests answered (" + answered + ")");
    if (!options.store) {
      if (rows != 0) problems.add(v.key + ": " + rows + " rows stored although Spark ran with enabled: false");
      rows = produced - refused; // nothing to look up; the check below is about refusals only
    }
    if (rows + refused != produced) problems.add(v.key + ": rows in the database (" + rows + ") + refused (" + refused + ") != entries produced (" + produced + ")");
    if (internal > 0) problems.add(v.key + ": " + internal + " internal errors in SparkWeb");
  }

  private boolean has(String... keys) {
    for (String key : keys) if (!apps.containsKey(key)) return false;
    return true;
  }

  private Totals totals(String key) {
    return Totals.of(apps.get(key).runs);
  }

  private void table(String title, String baseKey, String... keys) {
    Totals baseline = totals(baseKey);
    System.out.println();
    System.out.println(title + ", " + options.connections + " connections (closed loop), all measured rounds together");
    String line = "-".repeat(116);
    System.out.println(line);
    System.out.printf(Locale.ROOT, "%-10s %-36s %12s %9s %8s %8s %8s %8s %8s %6s%n", "", "app", "requests", "req/s", "vs base",
        "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "errors");
    System.out.println(line);
    for (String key : keys) if (has(key)) totals(key).print(apps.get(key), baseline);
    System.out.println(line);
  }

  private void compare(String key, String baseKey) {
    if (!has(key, baseKey)) return;
    Totals t = Totals.of(apps.get(key).runs);
    Totals b = Totals.of(apps.get(baseKey).runs);
    StringBuilder perRound = new StringBuilder();
    List<RunStats> runs = apps.get(key).runs;
    List<RunStats> base = apps.get(baseKey).runs;
    for (int i = 0; i < base.size(); i++) {
      if (i > 0) perRound.append(", ");
      perRound.append(String.format(Locale.ROOT, "%.1f%%", 100 * runs.get(i).requestsPerSecond() / base.get(i).requestsPerSecond()));
    }
    System.out.printf(Locale.ROOT, "%s vs %s: throughput %.1f%%, p99 %+.2f ms, p50 %+.2f ms; per round: %s%n",
        key, baseKey, 100 * t.rate() / b.rate(), t.p99() - b.p99(), t.p50() - b.p50(), perRound);
  }

  private static void target(String what, String measured, boolean met) {
    System.out.printf(Locale.ROOT, "  %-46s %-18s %s%n", what, measured, met ? "MET" : "MISSED");
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

    void print(IntegrationVariant v, Totals base) {
      System.out.printf(Locale.ROOT, "%-10s %-36s %,12d %,9.0f %7.1f%% %8.2f %8.2f %8.2f %8.2f %,6d%n", v.key, v.title, requests, rate(),
          100 * rate() / base.rate(), p50(), RunStats.percentileMs(sorted, 90), p99(), RunStats.percentileMs(sorted, 99.9), failures);
    }
  }
}
