package dev.spark.storage;

import dev.spark.bus.WriteRequest;
import dev.spark.bus.WriteResult;
import io.vertx.core.eventbus.Message;

/** Where a write's answer goes: the event-bus message it came in, or the promise of a local hand-over ({@link LocalReply}). */
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
}
