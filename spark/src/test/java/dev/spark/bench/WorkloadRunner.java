package dev.spark.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.Set;

/**
 * Runs one measured workload of {@link IngestBenchmark} at a time: waits for a quiet machine, gives
 * it a fresh database file (and a fresh Spark, or the bare HTTP server of {@link HttpCeiling}), samples CPU around it, checks every
 * acknowledged id afterwards and collects what went wrong.
 */
final class WorkloadRunner {
  /** Cores of other processes above which a workload counts as disturbed (and is run again). */
  static final double NOISY = 0.15;

  final BenchOptions o;
  final Path dir;
  final Vertx server;
  final Vertx clients;
  /** The load generator's event-loop threads, so CPU use can be split client / server. */
  final Set<Long> clientThreads;
  private final List<String> problems = new ArrayList<>();
  private int files;

  WorkloadRunner(BenchOptions o, Path dir, Vertx server, Vertx clients, Set<Long> clientThreads) {
    this.o = o;
    this.dir = dir;
    this.server = server;
    this.clients = clients;
    this.clientThreads = clientThreads;
  }

  interface Run {
    RunStats run() throws Exception;
  }

  /** A load on a Spark for {@code seconds}. */
  interface SparkWorkload {
    Future<RunStats> run(SparkServer spark, double seconds, RunStats stats);
  }

  /** A load on a bare server ({@link BareServer}) for {@code seconds}. */
  interface CeilingWorkload<S> {
    Future<RunStats> run(S bare, double seconds, RunStats stats);
  }

  List<String> problems() {
    return problems;
  }

  void problem(String what) {
    problems.add(what);
  }

  /** A fresh database file name in the run's directory. */
  Path nextDb(String key) {
    return dir.resolve(key + "-" + (++files) + ".db");
  }

  /**
   * Runs a workload; when other processes used more than {@link #NOISY} cores meanwhile, runs it
   * again (--retry-noisy times at most) and keeps the attempt they disturbed least. Every attempt's
   * data is checked.
   */
  RunStats attempts(Run run) throws Exception {
    RunStats best = run.run();
    for (int i = 0; i < o.retryNoisy && best.otherCores > NOISY; i++) {
      System.out.printf(Locale.ROOT, "      (other processes used %.2f cores during it: running it again)%n", best.otherCores);
      RunStats again = run.run();
      if (again.otherCores < best.otherCores) best = again;
    }
    return best;
  }

  /** (ref) and (a): plain sqlite-jdbc, {@code txRows} rows per transaction. */
  RunStats sqlite(String key, String title, int txRows, double seconds) throws Exception {
    System.out.printf(Locale.ROOT, "running %-5s %s for %.0f s ...%n", key, title, seconds);
    waitForQuiet();
    Path db = nextDb(key);
    CpuSampler cpu = new CpuSampler(clientThreads);
    RunStats stats = SqliteBaseline.run(new RunStats(key, title, "rows"), db, o.synchronous, txRows, o.leadInSeconds, seconds, cpu::start);
    stop(cpu, stats);
    stats.verification = SparkServer.verify(db, "access_logs", stats.ackedIds);
    checkVerification(stats);
    cleanupDb(db);
    settle();
    return stats;
  }

  /** A load against a fresh Spark; afterwards every acknowledged id is looked up in {@code table}. */
  RunStats spark(String key, String title, String unit, String table, SparkWorkload workload) {
    System.out.printf(Locale.ROOT, "running %-5s %s for %.0f s ...%n", key, title, o.seconds);
    waitForQuiet();
    Path db = nextDb(key);
    SparkServer spark = SparkServer.start(server, db, o.synchronous, SparkServer.ingestConfig(o.ingestInstances));
    RunStats stats = new RunStats(key, title, unit);
    try {
      RunStats leadIn = leadIn(stats, (s, lead) -> workload.run(spark, s, lead));
      JsonObject before = spark.storageStats();
      CpuSampler cpu = new CpuSampler(clientThreads);
      StorageProbe probe = new StorageProbe(server);
      cpu.start();
      probe.start();
      Bench.await(workload.run(spark, o.seconds, stats), (long) (o.seconds + 180));
      stop(cpu, stats);
      stats.storage = Bench.await(probe.stop(), 10);
      JsonObject after = spark.storageStats();
      long commits = after.getLong("commits") - before.getLong("commits");
      stats.note = String.format(Locale.ROOT, "%,d commits, %.0f rows/commit", commits,
          (after.getLong("committedRows") - before.getLong("committedRows")) / (double) Math.max(1, commits));
      if (leadIn != null) stats.absorbLeadIn(leadIn);
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

  /**
   * A load against a bare server ({@link HttpCeiling}, {@link BusCeiling}: no Spark, nothing stored);
   * afterwards the ids it answered are checked against the ids the client counted.
   */
  <S extends BareServer> RunStats ceiling(String key, String title, Supplier<S> start, CeilingWorkload<S> workload) {
    System.out.printf(Locale.ROOT, "running %-5s %s for %.0f s ...%n", key, title, o.seconds);
    waitForQuiet();
    S bare = start.get();
    RunStats stats = new RunStats(key, title, "req");
    try {
      RunStats leadIn = leadIn(stats, (s, lead) -> workload.run(bare, s, lead));
      CpuSampler cpu = new CpuSampler(clientThreads);
      cpu.start();
      Bench.await(workload.run(bare, o.seconds, stats), (long) (o.seconds + 180));
      stop(cpu, stats);
      if (leadIn != null) stats.absorbLeadIn(leadIn);
    } finally {
      bare.stop();
    }
    stats.note = bare.note();
    stats.verification = bare.verify(stats.ackedIds);
    checkVerification(stats);
    settle();
    return stats;
  }

  /**
   * The load for --lead-in-seconds on the server about to be measured, uncounted: a measured window
   * that does not start with a freshly started server (BENCHMARKS.md, "Session 14"). Null without one.
   */
  private RunStats leadIn(RunStats measured, BiFunction<Double, RunStats, Future<RunStats>> load) {
    if (o.leadInSeconds <= 0) return null;
    RunStats lead = new RunStats(measured.key, "lead-in", measured.unit);
    Bench.await(load.apply(o.leadInSeconds, lead), (long) (o.leadInSeconds + 180));
    measured.firstSeq = lead.nextSeq;
    return lead;
  }

  private static void stop(CpuSampler cpu, RunStats stats) {
    stats.cpu = cpu.stop();
    stats.otherCores = cpu.otherProcesses;
    stats.writerCpuNanos = cpu.writerNanos;
    stats.cpuNanos = cpu.groupNanos;
    stats.serverCpuNanos = cpu.serverNanos;
    stats.serverAllocatedBytes = cpu.serverAllocatedBytes;
  }

  void checkVerification(RunStats r) {
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

  void cleanupDb(Path db) {
    if (o.keep) return;
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      try {
        Files.deleteIfExists(db.resolveSibling(db.getFileName() + suffix));
      } catch (IOException e) {
        System.err.println("could not delete " + db + suffix + ": " + e.getMessage());
      }
    }
  }

  void waitForQuiet() {
    if (o.waitQuietSeconds > 0) CpuSampler.waitForQuiet(o.waitQuietSeconds);
  }

  static void settle() {
    System.gc();
    Bench.sleep(300);
  }
}
