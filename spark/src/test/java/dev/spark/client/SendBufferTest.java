package dev.spark.client;

import dev.spark.event.EventType;
import dev.spark.event.SparkEvent;
import dev.spark.support.Await;
import dev.spark.support.LogCapture;
import dev.spark.support.Poll;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing lost while Spark is away (same JVM; ClusterSparkAwayIT does it across processes): Spark is
 * stopped for ten seconds while the application throws 1,000 distinct errors; once it is back, a client
 * with room for them has each stored exactly once, and one with a 100-event buffer has the newest 100
 * stored and the oldest 900 dropped, counted and logged. The application never waits.
 */
@ExtendWith(VertxExtension.class)
class SendBufferTest {
  private static final int ERRORS = 1_000;
  private static final long AWAY_MS = 10_000;

  @Test
  void errorsThrownWhileSparkIsStoppedForTenSecondsAreStoredOnceWhenItIsBack(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    SparkClient roomy = SparkClient.create(vertx, new SparkClientOptions().setBufferLimit(ERRORS, 16L << 20).setRetryDelays(50, 1_000));
    SparkClient small = SparkClient.create(vertx, new SparkClientOptions().setBufferLimit(100, 16L << 20).setRetryDelays(50, 1_000));
    spark.stop();
    long stopped = System.nanoTime();

    try (LogCapture log = LogCapture.start()) {
      long slowest = throwErrorsOver(8_000, roomy, small);
      assertTrue(slowest < 1_000_000_000L, "a send waited on Spark: " + slowest / 1_000_000 + " ms");
      Poll.until("every send to have failed into the buffers", 30_000, () -> roomy.buffered() == ERRORS && small.buffered() == 100);
      assertEquals(ERRORS - 100, small.dropped());
      assertEquals(ERRORS - 100, small.refused(), "what was dropped is refused too");
      assertEquals(0, roomy.dropped());
      assertTrue(log.text().contains("SparkClient buffer full (100 events") && log.text().contains("dropped the oldest"), log.text());
    }
    long rest = AWAY_MS - (System.nanoTime() - stopped) / 1_000_000;
    if (rest > 0) Await.result(vertx.timer(rest)); // the rest of the ten seconds: the outage itself
    spark.restart();

    Poll.until("the buffers to drain", 60_000, () -> roomy.buffered() == 0 && small.buffered() == 0);
    String roomyRows = "FROM events WHERE json_extract(data, '$.error.message') LIKE 'roomy %'";
    assertEquals(ERRORS, spark.count("SELECT count(*) " + roomyRows));
    assertEquals(ERRORS, spark.count("SELECT count(DISTINCT json_extract(data, '$.error.message')) " + roomyRows));
    assertEquals(ERRORS, spark.count("SELECT count(DISTINCT event_id) " + roomyRows), "each error once");
    String smallRows = "FROM events WHERE json_extract(data, '$.error.message') LIKE 'small %'";
    assertEquals(100, spark.count("SELECT count(*) " + smallRows));
    assertEquals(100, spark.count("SELECT count(DISTINCT event_id) " + smallRows));
    assertEquals(900, spark.count("SELECT min(CAST(substr(json_extract(data, '$.error.message'), 7) AS INTEGER)) " + smallRows),
        "the newest 100 (900 to 999) are the ones kept");
    assertEquals(ERRORS + 100, spark.count("SELECT count(*) FROM events"));
    assertEquals(0, roomy.refused());
    assertEquals(ERRORS - 100, small.dropped());
  }

  @Test
  void anEventWhoseAnswerWasLostIsSentAgainAndStoredOnce(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    // Spark's first answer to the client never arrives: it stored the event, the client times out.
    AtomicInteger lost = new AtomicInteger();
    vertx.eventBus().addInboundInterceptor(ctx -> {
      Object body = ctx.message().body();
      if (body instanceof JsonObject reply && reply.containsKey("ids") && ctx.message().address().startsWith("__vertx.reply")
          && lost.compareAndSet(0, 1)) {
        return; // dropped
      }
      ctx.next();
    });
    SparkClient client = SparkClient.create(vertx, new SparkClientOptions().setSendTimeoutMs(500).setRetryDelays(50, 500));
    client.sendEvent(SparkEvent.of(EventType.UNHANDLED_ERROR, "answer lost once"));

    Poll.until("the retry to be answered", 30_000, () -> lost.get() == 1 && client.buffered() == 0);
    assertEquals(1, spark.count("SELECT count(*) FROM events WHERE data LIKE '%answer lost once%'"), "stored once, though sent twice");
    assertEquals(0, client.refused());
  }

  /** Error i to both clients at i * overMs / ERRORS ms, from this (the application's) thread; returns the slowest send (ns). */
  private static long throwErrorsOver(long overMs, SparkClient roomy, SparkClient small) {
    long started = System.nanoTime();
    long slowest = 0;
    for (int i = 0; i < ERRORS; i++) {
      long due = started + overMs * 1_000_000 * i / ERRORS;
      while (System.nanoTime() < due) LockSupport.parkNanos(due - System.nanoTime()); // pacing the workload
      long t = System.nanoTime();
      roomy.sendEvent(SparkEvent.of(EventType.UNHANDLED_ERROR, "roomy " + i));
      small.sendEvent(SparkEvent.of(EventType.UNHANDLED_ERROR, "small " + i));
      slowest = Math.max(slowest, System.nanoTime() - t);
    }
    return slowest;
  }
}
