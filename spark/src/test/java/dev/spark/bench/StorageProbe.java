package dev.spark.bench;

import dev.spark.bus.Addresses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.Locale;

/**
 * Samples Spark's {@code spark.storage.stats} every 2 ms during a run: how often a commit was in
 * progress ({@code busy}: from handing the group to the writer thread until its completion ran on
 * the storage event loop) and how many rows were waiting. One request at a time, so a slow answer
 * (a busy storage event loop) lowers the sample rate rather than piling up requests.
 */
final class StorageProbe {
  private static final DeliveryOptions QUICK = new DeliveryOptions().setSendTimeout(5_000);

  private final Vertx vertx;
  private final Context context;
  private volatile boolean stopped;
  private long samples;
  private long busy;
  private long queuedRowsSum;
  private long maxQueuedRows;
  private long maxAnswerNanos;
  private long answerNanosSum;
  private final Promise<String> done = Promise.promise();

  StorageProbe(Vertx vertx) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
  }

  void start() {
    context.runOnContext(v -> sample());
  }

  private void sample() {
    if (stopped) {
      done.tryComplete(summary());
      return;
    }
    long asked = System.nanoTime();
    vertx.eventBus().<JsonObject>request(Addresses.STORAGE_STATS, new JsonObject(), QUICK).onComplete(ar -> {
      if (ar.succeeded()) {
        long took = System.nanoTime() - asked;
        JsonObject st = ar.result().body();
        samples++;
        if (st.getBoolean("busy", false)) busy++;
        long q = st.getLong("queueRows", 0L);
        queuedRowsSum += q;
        maxQueuedRows = Math.max(maxQueuedRows, q);
        answerNanosSum += took;
        maxAnswerNanos = Math.max(maxAnswerNanos, took);
      }
      vertx.setTimer(2, t -> sample());
    });
  }

  Future<String> stop() {
    stopped = true;
    return done.future();
  }

  private String summary() {
    if (samples == 0) return "no samples";
    return String.format(Locale.ROOT, "commit in progress %.0f%% of samples, rows queued or committing avg %,.0f max %,d; stats answered in avg %.2f ms, max %.1f ms (%,d samples)",
        100.0 * busy / samples, queuedRowsSum / (double) samples, maxQueuedRows, answerNanosSum / 1e6 / samples, maxAnswerNanos / 1e6, samples);
  }
}
