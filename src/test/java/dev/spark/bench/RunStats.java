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
final class RunStats {
  final String key;
  final String title;
  final String unit; // "rows" or "req"
  long requestsOk;
  long rowsOk;
  long rejectedRequests; // 503
  long rejectedRows;
  long otherFailures;
  final Map<String, Integer> failureSamples = new TreeMap<>();
  long ignoredRows;
  final BitSet ackedIds = new BitSet();
  long duplicateIds;
  final LongList ackLatencyNanos = new LongList();
  long startNanos;
  long endNanos;
  /** Filled in after the run by reading the database file directly. */
  Verification verification;
  String note = "";
  /** CPU use by thread group during the run (see {@link CpuSampler}). */
  String cpu = "";
  /** What the storage probe saw during the run (see {@link StorageProbe}). */
  String storage = "";
  /** Cores other processes on the machine used during the run (-1: unknown). */
  double otherCores = -1;

  RunStats(String key, String title, String unit) {
    this.key = key;
    this.title = title;
    this.unit = unit;
  }

  double seconds() {
    return (endNanos - startNanos) / 1e9;
  }

  double rowsPerSecond() {
    return rowsOk / seconds();
  }

  double requestsPerSecond() {
    return requestsOk / seconds();
  }

  /** The headline rate: rows/s, or requests/s for one-row-per-request workloads. */
  double rate() {
    return unit.equals("req") ? requestsPerSecond() : rowsPerSecond();
  }

  void ack(JsonArray ids, int expectedRows, long latencyNanos) {
    requestsOk++;
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

  void addId(long id) {
    if (id > Integer.MAX_VALUE || id < 0) throw new IllegalStateException("id out of BitSet range: " + id);
    int i = (int) id;
    if (ackedIds.get(i)) duplicateIds++;
    else ackedIds.set(i);
  }

  void rejected(int rows) {
    rejectedRequests++;
    rejectedRows += rows;
  }

  void failure(String what) {
    otherFailures++;
    String sample = what.length() > 120 ? what.substring(0, 120) : what;
    failureSamples.merge(sample, 1, Integer::sum);
  }

  static double percentileMs(long[] sortedNanos, double p) {
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
  static final class LongList {
    private long[] values = new long[1024];
    private int size;

    void add(long v) {
      if (size == values.length) values = Arrays.copyOf(values, size * 2);
      values[size++] = v;
    }

    int size() {
      return size;
    }

    long[] sorted() {
      long[] out = Arrays.copyOf(values, size);
      Arrays.sort(out);
      return out;
    }
  }
}
