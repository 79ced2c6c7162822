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
 * would after an event-bus reply), and fails as the bus would (a {@link ReplyException}).
 */
final class LocalReply implements WriteReply {
  final Promise<long[]> promise = Promise.promise();
  private final Context caller;
  /** When the write was handed over ({@link System#nanoTime}, or the test's clock). */
  final long since;
  private final AtomicBoolean answered = new AtomicBoolean();
  /** Run once this reply is answered (the admission then stops tracking it). */
  private final Runnable onAnswered;

  LocalReply(Context caller, long since, Runnable onAnswered) {
    this.caller = caller;
    this.since = since;
    this.onAnswered = onAnswered;
  }

  @Override
  public void committed(long[] ids) {
    answer(() -> promise.complete(ids));
  }

  @Override
  public boolean fromWriter() {
    return caller != null;
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

  /** The first answer only: runs {@code complete} on the caller's context, and lets the admission forget this reply. */
  private void answer(Runnable complete) {
    if (!answered.compareAndSet(false, true)) return;
    onAnswered.run();
    if (caller == null || caller == Vertx.currentContext()) complete.run();
    else caller.runOnContext(v -> complete.run());
  }
}
