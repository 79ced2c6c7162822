package dev.spark.storage;

import dev.spark.ingest.LocalWriter;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The answer to a write handed over locally: exactly one of its commit, its refusal or its timeout
 * reaches the promise, on the caller's context (so whatever the caller chained to it runs where it
 * would after an event-bus reply), and fails as the bus would (a {@link ReplyException}). The writer
 * answers a committed group's replies together ({@link LocalAnswers}).
 */
final class LocalReply implements WriteReply {
  final Promise<long[]> promise = Promise.promise();
  /** Where the answer is completed; null when the write came from no Vert.x context. */
  final Context caller;
  /**
   * The event-loop thread the caller runs on; null for a worker context (its tasks may run on any thread
   * of a pool) or none. Each bus message and HTTP request has a context of its own (a duplicate of its
   * verticle's), so writes from one event loop are told apart from others by this, not by their context.
   */
  final Thread loop;
  /** When the write was handed over ({@link System#nanoTime}, or the test's clock). */
  final long since;
  private final AtomicBoolean answered = new AtomicBoolean();
  /** Run once this reply is answered (the admission then stops tracking it). */
  final Runnable onAnswered;

  /** Made on the caller's thread, when the write is handed over. */
  LocalReply(Context caller, long since, Runnable onAnswered) {
    this.caller = caller;
    this.loop = caller != null && caller.isEventLoopContext() ? Thread.currentThread() : null;
    this.since = since;
    this.onAnswered = onAnswered;
  }

  @Override
  public void committed(long[] ids) {
    answer(() -> promise.complete(ids));
  }

  @Override
  public void fail(int code, String message) {
    answer(() -> promise.fail(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, message)));
  }

  /**
   * Answers "not in time" unless already answered: the write stays queued and may still be committed
   * (its answer is then dropped), as when an event-bus request to storage times out.
   */
  void expire() {
    answer(() -> promise.fail(new ReplyException(ReplyFailure.TIMEOUT, "Storage did not answer within "
        + LocalWriter.ANSWER_TIMEOUT_MS / 1000 + " s")));
  }

  boolean answered() {
    return answered.get();
  }

  /**
   * Takes the right to answer: true once, for the first of commit, refusal and timeout. Whoever gets it
   * completes the promise on the caller's context and runs {@link #onAnswered}.
   */
  boolean claim() {
    return answered.compareAndSet(false, true);
  }

  /** The first answer only: runs {@code complete} on the caller's context, and lets the admission forget this reply. */
  private void answer(Runnable complete) {
    if (!claim()) return;
    onAnswered.run();
    if (caller == null || caller == Vertx.currentContext()) complete.run();
    else caller.runOnContext(v -> complete.run());
  }
}
