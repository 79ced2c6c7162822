package dev.spark.web;

import dev.spark.support.Await;
import dev.spark.support.LoudLogs;
import dev.spark.support.RawHttp;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18, findings 4 to 7, over raw sockets against a real Spark: each hostile query is a 400 naming
 * the parameter (on main: 500s with a DateTimeException, or silently accepted), MCP messages with
 * params or arguments of the wrong shape are JSON-RPC errors (on main: HTTP 500, or wrapped integers),
 * invalid UTF-8 in every form is a 400 that stores nothing, error answers echo a short prefix only,
 * an event's environment is capped, HEAD works where GET does, and access rows carry {@code input}.
 */
@ExtendWith(VertxExtension.class)
class HostileRequestsTest {
  private static final String AUTH = "Authorization: Bearer " + SparkUnderTest.TOKEN + "\r\n";
  private static final String LONG = "x".repeat(5_000);

  @Test
  void everyHostileQueryIsA400NamingTheParameter(Vertx vertx, @TempDir Path dir) throws Exception {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    List<String[]> queries = List.of(
        new String[] {"/api/v1/access/stats?since=%2B999999999-01-01T00:00:00Z", "since"},
        new String[] {"/api/v1/access/stats?until=-999999999-01-01T00:00:00Z", "until"},
        new String[] {"/api/v1/access/timeline?since=-999999999-01-01T00:00:00Z", "since"},
        new String[] {"/api/v1/access/timeline?until=%2B999999999-12-31T23:59:59Z", "until"},
        new String[] {"/api/v1/events?since=%2B10000-01-01T00:00:00Z", "since"},
        new String[] {"/api/v1/access?until=%2B10000-01-01T00:00:00Z", "until"},
        new String[] {"/api/v1/events?since=999999999999999", "since"},
        new String[] {"/api/v1/events?limit=1.9", "limit"},
        new String[] {"/api/v1/events?limit=18446744073709551617", "limit"},
        new String[] {"/api/v1/access?before=-1", "before"},
        new String[] {"/api/v1/access?path=" + "p".repeat(3_000), "path"},
        new String[] {"/api/v1/events?consumed=", "consumed"},
        new String[] {"/api/v1/stream?observe=", "observe"},
        new String[] {"/api/v1/issues?sort=%1B%5D0%3Bpwned%07" + "z".repeat(500), "sort"});
    for (String[] q : queries) {
      RawHttp.Answer a = get(spark, q[0]);
      assertEquals(400, a.status(), q[0] + ": " + a);
      JsonObject body = new JsonObject(a.text());
      assertEquals(q[1], body.getString("field"), q[0] + ": " + a);
      assertTrue(a.body().length < 600, "the answer echoes at most a short prefix: " + a.body().length + " bytes for " + q[0]);
      for (byte b : a.body()) assertTrue((b & 0xff) >= 0x20, "no raw control character in " + a.text());
    }
    // Broken percent-escapes and percent-encoded invalid UTF-8 (overlong, CESU-8 surrogate, stray byte).
    for (String target : List.of("/api/v1/events?type=%zz", "/api/v1/events?type=%C0%AF", "/api/v1/events?type=%ED%A0%80",
        "/api/v1/access?path=%FF", "/api/v1/issues/%ED%B0%80")) {
      RawHttp.Answer a = get(spark, target);
      assertEquals(400, a.status(), target + ": " + a);
    }
    assertEquals(200, get(spark, "/api/v1/events?since=9999-12-31T23:59:59Z&limit=5").status());
  }

  @Test
  void mcpParamsAndArgumentsOfTheWrongShapeAreJsonRpcErrors(Vertx vertx, @TempDir Path dir) throws Exception {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    assertEquals(200, spark.postNow("/api/v1/events", "{\"type\":\"server-error\",\"error\":{\"message\":\"one\"}}").statusCode());
    try (LoudLogs logs = LoudLogs.start()) {
      for (String params : List.of("[1,2]", "\"x\"", "7", "true")) {
        JsonObject answer = mcp(spark, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":" + params + "}");
        int code = answer.getJsonObject("error").getInteger("code");
        assertTrue(code == -32602 || code == -32600, params + ": " + answer);
      }
      String[][] calls = {
          {"{\"name\":\"get_event\",\"arguments\":{\"id\":18446744073709551617}}", "id"},
          {"{\"name\":\"get_event\",\"arguments\":{\"id\":1.9}}", "id"},
          {"{\"name\":\"get_event\",\"arguments\":{\"id\":\"1\"}}", "id"},
          {"{\"name\":\"get_event\",\"arguments\":{}}", "id"},
          {"{\"name\":\"recent_events\",\"arguments\":{\"limit\":1e300}}", "limit"},
          {"{\"name\":\"recent_events\",\"arguments\":{\"since\":\"+10000-01-01T00:00:00Z\"}}", "since"},
          {"{\"name\":\"recent_events\",\"arguments\":{\"consumed\":\"maybe\"}}", "consumed"},
          {"{\"name\":\"recent_events\",\"arguments\":{\"limt\":5}}", "limt"},
          {"{\"name\":\"access_stats\",\"arguments\":{\"until\":\"-999999999-01-01T00:00:00Z\"}}", "until"},
          {"{\"name\":\"query_access_logs\",\"arguments\":{\"path\":\"" + LONG + "\"}}", "path"},
          {"{\"name\":\"recent_events\",\"arguments\":\"limit=5\"}", "arguments"},
          {"{\"name\":7}", "name"}};
      for (String[] call : calls) {
        JsonObject answer = mcp(spark, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":" + call[0] + "}");
        JsonObject error = answer.getJsonObject("error");
        assertNotNull(error, call[0] + ": " + answer);
        assertEquals(-32602, error.getInteger("code"), call[0] + ": " + answer);
        assertEquals(call[1], error.getJsonObject("data").getString("field"), call[0] + ": " + answer);
        assertTrue(error.getString("message").length() < 400, error.getString("message"));
      }
      JsonObject one = mcp(spark, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"get_event\",\"arguments\":{\"id\":1.0}}}");
      assertEquals(1, one.getJsonObject("result").getJsonObject("structuredContent").getInteger("id"), one.encode());
      for (String bad : List.of("{\"jsonrpc\":2,\"id\":1,\"method\":\"ping\"}", "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}",
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}")) {
        assertEquals(-32600, mcp(spark, bad).getJsonObject("error").getInteger("code"), bad);
      }
      assertEquals(List.of(), logs.records());
    }
  }

