package dev.spark.demo;

import dev.spark.client.SparkClient;
import dev.spark.client.SparkWebOptions;
import dev.spark.event.StoredEvent;
import dev.spark.support.Await;
import dev.spark.support.EventWatch;
import dev.spark.support.SparkUnderTest;
import dev.spark.support.SseTestClient;
import dev.spark.support.Tap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README walkthrough as a test: a real Spark, the real demo over real HTTP, real SQLite files. */
@ExtendWith(VertxExtension.class)
class DemoWalkthroughTest {

  @Test
  void sparkCatchesTheDemoBugWithItsRequestIdFeatureStackAndRedactedInput(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    SparkClient client = SparkClient.create(vertx);
    Tap tap = new Tap();
    EventWatch watch = Await.result(EventWatch.start(client));
    SseTestClient agent = Await.result(SseTestClient.connect(vertx, spark.port, null, null));
    DemoApp app = Await.result(DemoApp.start(vertx, client, new SparkWebOptions().setTap(tap), "127.0.0.1", 0,
        dir.resolve("demo/demo.db")));
    WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(app.port()));

    HttpResponse<Buffer> list = Await.result(http.get("/api/products").send());
    HttpResponse<Buffer> one = Await.result(http.get("/api/products/2?expand=true").send());
    HttpResponse<Buffer> missing = Await.result(http.get("/no/such/page").send());
    HttpResponse<Buffer> bug = Await.result(http.post("/api/users").putHeader("Content-Type", "application/json")
        .sendJsonObject(new JsonObject().put("email", "ada@example.com").put("password", "hunter2")));
    assertEquals(200, list.statusCode());
    assertEquals(3, list.bodyAsJsonObject().getJsonArray("products").size());
    assertEquals("Flux capacitor", one.bodyAsJsonObject().getString("name"));
    assertEquals(404, missing.statusCode());
    assertEquals(500, bug.statusCode());

    // The app's own failure handler answered, with the id Spark gave the request.
    String traceId = bug.getHeader("X-Request-Id");
    assertNotNull(traceId, "the failing response carries X-Request-Id");
    assertEquals("Something went wrong on our side", bug.bodyAsJsonObject().getString("error"));
    assertEquals(traceId, bug.bodyAsJsonObject().getString("requestId"));

    // The server-error, as stored
    StoredEvent event = Await.result(watch.awaitTrace(traceId));
    assertEquals("server-error", event.row().type());
    assertEquals("sign-up", event.row().feature());
    assertEquals("POST /api/users", event.row().route());
    assertEquals(500, event.row().status());
    JsonObject data = new JsonObject(event.row().data());
    JsonObject error = data.getJsonObject("error");
    assertTrue(error.getString("message").contains("no such table: users"), error.getString("message"));
    assertTrue(error.getString("stack").contains("\tat "), "a Java stack trace");
    JsonObject input = data.getJsonObject("request").getJsonObject("input");
    assertEquals("[REDACTED]", input.getString("password"));
    assertEquals("ada@example.com", input.getString("email"));

    // Every request has its access-log row, with the id its response carried.
    Await.result(tap.awaitAccess(4));
    Await.result(Tap.committed(app.sparkWeb(), client));
    JsonArray rows = spark.getJson("/api/v1/access?limit=100").getJsonArray("access");
    Map<String, JsonObject> byRequestId = new HashMap<>();
    for (Object o : rows) {
      JsonObject row = (JsonObject) o;
      if (!Tap.BARRIER_PATH.equals(row.getString("path"))) byRequestId.put(row.getString("requestId"), row);
    }
    assertEquals(4, byRequestId.size(), "one row per request: " + rows.encodePrettily());
    assertRow(byRequestId.get(list.getHeader("X-Request-Id")), "GET", "/api/products", 200, "list-products");
    JsonObject oneRow = assertRow(byRequestId.get(one.getHeader("X-Request-Id")), "GET", "/api/products/2", 200, "get-product");
    assertEquals("true", oneRow.getJsonObject("input").getString("expand"), "query parameters are the input");
    JsonObject missingRow = assertRow(byRequestId.get(missing.getHeader("X-Request-Id")), "GET", "/no/such/page", 404, null);
    assertNull(missingRow.getString("error"));
    JsonObject bugRow = assertRow(byRequestId.get(traceId), "POST", "/api/users", 500, "sign-up");
    assertTrue(bugRow.getString("error").contains("no such table: users"), bugRow.getString("error"));
    assertEquals("[REDACTED]", bugRow.getJsonObject("input").getString("password"));
    assertEquals("127.0.0.1", bugRow.getString("ip"));
    assertTrue(bugRow.getString("userAgent").startsWith("Vert.x-WebClient"), bugRow.getString("userAgent"));

    // Exactly one event, and the password is nowhere in the file.
    assertEquals(1, spark.count("SELECT count(*) FROM events"));
    assertEquals(1, spark.count("SELECT count(*) FROM events WHERE type = 'server-error' AND trace_id = '" + traceId + "'"));
    assertEquals(0, spark.count("SELECT count(*) FROM events WHERE data LIKE '%hunter2%'"));
    assertEquals(0, spark.count("SELECT count(*) FROM access_logs WHERE input LIKE '%hunter2%'"));

    // The query API and the agent's SSE stream show the same event.
    JsonObject viaApi = spark.getJson("/api/v1/events?type=server-error");
    assertEquals(1, viaApi.getInteger("count"));
    assertEquals(traceId, viaApi.getJsonArray("events").getJsonObject(0).getString("traceId"));
    List<SseTestClient.Received> streamed = Await.result(agent.awaitCount(1));
    assertEquals(traceId, streamed.get(0).data().getString("traceId"));
    assertEquals("sign-up", streamed.get(0).data().getString("feature"));
    assertEquals(0, app.sparkWeb().refused());

    Await.result(agent.close());
    Await.result(app.close());
  }

  @Test
  void aRateLimitedSearchBecomesARateLimitEvent(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    SparkClient client = SparkClient.create(vertx);
    EventWatch watch = Await.result(EventWatch.start(client));
    DemoApp app = Await.result(DemoApp.start(vertx, client, new SparkWebOptions(), "127.0.0.1", 0, dir.resolve("demo.db")));
    WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(app.port()));

    HttpResponse<Buffer> last = null;
    for (int i = 0; i <= DemoApp.SEARCH_LIMIT; i++) last = Await.result(http.get("/api/search?q=duck").send());
    assertEquals(429, last.statusCode());
    StoredEvent event = Await.result(watch.awaitTrace(last.getHeader("X-Request-Id")));
    assertEquals("rate-limit", event.row().type());
    assertEquals("search", event.row().feature());
    JsonObject data = new JsonObject(event.row().data());
    assertEquals("127.0.0.1", data.getString("ip"));
    assertEquals(DemoApp.SEARCH_LIMIT, data.getInteger("limit"));
    assertTrue(data.getInteger("retryAfter") >= 1, data.encode());
    assertEquals(1, spark.count("SELECT count(*) FROM events"), "only the 429 is an event");
    Await.result(app.close());
  }

  private static JsonObject assertRow(JsonObject row, String method, String path, int status, String feature) {
    assertNotNull(row, "no access-log row for " + method + " " + path);
    assertEquals(method, row.getString("method"));
    assertEquals(path, row.getString("path"));
    assertEquals(status, row.getInteger("status"));
    assertEquals(feature, row.getString("feature"));
    assertNotNull(row.getLong("durationMs"));
    assertFalse(row.getString("timestamp").isEmpty());
    return row;
  }
}
