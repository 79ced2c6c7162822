package dev.spark.client;

import dev.spark.event.EventType;
import dev.spark.event.SparkEvent;
import dev.spark.support.Await;
import dev.spark.support.Poll;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SparkClientOptions#setBufferDirectory}: what one run of the application kept is sent by the
 * next, each event stored once (also those that had reached Spark but whose answer was lost), a record
 * a crash cut short costs nothing else, and the file stays within the buffer's bound.
 */
@ExtendWith(VertxExtension.class)
class BufferDirectoryTest {

  @Test
  void whatOneRunKeptIsSentByTheNextAndStoredOnce(Vertx vertx, @TempDir Path dir) throws Exception {
    Path buffer = dir.resolve("buffer");
    Vertx firstRun = Vertx.vertx();
    SparkUnderTest spark = SparkUnderTest.start(firstRun, dir, null);
    // Spark's answers are lost for a while: it stores the events, the client times out and keeps them.
    AtomicBoolean loseAnswers = new AtomicBoolean(true);
    firstRun.eventBus().addInboundInterceptor(ctx -> {
      if (loseAnswers.get() && ctx.message().body() instanceof JsonObject reply && reply.containsKey("ids")) return;
      ctx.next();
    });
    SparkClient client = SparkClient.create(firstRun, new SparkClientOptions().setBufferDirectory(buffer)
        .setSendTimeoutMs(300).setRetryDelays(50, 500));
    for (int i = 0; i < 10; i++) client.sendEvent(SparkEvent.of(EventType.UNHANDLED_ERROR, "run one " + i));
    Poll.until("the 10 stored but unanswered", 30_000, () -> spark.count("SELECT count(*) FROM events") == 10 && client.buffered() == 10);
    spark.stop();
    loseAnswers.set(false);
    for (int i = 10; i < 500; i++) client.sendEvent(SparkEvent.of(EventType.UNHANDLED_ERROR, "run one " + i));
    Poll.until("all 500 kept", 30_000, () -> client.buffered() == 500);
    client.close();
    Await.result(firstRun.close());
    // and the application's last write, cut short by a crash
    Files.write(buffer.resolve(SpillLog.FILE), "0badc0de {\"seq\":501,\"addr".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);

    SparkUnderTest restarted = SparkUnderTest.start(vertx, dir, null);
    SparkClient next = SparkClient.create(vertx, new SparkClientOptions().setBufferDirectory(buffer).setRetryDelays(50, 500));
    assertEquals(500, next.buffered(), "kept again at once");
    next.sendEvent(SparkEvent.of(EventType.UNHANDLED_ERROR, "run two 0"));
    Poll.until("the buffer to drain", 60_000, () -> next.buffered() == 0);
    Poll.until("the new error stored", 30_000, () -> restarted.count("SELECT count(*) FROM events") == 501);
    String runOne = "FROM events WHERE json_extract(data, '$.error.message') LIKE 'run one %'";
    assertEquals(500, restarted.count("SELECT count(*) " + runOne));
    assertEquals(500, restarted.count("SELECT count(DISTINCT json_extract(data, '$.error.message')) " + runOne));
    assertEquals(500, restarted.count("SELECT count(DISTINCT event_id) " + runOne));
    assertEquals(0, next.refused());
    assertEquals(0, Files.size(buffer.resolve(SpillLog.FILE)), "nothing kept, nothing in the file");
    next.close();
  }

  @Test
  void theFileIsBoundedAsTheBufferIsAndKeepsTheNewest(Vertx vertx, @TempDir Path dir) throws Exception {
    Path buffer = dir.resolve("buffer");
    SparkClient client = SparkClient.create(vertx, new SparkClientOptions().setBufferDirectory(buffer)
        .setBufferLimit(100, 1L << 20).setRetryDelays(50, 500)); // no Spark at all
    for (int i = 0; i < 10_000; i++) client.sendEvent(SparkEvent.of(EventType.UNHANDLED_ERROR, "error " + i + " with some text to it"));
    Poll.until("9,900 dropped", 30_000, () -> client.dropped() == 9_900 && client.buffered() == 100);
    client.close();

    long fileSize = Files.size(buffer.resolve(SpillLog.FILE));
    try (SpillLog log = SpillLog.open(buffer)) {
      List<SendBuffer.Item> kept = log.recover();
      assertEquals(100, kept.size());
      long keptBytes = kept.stream().mapToLong(SendBuffer.Item::bytes).sum();
      // 10,000 sends and 9,900 ends written (over 2 MB): rewritten along the way
      assertTrue(fileSize <= 2 * keptBytes + (1 << 20) + 1_000, "file " + fileSize + " bytes for " + keptBytes + " kept");
      assertEquals("error 9900 with some text to it", ((JsonObject) kept.get(0).body()).getJsonObject("error").getString("message"));
    }
  }

  @Test
  void aSecondClientOnTheSameDirectoryIsRefused(Vertx vertx, @TempDir Path dir) {
    SparkClientOptions options = new SparkClientOptions().setBufferDirectory(dir);
    SparkClient first = SparkClient.create(vertx, options);
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> SparkClient.create(vertx, options));
    assertTrue(e.getMessage().contains("give each client its own"), e.getMessage());
    first.close();
  }
}