  @Test
  void invalidUtf8InEveryFormIsA400ThatStoresNothing(Vertx vertx, @TempDir Path dir) throws Exception {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    byte[][] insides = {
        {(byte) 0xC0, (byte) 0xAF}, // overlong "/"
        {(byte) 0xC0, (byte) 0x80}, // overlong NUL
        {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, // overlong, three bytes
        {(byte) 0xED, (byte) 0xA0, (byte) 0xBD, (byte) 0xED, (byte) 0xB8, (byte) 0x80}, // CESU-8 of U+1F600
        {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded lone surrogate
        "\\ud800".getBytes(StandardCharsets.US_ASCII), // escaped lone surrogates, high and low
        "\\udc00x".getBytes(StandardCharsets.US_ASCII),
        "\\uDBFF".getBytes(StandardCharsets.US_ASCII)};
    for (byte[] inside : insides) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      body.writeBytes("{\"type\":\"server-error\",\"error\":{\"message\":\"a".getBytes(StandardCharsets.US_ASCII));
      body.writeBytes(inside);
      body.writeBytes("b\"}}".getBytes(StandardCharsets.US_ASCII));
      HttpResponse<Buffer> r = Await.result(spark.client().post("/api/v1/events").sendBuffer(Buffer.buffer(body.toByteArray())));
      assertEquals(400, r.statusCode(), new String(inside, StandardCharsets.ISO_8859_1) + ": " + r.bodyAsString());
      assertEquals(400, Await.result(spark.client().post("/api/v1/access").sendBuffer(Buffer.buffer(
          body.toString(StandardCharsets.ISO_8859_1).replace("\"type\":\"server-error\",\"error\":{\"message\"", "\"method\":\"GET\",\"status\":200,\"path\"")
              .replace("b\"}}", "b\"}").getBytes(StandardCharsets.ISO_8859_1)))).statusCode());
    }
    assertEquals(0, spark.count("SELECT count(*) FROM events"));
    assertEquals(0, spark.count("SELECT count(*) FROM access_logs"));
    // A proper pair, escaped or not, is text.
    assertEquals(200, spark.postNow("/api/v1/events", "{\"type\":\"server-error\",\"error\":{\"message\":\"\\ud83d\\ude00 😀\"}}").statusCode());
  }

  @Test
  void stringFieldsAreCappedHeadWorksAndAccessRowsCarryInput(Vertx vertx, @TempDir Path dir) throws Exception {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    String env = "e".repeat(1_000_000);
    HttpResponse<Buffer> r = spark.postNow("/api/v1/events", new JsonObject().put("type", "server-error").put("environment", env)
        .put("error", new JsonObject().put("message", "m")));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertTrue(spark.count("SELECT length(environment) FROM events") <= 256);
    assertTrue(spark.getJson("/api/v1/events").encode().length() < 100_000);

    assertEquals(200, spark.postNow("/api/v1/access", "{\"method\":\"GET\",\"path\":\"/x\",\"status\":200}").statusCode());
    JsonObject row = spark.getJson("/api/v1/access").getJsonArray("access").getJsonObject(0);
    assertTrue(row.containsKey("input") && row.getValue("input") == null, row.encode());

    for (String target : List.of("/health", "/metrics", "/api/v1/events", "/login", "/assets/favicon.svg")) {
      RawHttp.Answer got = get(spark, target);
      RawHttp.Answer head = RawHttp.exchange(spark.port, RawHttp.request("HEAD", target, "127.0.0.1", AUTH, ""));
      assertEquals(got.status(), head.status(), "HEAD " + target + ": " + head);
      assertEquals(0, head.body().length, "HEAD has no body: " + target);
      assertEquals(got.headers().get("content-type"), head.headers().get("content-type"), target);
    }
    assertEquals(405, RawHttp.exchange(spark.port, RawHttp.request("HEAD", "/api/v1/stream", "127.0.0.1", AUTH, "")).status(),
        "HEAD on the stream does not connect a consuming agent");
    // Deliberate (README, Reliability): Vert.x refuses any version but 1.0/1.1 with 501 before Spark sees the request.
    RawHttp.Answer h2 = RawHttp.exchange(spark.port, "POST /api/v1/events HTTP/2.0\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}");
    assertEquals(501, h2.status(), h2.toString());
    assertEquals(1, spark.count("SELECT count(*) FROM events"));
  }

  private static RawHttp.Answer get(SparkUnderTest spark, String target) throws Exception {
    return RawHttp.exchange(spark.port, RawHttp.request("GET", target, "127.0.0.1:" + spark.port, AUTH, ""));
  }

  private static JsonObject mcp(SparkUnderTest spark, String message) throws Exception {
    RawHttp.Answer a = RawHttp.exchange(spark.port, RawHttp.request("POST", "/mcp", "127.0.0.1", AUTH
        + "Content-Type: application/json\r\nAccept: application/json\r\n", message));
    assertTrue(a.status() < 500, message + ": " + a);
    return new JsonObject(a.text());
  }
}
