package dev.spark.alerts;

import dev.spark.support.Await;
import dev.spark.support.Poll;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /api/v1/alerts/deliveries} is read on the read pool: it answers while the single writer
 * cannot commit (another connection holds the file's write lock, so the writer and its queue are
 * stuck), and each state of a delivery has the documented shape.
 */
@ExtendWith(VertxExtension.class)
class AlertDeliveriesApiTest {
  static final Set<String> FIELDS = Set.of("id", "deliveryId", "rule", "target", "kind", "fingerprint", "eventId", "title", "link",
      "status", "attempts", "nextAttemptAt", "lastError", "createdAt", "updatedAt");

  @Test
  void theListAnswersWhileTheWriterCannotWrite(Vertx vertx, @TempDir Path dir) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, 0);
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir,
        AlertsDeliveryTest.alerts(hook.port, new JsonArray().add(AlertsDeliveryTest.rule("new", 0, "new-issue"))));
    AlertsDeliveryTest.post(spark, AlertsDeliveryTest.error("stored before the writer is held"));
    assertEquals("delivered", AlertsDeliveryTest.awaitFinished(spark).getString("status"));

    try (Connection holder = DriverManager.getConnection("jdbc:sqlite:" + spark.db)) {
      try (Statement st = holder.createStatement()) {
        st.execute("BEGIN IMMEDIATE");  // the write lock: the writer's next commit waits for it
      }
      Future<HttpResponse<Buffer>> stuck = spark.post("/api/v1/events", AlertsDeliveryTest.error("waits for the writer"));
      JsonArray list = spark.getJson("/api/v1/alerts/deliveries").getJsonArray("deliveries");
      assertFalse(stuck.isComplete(), "the writer was held all along (the event is not stored yet)");
      assertEquals(1, list.size(), list.encode());
      assertEquals("delivered", list.getJsonObject(0).getString("status"));
      try (Statement st = holder.createStatement()) {
        st.execute("ROLLBACK");
      }
      assertEquals(200, Await.result(stuck).statusCode(), "the writer carries on once the lock is gone");
    }
    spark.stop();
    hook.stop();
  }

  @Test
  void deliveredDroppedAndPendingDeliveriesHaveTheDocumentedShape(Vertx vertx, @TempDir Path dir) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, 0);
    JsonObject cfg = AlertsDeliveryTest.alerts(hook.port, new JsonArray().add(AlertsDeliveryTest.rule("new", 0, "new-issue")));
    cfg.getJsonObject("alerts").put("retryDelayMs", 600_000);
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, cfg);
    AlertsDeliveryTest.post(spark, AlertsDeliveryTest.error("first: delivered"));
    assertEquals("delivered", AlertsDeliveryTest.awaitFinished(spark).getString("status"));
    hook.answer(404);
    AlertsDeliveryTest.post(spark, AlertsDeliveryTest.error("second: refused"));
    assertEquals("dropped", AlertsDeliveryTest.awaitFinished(spark).getString("status"));
    hook.answer(503);
    long before = System.currentTimeMillis();
    AlertsDeliveryTest.post(spark, AlertsDeliveryTest.error("third: retried later"));
    JsonArray list = Poll.until("the third delivery's first attempt to be recorded", 10_000, () -> {
      JsonArray l = spark.getJson("/api/v1/alerts/deliveries").getJsonArray("deliveries");
      return l.size() == 3 && l.getJsonObject(0).getInteger("attempts") == 1 ? l : null;
    });

    for (Object o : list) assertEquals(FIELDS, ((JsonObject) o).fieldNames(), ((JsonObject) o).encode());
    JsonObject pending = list.getJsonObject(0);
    JsonObject dropped = list.getJsonObject(1);
    JsonObject delivered = list.getJsonObject(2);
    assertEquals("pending", pending.getString("status"));
    assertEquals("HTTP 503", pending.getString("lastError").substring(0, 8), pending.encode());
    long next = Instant.parse(pending.getString("nextAttemptAt")).toEpochMilli();
    assertTrue(next >= before + 600_000 && next < System.currentTimeMillis() + 600_000 + 1_000, pending.encode());
    assertEquals("dropped", dropped.getString("status"));
    assertNull(dropped.getValue("nextAttemptAt"));
    assertTrue(dropped.getString("lastError").startsWith("HTTP 404"), dropped.encode());
    assertEquals("delivered", delivered.getString("status"));
    assertNull(delivered.getValue("lastError"));
    assertEquals(1, delivered.getInteger("attempts"));
    assertEquals(1L, delivered.getLong("eventId"));
    assertEquals("https://spark.example.test/#events/1", delivered.getString("link"));
    assertTrue(delivered.getString("title").contains("first: delivered"), delivered.encode());
    assertTrue(list.getJsonObject(0).getLong("id") > list.getJsonObject(1).getLong("id"), "newest first");
    assertEquals(1, spark.getJson("/api/v1/alerts/deliveries?limit=1").getJsonArray("deliveries").size());

    spark.stop();
    hook.stop();
  }
}
