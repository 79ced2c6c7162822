package dev.spark.web;

import dev.spark.bus.Addresses;
import dev.spark.ingest.Ingestor;
import dev.spark.support.Await;
import dev.spark.support.LogCapture;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A large ingest body (13 MB: three thousand events with 4 KB of input each) is parsed and validated on a
 * worker thread, so no event loop is held: Vert.x's blocked-thread checker, set here to complain
 * about anything over 100 ms, stays silent (before, such a body held an event loop about a second).
 * Its answers are the same as for a small body: every id, or a 400 naming the bad item. The same holds
 * for a large batch sent on the event bus (more than {@link Ingestor#OFF_LOOP_ITEMS} items).
 */
class LargeBodyTest {
  private Vertx vertx;
  private LogCapture logs;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx(new VertxOptions()
        .setMaxEventLoopExecuteTime(100).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setWarningExceptionTime(100).setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS).setBlockedThreadCheckInterval(20).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS));
  }

  @AfterEach
  void stop() {
    if (logs != null) logs.close();
    Await.result(vertx.close());
  }

  private static JsonArray events(int n, String padding) {
    JsonArray batch = new JsonArray();
    for (int i = 0; i < n; i++) {
      batch.add(new JsonObject().put("type", "server-error").put("fingerprint", "large-" + (i % 10))
          .put("error", new JsonObject().put("message", "large body " + i))
          .put("input", new JsonObject().put("text", padding).put("password", "hunter2")));
    }
    return batch;
  }

  @Test
  void aThirteenMegabyteBodyIsStoredWithoutHoldingAnEventLoop(@TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    // Start-up (class loading, JIT, metrics registration) holds event loops too; it is not what is measured.
    assertEquals(200, spark.postNow("/api/v1/events", events(100, "w".repeat(4_000))).statusCode());
    logs = LogCapture.start();
    JsonArray batch = events(3_000, "x".repeat(4_000));
    assertTrue(batch.encode().length() > IngestRoutes.OFF_LOOP_BYTES * 20, "the body is far above the off-loop threshold");

    HttpResponse<Buffer> ok = spark.postNow("/api/v1/events", batch);
    assertEquals(200, ok.statusCode(), ok.bodyAsString());
    assertEquals(3_000, ok.bodyAsJsonObject().getJsonArray("ids").size());
    assertEquals(3_100, spark.count("SELECT count(*) FROM events WHERE data LIKE '%large body%' AND data NOT LIKE '%hunter2%'"),
        "every event stored, the password redacted");

    JsonArray bad = events(3_000, "y".repeat(4_000));
    bad.getJsonObject(2_999).put("type", "no-such-type");
    HttpResponse<Buffer> refused = spark.postNow("/api/v1/events", bad);
    assertEquals(400, refused.statusCode(), refused.bodyAsString());
    assertTrue(refused.bodyAsString().contains("[2999]"), "the answer names the bad item: " + refused.bodyAsString());
    assertEquals(3_100, spark.count("SELECT count(*) FROM events"), "nothing of the refused body was stored");

    HttpResponse<Buffer> notJson = spark.postNow("/api/v1/access", "[" + "1,".repeat(300_000));
    assertEquals(400, notJson.statusCode());
    assertEquals("invalid_json", notJson.bodyAsJsonObject().getString("error"), notJson.bodyAsString());

    String held = heldLoops(logs.text());
    assertTrue(held.isEmpty(), "no event loop was held:\n" + held);
  }

  @Test
  void aLargeBatchOnTheEventBusIsValidatedWithoutHoldingAnEventLoop(@TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    Await.result(vertx.eventBus().request(Addresses.INGEST_EVENT, events(100, "w".repeat(4_000))));
    logs = LogCapture.start();
    // Many small fields per input: about a second of validation on one thread, 20 MB of JSON.
    JsonArray batch = events(5_000, "x");
    for (int i = 0; i < batch.size(); i++) {
      JsonObject input = batch.getJsonObject(i).getJsonObject("input");
      for (int k = 0; k < 300; k++) input.put("field" + k, k);
    }
    assertTrue(batch.size() > Ingestor.OFF_LOOP_ITEMS, "the batch is above the off-loop threshold");

    Message<Object> ok = Await.result(vertx.eventBus().request(Addresses.INGEST_EVENT, batch));
    assertEquals(5_000, ((JsonObject) ok.body()).getJsonArray("ids").size());
    assertEquals(5_100, spark.count("SELECT count(*) FROM events WHERE data LIKE '%large body%' AND data NOT LIKE '%hunter2%'"),
        "every event stored, the password redacted");

    batch.getJsonObject(4_999).put("type", "no-such-type");
    Throwable refused = Await.failure(vertx.eventBus().request(Addresses.INGEST_EVENT, batch));
    assertEquals(400, ((ReplyException) refused).failureCode(), refused.toString());
    assertTrue(refused.getMessage().contains("[4999]"), "the answer names the bad item: " + refused.getMessage());
    assertEquals(5_100, spark.count("SELECT count(*) FROM events"), "nothing of the refused batch was stored");

    String held = heldLoops(logs.text());
    assertTrue(held.isEmpty(), "no event loop was held:\n" + held);
  }

  /**
   * The checker's warnings with a stack that shows work. One whose stack is the idle wait for I/O
   * (EPoll.wait) is the checker itself running late on a loaded machine, not a held loop.
   */
  private static String heldLoops(String text) {
    StringBuilder out = new StringBuilder();
    String[] parts = text.split("(?=\\S* ?WARNING io.vertx.core.impl.BlockedThreadChecker)");
    for (String part : parts) {
      if (!part.contains("has been blocked") || part.contains("EPoll.wait")) continue;
      out.append(part, 0, Math.min(part.length(), 2_000)).append('\n');
    }
    return out.toString();
  }
}
