package dev.spark.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.Arrays;
import java.util.function.LongFunction;

/**
 * An open-loop load driver: issues requests at a fixed rate, whatever the answers do, from one
 * Vert.x context (a 1 ms timer; a late tick sends everything that fell due). Request n is
 * <em>intended</em> at start + n / rate, and its latency is measured from that intended time, so a
 * stall counts against every request it held back, also those the client could only send late
 * (no coordinated omission). Outcomes go into a {@link RunStats} as with {@link ClosedLoop}; the
 * (intended time, latency) pairs of acknowledged requests are kept for windows ({@link #latencies}).
 */
public final class OpenLoop {
  private final Context context;
  private final double rate;
  private final int rowsPerRequest;
  private final LongFunction<Future<ClosedLoop.Outcome>> op;
  private final RunStats stats;
  private final Promise<RunStats> done = Promise.promise();
  private long[] intended = new long[1 << 16];
  private long[] latency = new long[1 << 16];
  private int size;
  private long timer;
  private long issued;
  private long outstanding;
  private boolean stopping;
  private volatile long maxBehindNanos;

  private OpenLoop(Context context, double rate, int rowsPerRequest, LongFunction<Future<ClosedLoop.Outcome>> op, RunStats stats) {
    this.context = context;
    this.rate = rate;
    this.rowsPerRequest = rowsPerRequest;
    this.op = op;
    this.stats = stats;
  }

  /** Starts sending {@code rate} requests per second; {@code op} gets the request's sequence number and must not block. */
  public static OpenLoop start(Context context, double rate, int rowsPerRequest, LongFunction<Future<ClosedLoop.Outcome>> op,
      RunStats stats) {
    OpenLoop loop = new OpenLoop(context, rate, rowsPerRequest, op, stats);
    context.runOnContext(v -> {
      stats.startNanos = System.nanoTime();
      loop.timer = context.owner().setPeriodic(1, id -> loop.tick());
      loop.tick();
    });
    return loop;
  }

  /** Stops issuing; completes once every request sent has been answered. */
  public Future<RunStats> stop() {
    context.runOnContext(v -> {
      stopping = true;
      context.owner().cancelTimer(timer);
      maybeDone();
    });
    return done.future();
  }

  /** The most the sender itself fell behind schedule (its own thread starved), in ms. */
  public double maxBehindMs() {
    return maxBehindNanos / 1e6;
  }

  private void tick() {
    if (stopping) return;
    long now = System.nanoTime();
    long due = (long) ((now - stats.startNanos) * rate / 1e9) + 1;
    if (due > issued) maxBehindNanos = Math.max(maxBehindNanos, now - intendedAt(issued));
    while (issued < due) send(issued++);
  }

  private long intendedAt(long seq) {
    return stats.startNanos + (long) (seq * 1e9 / rate);
  }

  private void send(long seq) {
    long planned = intendedAt(seq);
    outstanding++;
    Future<ClosedLoop.Outcome> f;
    try {
      f = op.apply(seq);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onComplete(ar -> {
      outstanding--;
      long took = System.nanoTime() - planned;
      if (ar.failed()) stats.failure(String.valueOf(ar.cause()));
      else if (ar.result().status() == 200) {
        stats.ack(ar.result().ids(), rowsPerRequest, took);
        record(planned, took);
      } else if (ar.result().status() == 503) stats.rejected(rowsPerRequest);
      else stats.failure(ar.result().status() + " " + ar.result().error());
      maybeDone();
    });
  }

  private synchronized void record(long planned, long took) {
    if (size == intended.length) {
      intended = Arrays.copyOf(intended, size * 2);
      latency = Arrays.copyOf(latency, size * 2);
    }
    intended[size] = planned;
    latency[size++] = took;
  }

  /** Sorted latencies (ns, from the intended time) of the acknowledged requests intended in [from, to) (System.nanoTime()). */
  public synchronized long[] latencies(long fromNanos, long toNanos) {
    long[] out = new long[size];
    int n = 0;
    for (int i = 0; i < size; i++) if (intended[i] >= fromNanos && intended[i] < toNanos) out[n++] = latency[i];
    out = Arrays.copyOf(out, n);
    Arrays.sort(out);
    return out;
  }

  private void maybeDone() {
    if (stopping && outstanding == 0) {
      stats.endNanos = System.nanoTime();
      done.tryComplete(stats);
    }
  }
}
