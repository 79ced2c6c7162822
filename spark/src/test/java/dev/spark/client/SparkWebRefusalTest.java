package dev.spark.client;

import dev.spark.bus.Addresses;
import dev.spark.support.Await;
import dev.spark.support.Collected;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When Spark does not take what the app sends, the app's requests go on exactly as before. */
@ExtendWith(VertxExtension.class)
class SparkWebRefusalTest {

  @Test
  void aStoppedSparkNeitherFailsNorChangesTheAppsAnswersAndIsCounted(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    Collected<Throwable> refusals = new Collected<>();
    // One access-log entry per send, so each refusal is one item.
    // Without a buffer (SendBufferTest has one): what Spark cannot take is refused at once.
    WebFixture app = WebFixture.start(vertx, SparkClient.create(vertx, new SparkClientOptions().setBufferLimit(0, 0)),
        new SparkWebOptions().setAccessBatchSize(1).setRefusalHandler(refusals), router -> {
          router.get("/ok").handler(ctx -> ctx.end("fine"));
          router.get("/broken").handler(ctx -> {
            throw new IllegalStateException("broken while Spark is away");
          });
        });
    spark.stop();

    HttpResponse<Buffer> ok = Await.result(app.http.get("/ok").send());
    HttpResponse<Buffer> broken = Await.result(app.http.get("/broken").send());
    assertEquals(200, ok.statusCode());
    assertEquals("fine", ok.bodyAsString());
    assertEquals(500, broken.statusCode());
    assertTrue(ok.getHeader("X-Request-Id") != null && broken.getHeader("X-Request-Id") != null);

    // two access-log entries and one server-error, each refused: nobody listens on Spark's addresses
    List<Throwable> causes = Await.result(refusals.awaitCount(3));
    for (Throwable cause : causes) assertEquals(ReplyFailure.NO_HANDLERS, assertInstanceOf(ReplyException.class, cause).failureType());
    assertEquals(3, app.web.refused());
    assertEquals(2, app.web.accessLogs());
    assertEquals(1, app.web.events());
    assertEquals(0, app.web.internalErrors());
    app.close();
  }

  @Test
  void aSparkThatNeverAnswersDoesNotDelayTheAppAndTimesOutIntoTheCounter(Vertx vertx) {
    // Something listens on Spark's ingest addresses but never answers (a stuck Spark).
    Collected<Object> swallowed = new Collected<>();
    MessageConsumer<Object> access = vertx.eventBus().consumer(Addresses.INGEST_ACCESS, m -> swallowed.handle(m.body()));
    MessageConsumer<Object> events = vertx.eventBus().consumer(Addresses.INGEST_EVENT, m -> swallowed.handle(m.body()));
    Await.result(access.completion());
    Await.result(events.completion());
    long timeoutMs = 2_000;
    Collected<Throwable> refusals = new Collected<>();
    SparkClient client = SparkClient.create(vertx, new SparkClientOptions().setSendTimeoutMs(timeoutMs).setBufferLimit(0, 0));
    // Access-log entries wait for the explicit flush below, so they go as one batch.
    WebFixture app = WebFixture.start(vertx, client, new SparkWebOptions().setAccessFlushMs(600_000).setRefusalHandler(refusals), router -> {
      router.get("/ok").handler(ctx -> ctx.end("fine"));
      router.get("/broken").handler(ctx -> ctx.fail(500));
    });

    long started = System.nanoTime();
    HttpResponse<Buffer> ok = Await.result(app.http.get("/ok").send());
    HttpResponse<Buffer> broken = Await.result(app.http.get("/broken").send());
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;
    assertEquals(200, ok.statusCode());
    assertEquals(500, broken.statusCode());
    assertEquals(0, app.web.refused(), "the answers came back before Spark's answer was even due");
    assertTrue(elapsedMs < timeoutMs, "the app did not wait for Spark: " + elapsedMs + " ms");

    Await.result(app.tap.awaitAccess(2));
    app.web.flush();
    Await.result(swallowed.awaitCount(2)); // the event, and the batch of two access-log entries
    List<Throwable> causes = Await.result(refusals.awaitCount(2));
    for (Throwable cause : causes) assertEquals(ReplyFailure.TIMEOUT, assertInstanceOf(ReplyException.class, cause).failureType());
    assertEquals(3, app.web.refused(), "counted per item: one event and two access-log entries");
    app.close();
  }
}
