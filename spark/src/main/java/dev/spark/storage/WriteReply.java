package dev.spark.storage;

import dev.spark.bus.WriteRequest;
import dev.spark.bus.WriteResult;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/** Where a write's answer goes: the event-bus message it came in, or the promise of a local hand-over. */
interface WriteReply {
  /** Called on the storage verticle's context once the rows are committed. */
  void committed(long[] ids);

  /** Called on the storage verticle's context, or at once on the caller's thread for a refusal. */
  void fail(int code, String message);

  static WriteReply of(Message<WriteRequest> msg) {
    return new WriteReply() {
      @Override
      public void committed(long[] ids) {
        msg.reply(new WriteResult(ids));
      }

      @Override
      public void fail(int code, String message) {
        msg.fail(code, message);
      }
    };
  }

  /**
   * Completes {@code promise} on {@code caller} (the context the write came from; null: at once), so
   * whatever the caller chained to it runs where it would after an event-bus reply.
   */
  static WriteReply local(Promise<long[]> promise, Context caller) {
    return new WriteReply() {
      @Override
      public void committed(long[] ids) {
        if (caller == null) promise.complete(ids);
        else caller.runOnContext(v -> promise.complete(ids));
      }

      @Override
      public void fail(int code, String message) {
        ReplyException failure = new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, message);
        if (caller == null || caller == Vertx.currentContext()) promise.fail(failure);
        else caller.runOnContext(v -> promise.fail(failure));
      }
    };
  }
}
