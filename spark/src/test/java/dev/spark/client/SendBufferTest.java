package dev.spark.client;

import dev.spark.event.EventType;
import dev.spark.event.SparkEvent;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing lost while Spark is away (same JVM; ClusterFailoverIT does it across processes): errors sent
 * while Spark is stopped are kept by the client and stored once Spark is back, exactly once each; over
 * the bound the oldest are dropped and counted, and the application never waits.
 */
@ExtendWith(VertxExtension.class)
class SendBufferTest {
  private static final int ERRORS = 1_000;

  @Test
  void errorsThrownWhileSparkIsStoppedAreAllStoredOnceWhenItIsBack(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    SparkClient client = SparkClient.create(vertx, new SparkClientOptions().setBufferLimit(ERRORS, 16L << 20).setRetryDelays(50, 500));
    spark.stop();

    long sendNanos = throwErrors(client);
    Poll.until("every send to have failed into the buffer", 30_000, () -> client.buffered() == ERRORS);
    spark.restart();

    Poll.until("the buffer to drain", 60_000, () -> client.buffered() == 0);
    assertEquals(ERRORS, spark.count("SELECT count(*) FROM events"));
    assertEquals(ERRORS, spark.count("SELECT count(DISTINCT event_id) FROM events"), "each error once");
    assertEquals(0, client.dropped());
    assertEquals(0, client.refused());
    assertTrue(sendNanos < 5_000_000_000L, "sending never waited on Spark: " + sendNanos / 1_000_000 + " ms");
  }

  @Test
  void aFullBufferDropsTheOldestCountsThemAndNeverBlocks(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    SparkClient client = SparkClient.create(vertx, new SparkClientOptions().setBufferLimit(100, 16L << 20).setRetryDelays(50, 500));
    spark.stop();

    try (LogCapture log = LogCapture.start()) {
      long sendNanos = throwErrors(client);
      Poll.until("900 dropped", 30_000, () -> client.dropped() == ERRORS - 100);
      assertEquals(100, client.buffered());
      assertTrue(log.text().contains("dropped the oldest"), log.text());
      assertTrue(sendNanos < 5_000_000_000L, "sending never waited on Spark: " + sendNanos / 1_000_000 + " ms");
    }
    assertEquals(ERRORS - 100, client.refused(), "what was dropped is refused too");
    spark.restart();

    Poll.until("the buffer to drain", 60_000, () -> client.buffered() == 0);
    assertEquals(100, spark.count("SELECT count(*) FROM events"));
    assertEquals(100, spark.count("SELECT count(DISTINCT event_id) FROM events"));
    assertEquals(0, spark.count("SELECT count(*) FROM events WHERE data NOT LIKE '%error 9__ while Spark was away%'"),
        "the newest 100 (900 to 999) are the ones kept");
    assertEquals(ERRORS - 100, client.dropped());
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

  private static long throwErrors(SparkClient client) {
    long started = System.nanoTime();
    for (int i = 0; i < ERRORS; i++) client.sendEvent(SparkEvent.of(EventType.UNHANDLED_ERROR, "error " + i + " while Spark was away"));
    return System.nanoTime() - started;
  }
}
