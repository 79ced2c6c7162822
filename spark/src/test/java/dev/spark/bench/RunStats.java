package dev.spark.bench;

import io.vertx.core.json.JsonArray;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one run measured. Written by one thread at a time (the driving context), read by the main
 * thread after the run's future completed.
 */
public final class RunStats {
  final String key;
  final String title;
  final String unit; // "rows" or "req"
  public long requestsOk;
  public long rowsOk;
  public long rejectedRequests; // 503
  long rejectedRows;
  public long otherFailures;
  public final Map<String, Integer> failureSamples = new TreeMap<>();
  long ignoredRows;
  public final BitSet ackedIds = new BitSet();
  public long duplicateIds;
  public final LongList ackLatencyNanos = new LongList();
  public long startNanos;
  public long endNanos;
  /**
   * The sequence number of this run's first request, and the one after its last: a run after a lead-in
   * starts where the lead-in stopped, so no body (request id, event id, fingerprint) is sent twice.
   */
  long firstSeq;
  long nextSeq;
  /** The same load's lead-in on the same server before this window (see {@link #absorbLeadIn}); null without one. */
  RunStats leadIn;
  /** Filled in after the run by reading the database file directly. */
  Verification verification;
  String note = "";
  /** CPU use by thread group during the run (see {@link CpuSampler}). */
  String cpu = "";
  /** CPU nanoseconds per thread group during the run (see {@link CpuSampler#groupNanos}). */
  Map<String, Long> cpuNanos = Map.of();
  long writerCpuNanos;
  long serverCpuNanos;
  /** Heap bytes allocated by the server side's threads during the run (see {@link CpuSampler#serverAllocatedBytes}). */
  long serverAllocatedBytes;
  /** What the storage probe saw during the run (see {@link StorageProbe}). */
  String storage = "";
  /** Cores other processes on the machine used during the run (-1: unknown). */
  double otherCores = -1;

  public RunStats(String key, String title, String unit) {
    this.key = key;
    this.title = title;
    this.unit = unit;
  }

  public double seconds() {
    return (endNanos - startNanos) / 1e9;
  }

  public double rowsPerSecond() {
    return rowsOk / seconds();
  }

  public double requestsPerSecond() {
    return requestsOk / seconds();
  }

  /** The headline rate: rows/s, or requests/s for one-row-per-request workloads. */
  public double rate() {
    return unit.equals("req") ? requestsPerSecond() : rowsPerSecond();
  }

  public void ack(JsonArray ids, int expectedRows, long latencyNanos) {
    requestsOk++;
    countInWindow(System.nanoTime(), ids.size());
    ackLatencyNanos.add(latencyNanos);
    int stored = 0;
    for (int i = 0; i < ids.size(); i++) {
      Object id = ids.getValue(i);
      if (id == null) {
        ignoredRows++;
        continue;
      }
      stored++;
      addId(((Number) id).longValue());
    }
    rowsOk += stored;
    if (ids.size() != expectedRows) failure("answer had " + ids.size() + " ids for " + expectedRows + " rows");
  }

  /** Rows acknowledged in each whole second of the run (from {@link #startNanos}): a rate that swings within a run shows here. */
  private long[] perSecond = new long[16];

  void countInWindow(long nowNanos, int rows) {
    long second = (nowNanos - startNanos) / 1_000_000_000L;
    if (startNanos == 0 || second < 0 || second >= 86_400) return; // not started (a caller that keeps no start), or absurd
    if (second >= perSecond.length) perSecond = Arrays.copyOf(perSecond, (int) Math.max(second + 1, perSecond.length * 2L));
    perSecond[(int) second] += rows;
  }

  /** "min / median / max rows per second over the run's N whole seconds", or "" for a run shorter than 2 s. */
  String windows() {
    int whole = (int) Math.min(perSecond.length, (endNanos - startNanos) / 1_000_000_000L);
    if (whole < 2) return "";
    long[] w = Arrays.copyOf(perSecond, whole);
    long[] sorted = w.clone();
    Arrays.sort(sorted);
    StringBuilder each = new StringBuilder();
    for (long n : w) each.append(each.length() == 0 ? "" : " ").append(n);
    return String.format(java.util.Locale.ROOT, "min %,d / median %,d / max %,d over %d whole seconds (%s)",
        sorted[0], sorted[whole / 2], sorted[whole - 1], whole, each);
  }

  public void addId(long id) {
    if (id > Integer.MAX_VALUE || id < 0) throw new IllegalStateException("id out of BitSet range: " + id);
    int i = (int) id;
    if (ackedIds.get(i)) duplicateIds++;
    else ackedIds.set(i);
  }

  /**
   * Takes the lead-in's acknowledged ids into this run's data check (they are in the same file), and
   * its failures into this run's problems; its rate, CPU and bytes stay out of this run's figures.
   */
  void absorbLeadIn(RunStats lead) {
    leadIn = lead;
    BitSet both = (BitSet) ackedIds.clone();
    both.and(lead.ackedIds);
    duplicateIds += both.cardinality() + lead.duplicateIds;
    ackedIds.or(lead.ackedIds);
    otherFailures += lead.otherFailures;
    lead.failureSamples.forEach((k, v) -> failureSamples.merge("lead-in: " + k, v, Integer::sum));
  }

  public void rejected(int rows) {
    rejectedRequests++;
    rejectedRows += rows;
  }

  public void failure(String what) {
    otherFailures++;
    String sample = what.length() > 120 ? what.substring(0, 120) : what;
    failureSamples.merge(sample, 1, Integer::sum);
  }

  public static double percentileMs(long[] sortedNanos, double p) {
    if (sortedNanos.length == 0) return Double.NaN;
    int idx = (int) Math.ceil(p / 100.0 * sortedNanos.length) - 1;
    idx = Math.max(0, Math.min(sortedNanos.length - 1, idx));
    return sortedNanos[idx] / 1e6;
  }

  /** Verification of the acknowledged ids against the ids actually in the table. */
  record Verification(String table, long rowsInTable, long ackedIds, long ackedMissing, long unackedPresent, String error) {
    boolean lost() {
      return error != null || ackedMissing > 0;
    }
  }

  /** A growable array of longs (latencies). */
  public static final class LongList {
    private long[] values = new long[1024];
    private int size;

    public void add(long v) {
      if (size == values.length) values = Arrays.copyOf(values, size * 2);
      values[size++] = v;
    }

    public int size() {
      return size;
    }

    public long get(int i) {
      if (i >= size) throw new IndexOutOfBoundsException(i);
      return values[i];
    }

    public void clear() {
      size = 0;
    }

    public long[] sorted() {
      long[] out = Arrays.copyOf(values, size);
      Arrays.sort(out);
      return out;
    }
  }
}
