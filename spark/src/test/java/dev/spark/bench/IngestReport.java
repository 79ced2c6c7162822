package dev.spark.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@link IngestBenchmark} prints: the header (machine, JVM, options, how busy the machine was)
 * and, after the runs, the tables: rates, CPU by thread group, CPU and bytes per row, per-second
 * windows, storage samples, (e)'s latencies, the ratios of pairs run side by side, the targets and
 * the data check.
 */
final class IngestReport {
  private final BenchOptions o;
  private final Path dir;
  private final List<RunStats> results;
  private final List<String> problems;

  IngestReport(BenchOptions o, Path dir, List<RunStats> results, List<String> problems) {
    this.o = o;
    this.dir = dir;
    this.results = results;
    this.problems = problems;
  }

  void header() {
    Runtime rt = Runtime.getRuntime();
    System.out.println("Spark ingest benchmark");
    System.out.printf(Locale.ROOT, "  machine : %d CPUs (availableProcessors), %s %s, max heap %d MB%n",
        rt.availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"), rt.maxMemory() >> 20);
    System.out.printf(Locale.ROOT, "  JVM     : %s %s (%s)%n", System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"), System.getProperty("java.vm.vendor"));
    System.out.printf(Locale.ROOT, "  options : seconds=%s ref-seconds=%s warmup-seconds=%s latency=%d/s for %s s, tx-rows=%d batch=%d "
            + "eb-inflight=%d http-batch-connections=%d event-connections=%d latency-connections=%d synchronous=%s request-ids=%s ingest-instances=%s%n",
        fmt(o.seconds), fmt(o.refSeconds), fmt(o.warmupSeconds), o.latencyRate, fmt(o.latencySeconds), o.txRows, o.batch,
        o.ebInFlight, o.httpBatchConnections, o.eventConnections, o.latencyConnections, o.synchronous,
        o.cycledIds ? "cycled" : "unique", SparkServer.ingestOption(o.ingestInstances));
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

  void report(LatencyRun.Result latency) {
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
    if (all.stream().anyMatch(r -> r.leadIn != null)) {
      System.out.println();
      System.out.println("Lead-in: the same load on the same server just before each measured window, not counted in any figure but the data check:");
      for (RunStats r : all) {
        if (r.leadIn != null) System.out.printf(Locale.ROOT, "  %-5s %,.0f %s/s over %.1f s%n", r.key, r.leadIn.rate(), r.leadIn.unit, r.leadIn.seconds());
      }
    }
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
      StringBuilder bySecond = new StringBuilder();
      for (double p : latency.p99BySecond()) bySecond.append(bySecond.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", p));
      System.out.printf(Locale.ROOT, "  p99 of the events sent in each whole second, ms: %s%n", bySecond);
      System.out.printf(Locale.ROOT, "  events marked consumed in the DB%s: %,d; acknowledged but never delivered: %,d%n",
          latency.stats().leadIn == null ? "" : " (the lead-in's too)", latency.consumedInDb(), latency.ackedNotDelivered());
    }

    ratios();
    ceiling();
    busCeiling();

    System.out.println();
    System.out.println("Targets");
    targets(a, latency);

    System.out.println();
    System.out.println("Data check: every acknowledged id looked up in the database file after Spark was stopped (plain sqlite-jdbc)");
    if (find("h") != null || find("hr") != null || find("hb") != null) {
      System.out.println("  (h, hr, hb store nothing: there the ids the bare server answered are checked against the ids the client counted)");
    }
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
    List<String> noisy = all.stream().filter(r -> r.otherCores > WorkloadRunner.NOISY)
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

  /** Issue 14's targets (ratios to (a) measured in this run, and the latency at 1,000/s), then the earlier ones. */
  private void targets(RunStats a, LatencyRun.Result latency) {
    double[] e = latency == null ? null : new double[] {
        RunStats.percentileMs(latency.sortedLatencies(), 50), RunStats.percentileMs(latency.sortedLatencies(), 99)};
    for (RunStats r : results) {
      switch (r.key) {
        case "b1" -> shareOfA(r, a, "event bus, 1 row/message", 65);
        case "b100" -> shareOfA(r, a, "event bus, 100 rows/message", 90);
        case "c" -> shareOfA(r, a, "HTTP batches", 60);
        case "d" -> target("(d) HTTP single events >= 35,000/s", String.format(Locale.ROOT, "%,.0f req/s", r.requestsPerSecond()),
            r.requestsPerSecond() >= 35_000);
        default -> { }
      }
    }
    if (e != null) {
      target("(e) SSE delivery p50 <= 1 ms", String.format(Locale.ROOT, "%.2f ms", e[0]), e[0] <= 1);
      target("(e) SSE delivery p99 <= 5 ms", String.format(Locale.ROOT, "%.2f ms", e[1]), e[1] <= 5);
    }
    System.out.println("Earlier targets");
    for (RunStats r : results) {
      switch (r.key) {
        case "c" -> target("(c) HTTP batches >= 100,000 rows/s", String.format(Locale.ROOT, "%,.0f rows/s", r.rowsPerSecond()),
            r.rowsPerSecond() >= 100_000);
        case "d" -> target("(d) HTTP single events >= 10,000 req/s", String.format(Locale.ROOT, "%,.0f req/s", r.requestsPerSecond()),
            r.requestsPerSecond() >= 10_000);
        default -> { }
      }
    }
    if (e != null) {
      target("(e) SSE delivery p50 <= 5 ms", String.format(Locale.ROOT, "%.2f ms", e[0]), e[0] <= 5);
      target("(e) SSE delivery p99 <= 25 ms", String.format(Locale.ROOT, "%.2f ms", e[1]), e[1] <= 25);
    }
  }

  private static void shareOfA(RunStats r, RunStats a, String what, int percent) {
    if (a == null) return;
    double share = 100 * r.rowsPerSecond() / a.rowsPerSecond();
    target("(" + r.key + ") " + what + " >= " + percent + "% of (a)", String.format(Locale.ROOT, "%.1f%% of (a)", share), share >= percent);
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

  /** Issue 14's goal for (d), events/s; printed against the HTTP ceiling of the same run. */
  private static final double D_GOAL = 35_000;
  private static final String[][] GROUPS = {{"server event loops", "loops"}, {"sqlite writer", "writer"},
      {"vert.x workers", "workers"}, {"other threads", "other"}, {"GC+JIT+other JVM", "GC+JIT"}, {"client event loops", "client"}};

  /**
   * (d) against the bare HTTP servers (h, hr) of the same run: the share of the HTTP ceiling Spark
   * keeps, and the CPU per request of each thread group, so what Spark adds shows apart from HTTP.
   */
  private void ceiling() {
    RunStats d = find("d");
    List<RunStats> rows = new ArrayList<>();
    for (String key : new String[] {"h", "hr"}) if (find(key) != null) rows.add(find(key));
    if (rows.isEmpty()) return;
    System.out.println();
    System.out.println("HTTP ceiling (h, hr: bare Vert.x, same Vert.x, instances, client, connections and bodies as (d); stores nothing)");
    for (RunStats bare : rows) {
      if (d != null) {
        System.out.printf(Locale.ROOT, "  (d)/(%s) Spark keeps %5.1f %% of the bare server's rate: %,.0f vs %,.0f events/s%n", bare.key,
            100 * d.requestsPerSecond() / bare.requestsPerSecond(), d.requestsPerSecond(), bare.requestsPerSecond());
        // Both are CPU-bound on a shared machine: the inverse ratio of the whole JVM's CPU per request
        // depends less on how much the other processes took during each of the two runs.
        System.out.printf(Locale.ROOT, "        by the whole JVM's CPU per request (%s's / d's): %5.1f %%%n", bare.key,
            100 * perRequest(total(bare), bare) / perRequest(total(d), d));
      }
      System.out.printf(Locale.ROOT, "        issue 14's (d) goal, %,.0f events/s, is %.1f %% of (%s)%n", D_GOAL,
          100 * D_GOAL / bare.requestsPerSecond(), bare.key);
    }
    if (d != null) rows.add(d);
    StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "  %-27s", "CPU per request, us"));
    for (String[] g : GROUPS) head.append(String.format(Locale.ROOT, " %8s", g[1]));
    System.out.println(head.append(String.format(Locale.ROOT, " %8s %8s", "server", "all")));
    for (RunStats r : rows) cpuPerRequest(r.key, r, null);
    if (d != null && find("h") != null) cpuPerRequest("d - h", d, find("h"));
  }

  /**
   * (b1) against the bare bus consumer (hb) of the same run: (b1)'s load runs on the server's event
   * loops, so its server-side figures hold the load's own work; (b1) - (hb) is what Spark adds per row.
   */
  private void busCeiling() {
    RunStats b1 = find("b1");
    RunStats hb = find("hb");
    if (b1 == null || hb == null) return;
    System.out.println();
    System.out.println("Bus ceiling (hb: (b1)'s load, on the same event loops, against a bare consumer that answers as Spark does; stores nothing)");
    System.out.printf(Locale.ROOT, "  (b1)/(hb) Spark keeps %5.1f %% of the bare consumer's rate: %,.0f vs %,.0f rows/s%n",
        100 * b1.rowsPerSecond() / hb.rowsPerSecond(), b1.rowsPerSecond(), hb.rowsPerSecond());
    double b1Bytes = b1.serverAllocatedBytes / (double) Math.max(1, b1.rowsOk);
    double hbBytes = hb.serverAllocatedBytes / (double) Math.max(1, hb.rowsOk);
    System.out.printf(Locale.ROOT, "  per row, server side: (b1) %.1f us, %,.0f B; (hb) %.1f us, %,.0f B; Spark's own, (b1) - (hb): %.1f us, %,.0f B%n",
        perRow(b1.serverCpuNanos, b1), b1Bytes, perRow(hb.serverCpuNanos, hb), hbBytes,
        perRow(b1.serverCpuNanos, b1) - perRow(hb.serverCpuNanos, hb), b1Bytes - hbBytes);
  }

  /** One row of CPU per request by thread group; with {@code minus}, the difference against that run. */
  private static void cpuPerRequest(String label, RunStats r, RunStats minus) {
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-27s", label));
    for (String[] g : GROUPS) {
      double us = perRequest(r.cpuNanos.getOrDefault(g[0], 0L), r) - (minus == null ? 0 : perRequest(minus.cpuNanos.getOrDefault(g[0], 0L), minus));
      line.append(String.format(Locale.ROOT, " %8.1f", us));
    }
    double server = perRequest(r.serverCpuNanos, r) - (minus == null ? 0 : perRequest(minus.serverCpuNanos, minus));
    double total = perRequest(total(r), r) - (minus == null ? 0 : perRequest(total(minus), minus));
    System.out.println(line.append(String.format(Locale.ROOT, " %8.1f %8.1f", server, total)));
  }

  /** CPU nanoseconds of every thread group of the JVM during the run (the client's included). */
  private static long total(RunStats r) {
    long all = 0;
    for (long n : r.cpuNanos.values()) all += n;
    return all;
  }

  private static double perRequest(long nanos, RunStats r) {
    return nanos / 1_000.0 / Math.max(1, r.requestsOk);
  }

  private RunStats find(String key) {
    return results.stream().filter(r -> r.key.equals(key)).findFirst().orElse(null);
  }

  private static double perRow(long nanos, RunStats r) {
    return nanos / 1_000.0 / Math.max(1, r.rowsOk);
  }

  private static void target(String what, String measured, boolean met) {
    System.out.printf(Locale.ROOT, "  %-42s %-22s %s%n", what, measured, met ? "MET" : "MISSED");
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }
}
