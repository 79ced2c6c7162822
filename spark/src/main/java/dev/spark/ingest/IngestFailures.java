package dev.spark.ingest;

import dev.spark.event.ValidationException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/** Maps why an ingest failed to the status both HTTP and the event bus report (400, 503, 500). */
public final class IngestFailures {
  private IngestFailures() {}

  public static int status(Throwable cause) {
    if (cause instanceof ValidationException) return 400;
    if (cause instanceof ReplyException re) {
      if (re.failureType() == ReplyFailure.RECIPIENT_FAILURE && re.failureCode() >= 400) return re.failureCode();
      return 503;
    }
    return 500;
  }

  public static String message(Throwable cause) {
    if (cause instanceof ValidationException ve && ve.field() != null && !ve.field().isEmpty()) {
      return ve.field() + ": " + ve.getMessage();
    }
    if (cause instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
      // The write is queued and may still be committed (behind a long VACUUM, say): a blind retry could store it twice.
      return "Storage did not answer in time; the items may still be stored. Check GET /api/v1/events (or /access) before sending them again";
    }
    if (cause instanceof ReplyException re && re.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
      return "Storage is not answering (" + re.failureType() + "); nothing was stored; retry shortly";
    }
    return String.valueOf(cause.getMessage());
  }
}
