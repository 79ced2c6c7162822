package dev.spark.client;

import dev.spark.bus.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Collects access-log entries from any thread and sends them to Spark as one array per
 * {@code batchSize} entries, or after {@code flushMs} at the latest. One event-bus message (and one
 * validation pass and reply) per batch instead of per request; Spark commits each batch
 * all-or-nothing, which is why the entries are built valid by construction (see {@link SparkWeb}).
 */
final class AccessBatcher {
  private final Vertx vertx;
  private final SparkClient client;
  private final SparkClient.RefusalListener listener;
  private final int batchSize;
  private final long flushMs;
  private JsonArray pending = new JsonArray();
  private long timerArmedAt;
  private boolean timerArmed;

  AccessBatcher(SparkClient client, int batchSize, long flushMs, SparkClient.RefusalListener listener) {
    this.vertx = client.vertx();
    this.client = client;
    this.batchSize = batchSize;
    this.flushMs = flushMs;
    this.listener = listener;
  }

  void add(JsonObject entry) {
    if (batchSize == 1) {
      client.handOver(Addresses.INGEST_ACCESS, entry, 1, listener);
      return;
    }
    JsonArray full = null;
    boolean arm = false;
    synchronized (this) {
      pending.add(entry);
      if (pending.size() >= batchSize) {
        full = pending;
        pending = new JsonArray();
      } else if (!timerArmed || System.nanoTime() - timerArmedAt > 10 * flushMs * 1_000_000L) {
        // (re-)arm: a timer created on a verticle's context dies with that verticle
        timerArmed = true;
        timerArmedAt = System.nanoTime();
        arm = true;
      }
    }
    if (full != null) client.sendAccessBatch(full, listener);
    if (arm) {
      try {
        vertx.setTimer(flushMs, t -> flush());
      } catch (RuntimeException closed) {
        flush();
      }
    }
  }

  /** Sends whatever is waiting now. */
  void flush() {
    JsonArray out;
    synchronized (this) {
      timerArmed = false;
      if (pending.isEmpty()) return;
      out = pending;
      pending = new JsonArray();
    }
    client.sendAccessBatch(out, listener);
  }
}
