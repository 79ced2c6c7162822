package dev.spark.ingest;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an ingest that storage did not complete answers: a storage timeout must not invite a blind retry. */
class IngestFailuresTest {

  @Test
  void aTimeoutSaysTheItemsMayStillBeStoredAndNoHandlerSaysNothingWas() {
    ReplyException timeout = new ReplyException(ReplyFailure.TIMEOUT, "Timed out after waiting 60000(ms) for a reply");
    assertEquals(503, IngestFailures.status(timeout));
    assertTrue(IngestFailures.message(timeout).contains("may still be stored"), IngestFailures.message(timeout));

    ReplyException gone = new ReplyException(ReplyFailure.NO_HANDLERS, "No handlers for address spark.storage.write");
    assertEquals(503, IngestFailures.status(gone));
    assertTrue(IngestFailures.message(gone).contains("nothing was stored"), IngestFailures.message(gone));

    ReplyException refused = new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 503, "Storage queue is full");
    assertEquals(503, IngestFailures.status(refused));
    assertEquals("Storage queue is full", IngestFailures.message(refused));
  }
}
