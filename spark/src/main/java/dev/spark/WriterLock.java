package dev.spark;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Lock;

import java.util.logging.Logger;

/**
 * One writer per cluster: the cluster-wide lock a Spark holds while it writes (Vert.x shared data; with
 * Hazelcast an {@code IMap} lock, which Hazelcast releases when its member leaves or is removed from
 * the cluster). {@link #acquire} asks again and again (each ask waits up to {@code attemptMs}) until it
 * gets the lock; it says once, through {@code onWaiting}, that another Spark has it. Not used when the
 * event bus is not clustered: a lone Vert.x has nobody to share the database with.
 */
final class WriterLock {
  static final String NAME = "dev.spark.writer";
  private static final Logger LOG = Logger.getLogger(WriterLock.class.getName());

  private final Vertx vertx;
  private final long attemptMs;
  private volatile boolean cancelled;
  private Lock held;

  WriterLock(Vertx vertx, long attemptMs) {
    this.vertx = vertx;
    this.attemptMs = attemptMs;
  }

  /** Completes once this Spark holds the lock; {@code onWaiting} runs (once) when the first ask times out. */
  Future<Void> acquire(Runnable onWaiting) {
    Promise<Void> acquired = Promise.promise();
    attempt(acquired, onWaiting, true);
    return acquired.future();
  }

  private void attempt(Promise<Void> acquired, Runnable onWaiting, boolean first) {
    if (cancelled) {
      acquired.tryFail("Spark stopped while waiting for the writer lock");
      return;
    }
    vertx.sharedData().getLockWithTimeout(NAME, attemptMs).onComplete(ar -> {
      if (ar.succeeded()) {
        synchronized (this) {
          held = ar.result();
        }
        if (cancelled) {
          release();
          acquired.tryFail("Spark stopped while waiting for the writer lock");
        } else {
          acquired.tryComplete();
        }
        return;
      }
      if (first) onWaiting.run();
      else LOG.fine("Writer lock still held elsewhere: " + ar.cause().getMessage());
      attempt(acquired, onWaiting, false);
    });
  }

  /** Stops asking and gives the lock back if held. */
  void release() {
    cancelled = true;
    Lock lock;
    synchronized (this) {
      lock = held;
      held = null;
    }
    if (lock != null) lock.release();
  }
}
