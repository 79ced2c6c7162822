package dev.spark.client;

import dev.spark.event.StoredEvent;
import dev.spark.support.Await;
import dev.spark.support.EventWatch;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SparkWeb on a real Vert.x Web app over loopback HTTP, reporting to a real Spark. */
@ExtendWith(VertxExtension.class)
class SparkWebTest {
  private static final String UUID_V7 = "[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

  @Test
  void everyKindOfRequestGetsOneAccessRowWithStatusFeatureAndError(Vertx vertx, @TempDir Path dir) throws Exception {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    Path www = Files.createDirectories(dir.resolve("www"));
    Files.writeString(www.resolve("hello.txt"), "hello, static world");
    Router api = Router.router(vertx);
    api.get("/items/:id").handler(ctx -> ctx.end("item " + ctx.pathParam("id")));
    api.get("/items/:id/boom").handler(ctx -> {
      throw new IllegalStateException("sub-router boom");
    });
    WebFixture app = WebFixture.start(vertx, SparkClient.create(vertx), new SparkWebOptions(), router -> {
      router.route().handler(BodyHandler.create(false).setBodyLimit(100));
      router.get("/named").setName("named-feature").handler(ctx -> ctx.end("ok"));
      router.get("/api/users/:id").handler(ctx -> ctx.json(new JsonObject().put("id", ctx.pathParam("id"))));
      router.post("/api/users/:id").handler(ctx -> {
        throw new IllegalStateException("boom in " + ctx.pathParam("id"));
      });
      router.post("/echo").setName("echo").handler(ctx -> ctx.json(ctx.body().asJsonObject()));
      router.get("/unavailable").setName("unavailable").handler(ctx -> ctx.fail(503));
      router.route("/static/*").handler(StaticHandler.create(FileSystemAccess.ROOT, www.toString()));
      router.route("/v2/*").subRouter(api);
    });

    EventWatch watch = Await.result(EventWatch.start(app.client));
    HttpResponse<Buffer> named = Await.result(app.http.get("/named").send());
    HttpResponse<Buffer> templated = Await.result(app.http.get("/api/users/7").send());
    HttpResponse<Buffer> thrown = Await.result(app.http.post("/api/users/8").send());
    HttpResponse<Buffer> notFound = Await.result(app.http.get("/nothing/here").send());
    HttpResponse<Buffer> wrongMethod = Await.result(app.http.delete("/named").send());
    HttpResponse<Buffer> file = Await.result(app.http.get("/static/hello.txt").send());
    HttpResponse<Buffer> tooLarge = Await.result(app.http.post("/echo").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{\"text\":\"" + "x".repeat(500) + "\"}")));
    HttpResponse<Buffer> badJson = Await.result(app.http.post("/echo").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{not json")));
    HttpResponse<Buffer> unavailable = Await.result(app.http.get("/unavailable").send());
    HttpResponse<Buffer> sub = Await.result(app.http.get("/v2/items/42").send());
    HttpResponse<Buffer> subBoom = Await.result(app.http.get("/v2/items/42/boom").send());

    assertEquals(200, named.statusCode());
    assertEquals(200, templated.statusCode());
    assertEquals(500, thrown.statusCode());
    assertEquals(404, notFound.statusCode());
    assertEquals(405, wrongMethod.statusCode());
    assertEquals("hello, static world", file.bodyAsString());
    assertEquals(413, tooLarge.statusCode());
    assertEquals(500, badJson.statusCode());
    assertEquals(503, unavailable.statusCode());
    assertEquals("item 42", sub.bodyAsString());
    assertEquals(500, subBoom.statusCode());

    Map<String, JsonObject> rows = app.accessRows(spark, 11);
    assertRow(rows, named, "GET", "/named", 200, "named-feature", null);
    assertRow(rows, templated, "GET", "/api/users/7", 200, "/api/users/:id", null);
    assertRow(rows, thrown, "POST", "/api/users/8", 500, "/api/users/:id", "boom in 8");
    assertRow(rows, notFound, "GET", "/nothing/here", 404, null, null);
    assertRow(rows, wrongMethod, "DELETE", "/named", 405, null, null);
    assertRow(rows, file, "GET", "/static/hello.txt", 200, "/static/*", null);
    assertRow(rows, tooLarge, "POST", "/echo", 413, "echo", "Request Entity Too Large");
    assertRow(rows, badJson, "POST", "/echo", 500, "echo", "Unexpected character");
    assertRow(rows, unavailable, "GET", "/unavailable", 503, "unavailable", "HTTP 503");
    assertRow(rows, sub, "GET", "/v2/items/42", 200, "/v2/items/:id", null);
    assertRow(rows, subBoom, "GET", "/v2/items/42/boom", 500, "/v2/items/:id/boom", "sub-router boom");
    for (JsonObject row : rows.values()) {
      assertTrue(row.getString("requestId").matches(UUID_V7), "fresh UUIDv7 request ids: " + row);
      assertEquals("127.0.0.1", row.getString("ip"));
    }

    // 5xx and exceptions are server errors; 404, 405 and 413 are not.
    assertEquals(4, spark.count("SELECT count(*) FROM events WHERE type = 'server-error'"));
    StoredEvent boom = Await.result(watch.awaitTrace(thrown.getHeader("X-Request-Id")));
    assertEquals("/api/users/:id", boom.row().feature());
    assertEquals("POST /api/users/8", boom.row().route());
    assertEquals(500, boom.row().status());
    JsonObject error = new JsonObject(boom.row().data()).getJsonObject("error");
    assertEquals("boom in 8", error.getString("message"));
    assertEquals(IllegalStateException.class.getName(), error.getString("type"));
    assertTrue(error.getString("stack").contains("SparkWebTest"), "the stack names the throwing code");
    StoredEvent decode = Await.result(watch.awaitTrace(badJson.getHeader("X-Request-Id")));
    assertEquals("echo", decode.row().feature());
    StoredEvent down = Await.result(watch.awaitTrace(unavailable.getHeader("X-Request-Id")));
    assertEquals(503, down.row().status());
    assertEquals("HTTP 503 Service Unavailable", new JsonObject(down.row().data()).getJsonObject("error").getString("message"));
    StoredEvent inSubRouter = Await.result(watch.awaitTrace(subBoom.getHeader("X-Request-Id")));
    assertEquals("/v2/items/:id/boom", inSubRouter.row().feature());
    assertEquals("GET /v2/items/42/boom", inSubRouter.row().route());
    assertEquals(0, app.web.refused());
    assertEquals(0, app.web.internalErrors());
    app.close();
  }

  @Test
  void incomingRequestIdsAndTraceparentsAreHonouredAndEchoed(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    WebFixture app = WebFixture.start(vertx, SparkClient.create(vertx), new SparkWebOptions(), router -> {
      router.get("/ok").handler(ctx -> ctx.end(SparkWeb.requestId(ctx)));
      router.get("/fail").handler(ctx -> ctx.fail(new IllegalArgumentException("bad")));
    });
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    String traceparent = "00-" + traceId + "-00f067aa0ba902b7-01";
    String failingTraceId = "0af7651916cd43dd8448eb211c80319c";

    HttpResponse<Buffer> given = Await.result(app.http.get("/ok").putHeader("X-Request-Id", "req-123.abc").send());
    HttpResponse<Buffer> traced = Await.result(app.http.get("/ok").putHeader("traceparent", traceparent).send());
    HttpResponse<Buffer> both = Await.result(app.http.get("/ok").putHeader("X-Request-Id", "wins").putHeader("traceparent", traceparent).send());
    HttpResponse<Buffer> malformed = Await.result(app.http.get("/ok").putHeader("X-Request-Id", "has spaces in it")
        .putHeader("traceparent", "00-" + "0".repeat(32) + "-00f067aa0ba902b7-01").send());
    HttpResponse<Buffer> tooLong = Await.result(app.http.get("/ok").putHeader("X-Request-Id", "x".repeat(129)).send());
    HttpResponse<Buffer> failing = Await.result(app.http.get("/fail")
        .putHeader("traceparent", "00-" + failingTraceId + "-b7ad6b7169203331-00").send());

    assertEquals("req-123.abc", given.getHeader("X-Request-Id"));
    assertEquals("req-123.abc", given.bodyAsString(), "the app sees the same id");
    assertEquals(traceId, traced.getHeader("X-Request-Id"));
    assertEquals("wins", both.getHeader("X-Request-Id"));
    assertTrue(malformed.getHeader("X-Request-Id").matches(UUID_V7), malformed.getHeader("X-Request-Id"));
    assertTrue(tooLong.getHeader("X-Request-Id").matches(UUID_V7));
    assertNotEquals(malformed.getHeader("X-Request-Id"), tooLong.getHeader("X-Request-Id"));
    assertEquals(failingTraceId, failing.getHeader("X-Request-Id"));
    assertEquals(500, failing.statusCode());

    Map<String, JsonObject> rows = app.accessRows(spark, 6);
    assertTrue(rows.containsKey("req-123.abc"));
    assertTrue(rows.containsKey(traceId));
    assertTrue(rows.containsKey("wins"));
    assertTrue(rows.containsKey(malformed.getHeader("X-Request-Id")));
    assertTrue(rows.containsKey(tooLong.getHeader("X-Request-Id")));
    assertEquals(500, rows.get(failingTraceId).getInteger("status"));
    assertEquals(1, spark.count("SELECT count(*) FROM events"));
    assertEquals(1, spark.count("SELECT count(*) FROM events WHERE type = 'server-error' AND trace_id = '" + failingTraceId + "'"),
        "the event's traceId is the traceparent's trace id");
    app.close();
  }

  @Test
  void theAppsOwnFailureAndErrorHandlersStillAnswer(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    WebFixture app = WebFixture.start(vertx, SparkClient.create(vertx), new SparkWebOptions(), router -> {
      router.get("/specific").setName("specific").handler(ctx -> {
        throw new IllegalStateException("specific boom");
      }).failureHandler(ctx -> ctx.response().setStatusCode(502).end("specific handler: " + ctx.failure().getMessage()));
      router.get("/global").setName("global").handler(ctx -> ctx.fail(new HttpException(418, "teapot")));
      router.get("/unhandled").setName("unhandled").handler(ctx -> {
        throw new UnsupportedOperationException("nobody handles me");
      });
      router.route("/global").failureHandler(ctx -> ctx.response().setStatusCode(ctx.statusCode()).end("global handler"));
      router.errorHandler(500, ctx -> ctx.response().setStatusCode(500).end("error handler: " + ctx.failure().getMessage()));
      router.errorHandler(404, ctx -> ctx.response().setStatusCode(404).end("custom 404"));
    }, true); // installed after the app's routes and failure handlers: it still runs first

    HttpResponse<Buffer> specific = Await.result(app.http.get("/specific").send());
    HttpResponse<Buffer> global = Await.result(app.http.get("/global").send());
    HttpResponse<Buffer> unhandled = Await.result(app.http.get("/unhandled").send());
    HttpResponse<Buffer> missing = Await.result(app.http.get("/missing").send());

    assertEquals(502, specific.statusCode());
    assertEquals("specific handler: specific boom", specific.bodyAsString());
    assertEquals(418, global.statusCode());
    assertEquals("global handler", global.bodyAsString());
    assertEquals(500, unhandled.statusCode());
    assertEquals("error handler: nobody handles me", unhandled.bodyAsString());
    assertEquals(404, missing.statusCode());
    assertEquals("custom 404", missing.bodyAsString());
    for (HttpResponse<Buffer> r : new HttpResponse[] {specific, global, unhandled, missing}) {
      assertNotNull(r.getHeader("X-Request-Id"), "every answer carries the request id");
    }

    Map<String, JsonObject> rows = app.accessRows(spark, 4);
    assertRow(rows, specific, "GET", "/specific", 502, "specific", "specific boom");
    assertRow(rows, global, "GET", "/global", 418, "global", "teapot");
    assertRow(rows, unhandled, "GET", "/unhandled", 500, "unhandled", "nobody handles me");
    assertRow(rows, missing, "GET", "/missing", 404, null, null);
    assertEquals(2, spark.count("SELECT count(*) FROM events"), "the two exceptions; the 418 HttpException is an answer, not a bug");
    assertEquals(1, spark.count("SELECT count(*) FROM events WHERE feature = 'specific' AND status = 502"));
    assertEquals(1, spark.count("SELECT count(*) FROM events WHERE feature = 'unhandled' AND status = 500"));
    app.close();
  }

  @Test
  void durationRunsToTheEndOrToTheFirstByteOfAStreamedResponse(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    WebFixture app = WebFixture.start(vertx, SparkClient.create(vertx), new SparkWebOptions(), router -> {
      router.get("/slow").setName("slow").handler(ctx -> vertx.setTimer(300, t -> ctx.end("done")));
      router.get("/stream").setName("stream").handler(ctx -> {
        ctx.response().setChunked(true).write("first chunk\n");
        vertx.setTimer(300, t -> ctx.response().end("last chunk\n"));
      });
    });
    HttpResponse<Buffer> slow = Await.result(app.http.get("/slow").send());
    HttpResponse<Buffer> stream = Await.result(app.http.get("/stream").send());
    assertEquals("first chunk\nlast chunk\n", stream.bodyAsString());

    Map<String, JsonObject> rows = app.accessRows(spark, 2);
    long slowMs = rows.get(slow.getHeader("X-Request-Id")).getLong("durationMs");
    long streamMs = rows.get(stream.getHeader("X-Request-Id")).getLong("durationMs");
    assertTrue(slowMs >= 300, "to the response end: " + slowMs);
    assertTrue(streamMs < 300, "to the first byte: " + streamMs);
    app.close();
  }

  @Test
  void xForwardedForCountsOnlyWhenProxiesAreTrusted(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    SparkClient client = SparkClient.create(vertx);
    WebFixture untrusted = WebFixture.start(vertx, client, new SparkWebOptions(), r -> r.get("/").handler(ctx -> ctx.end()));
    WebFixture oneProxy = WebFixture.start(vertx, client, new SparkWebOptions().setTrustedProxies(1), r -> r.get("/").handler(ctx -> ctx.end()));
    String xff = "6.6.6.6, 203.0.113.7";
    HttpResponse<Buffer> a = Await.result(untrusted.http.get("/").putHeader("X-Forwarded-For", xff).send());
    HttpResponse<Buffer> b = Await.result(oneProxy.http.get("/").putHeader("X-Forwarded-For", xff).send());
    HttpResponse<Buffer> c = Await.result(oneProxy.http.get("/").send());
    // Both fixtures report to one Spark, so each row is found by its request id (the three may commit in any order).
    Await.result(untrusted.tap.awaitAccess(1));
    Await.result(oneProxy.tap.awaitAccess(2));
    dev.spark.support.Poll.until("the three rows", 10_000, () -> spark.count("SELECT count(*) FROM access_logs WHERE request_id IN ('"
        + a.getHeader("X-Request-Id") + "', '" + b.getHeader("X-Request-Id") + "', '" + c.getHeader("X-Request-Id") + "')") == 3);
    assertEquals(1, spark.count("SELECT count(*) FROM access_logs WHERE request_id = '" + a.getHeader("X-Request-Id") + "' AND ip = '127.0.0.1'"),
        "no trusted proxy: the peer, whatever X-Forwarded-For says");
    assertEquals(1, spark.count("SELECT count(*) FROM access_logs WHERE request_id = '" + b.getHeader("X-Request-Id") + "' AND ip = '203.0.113.7'"),
        "one trusted proxy: the right-most address");
    assertEquals(1, spark.count("SELECT count(*) FROM access_logs WHERE request_id = '" + c.getHeader("X-Request-Id") + "' AND ip = '127.0.0.1'"),
        "no header: the peer");
    untrusted.close();
    oneProxy.close();
  }

  private static void assertRow(Map<String, JsonObject> rows, HttpResponse<Buffer> response, String method, String path,
      int status, String feature, String errorContains) {
    String id = response.getHeader("X-Request-Id");
    assertNotNull(id, method + " " + path + " has no X-Request-Id");
    JsonObject row = rows.get(id);
    assertNotNull(row, "no access row for " + method + " " + path + " (" + id + ")");
    assertEquals(method, row.getString("method"), row.encode());
    assertEquals(path, row.getString("path"), row.encode());
    assertEquals(status, row.getInteger("status"), row.encode());
    assertEquals(feature, row.getString("feature"), row.encode());
    assertNotNull(row.getLong("durationMs"));
    assertFalse(row.getString("userAgent", "").isEmpty());
    if (errorContains == null) assertNull(row.getString("error"), row.encode());
    else assertTrue(row.getString("error", "").contains(errorContains), row.encode());
  }
}
