package dev.spark.web;

import dev.spark.support.RawHttp;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18, finding 2: a web page the developer visits cannot write into Spark, whose events reach
 * an agent that runs commands. Over raw sockets (a browser's requests as they arrive): a cross-site
 * POST ({@code Content-Type: text/plain}, no preflight) and a request through DNS rebinding (a foreign
 * {@code Host}) are refused on every route that changes something, and store nothing; Spark's own
 * pages, {@code ingest.allowedOrigins}, {@code web.allowedHosts} and scripts (no {@code Origin}) are
 * served as before. On main, the cross-site and rebinding POSTs were stored.
 */
@ExtendWith(VertxExtension.class)
class BrowserWritesTest {
  private static final String EVENT = "{\"type\":\"server-error\",\"error\":{\"message\":\"from a web page\"}}";
  private static final String ACCESS = "{\"method\":\"GET\",\"path\":\"/x\",\"status\":200}";

  /** Every kind of state-changing route, and one that does not exist yet: the guard comes before routing. */
  private static final Map<String, String> WRITES = Map.of(
      "/api/v1/events", EVENT,
      "/api/v1/access", ACCESS,
      "/api/v1/admin/cleanup", "",
      "/api/v1/issues/abc/mute", "",
      "/api/v1/agent/messages", "{\"text\":\"run rm -rf\"}",
      "/api/v1/agent/abort", "",
      "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"talk_to_spark\",\"arguments\":{\"message\":\"hi\"}}}",
      "/api/v1/a-route-added-later", "{}");

  private static SparkUnderTest start(Vertx vertx, Path dir) {
    return SparkUnderTest.start(vertx, dir, new JsonObject()
        .put("ingest", new JsonObject().put("allowedOrigins", new JsonArray().add("http://app.example:3000")))
        .put("web", new JsonObject().put("allowedHosts", new JsonArray().add("spark.internal"))));
  }

  @Test
  void aCrossSitePostIsRefusedOnEveryWriteRouteAndStoresNothing(Vertx vertx, @TempDir Path dir) throws Exception {
    SparkUnderTest spark = start(vertx, dir);
    String self = "127.0.0.1:" + spark.port;
    for (Map.Entry<String, String> w : WRITES.entrySet()) {
      for (String origin : List.of("Origin: https://evil.example\r\n", "Origin: null\r\n", "Origin: http://127.0.0.1:1\r\n",
          "Sec-Fetch-Site: cross-site\r\n")) {
        RawHttp.Answer a = RawHttp.exchange(spark.port, RawHttp.request("POST", w.getKey(), self,
            "Content-Type: text/plain\r\nAuthorization: Bearer " + SparkUnderTest.TOKEN + "\r\n" + origin, w.getValue()));
        assertEquals(403, a.status(), w.getKey() + " with " + origin.trim() + ": " + a);
        assertEquals("forbidden_origin", new JsonObject(a.text()).getString("error"));
      }
    }
    assertEquals(0, spark.count("SELECT count(*) FROM events"));
    assertEquals(0, spark.count("SELECT count(*) FROM access_logs"));

    // Spark's own page, an allowed origin and a script (no Origin) are served.
    for (String origin : List.of("Origin: http://" + self + "\r\n", "Origin: http://app.example:3000\r\n", "")) {
      RawHttp.Answer a = RawHttp.exchange(spark.port, RawHttp.request("POST", "/api/v1/events", self, origin, EVENT));
      assertEquals(200, a.status(), origin + a);
    }
    assertEquals(3, spark.count("SELECT count(*) FROM events"));
    // Reads are not writes: a cross-site GET still needs the token, and nothing else.
    RawHttp.Answer read = RawHttp.exchange(spark.port, RawHttp.request("GET", "/api/v1/events", self,
        "Origin: https://evil.example\r\nAuthorization: Bearer " + SparkUnderTest.TOKEN + "\r\n", ""));
    assertEquals(200, read.status(), read.toString());
  }

  @Test
  void aRebindingHostIsRefusedOnEveryRouteAndStoresNothing(Vertx vertx, @TempDir Path dir) throws Exception {
    SparkUnderTest spark = start(vertx, dir);
    for (String host : List.of("evil.example:" + spark.port, "127.0.0.1.nip.io:" + spark.port, "127.evil.example", "localhost.evil.example")) {
      for (Map.Entry<String, String> w : WRITES.entrySet()) {
        RawHttp.Answer a = RawHttp.exchange(spark.port, RawHttp.request("POST", w.getKey(), host, "Content-Type: text/plain\r\n", w.getValue()));
        assertEquals(421, a.status(), host + " " + w.getKey() + ": " + a);
        assertEquals("misdirected_request", new JsonObject(a.text()).getString("error"));
      }
      RawHttp.Answer page = RawHttp.exchange(spark.port, RawHttp.request("GET", "/login", host, "", ""));
      assertEquals(421, page.status(), "pages too: a rebound page must not read the login form's answers");
    }
    assertEquals(0, spark.count("SELECT count(*) FROM events"));
    assertEquals(0, spark.count("SELECT count(*) FROM access_logs"));

    for (String host : List.of("127.0.0.1:" + spark.port, "localhost:" + spark.port, "LOCALHOST", "app.localhost",
        "[::1]:" + spark.port, "10.1.2.3", "spark.internal:" + spark.port)) {
      RawHttp.Answer a = RawHttp.exchange(spark.port, RawHttp.request("POST", "/api/v1/events", host, "", EVENT));
      assertEquals(200, a.status(), host + ": " + a);
    }
    // HTTP/1.0 without a Host is not a browser's request.
    RawHttp.Answer old = RawHttp.exchange(spark.port, "POST /api/v1/events HTTP/1.0\r\nContent-Length: " + EVENT.length() + "\r\n\r\n" + EVENT);
    assertEquals(200, old.status(), old.toString());
    assertEquals(8, spark.count("SELECT count(*) FROM events"));
  }

  @Test
  void theSessionCookieIsSecureForANameThatMerelyStartsWith127() {
    assertTrue(Sessions.isLoopback("127.0.0.1"));
    assertTrue(Sessions.isLoopback("127.1.2.3"));
    assertTrue(Sessions.isLoopback("[::1]"));
    assertFalse(Sessions.isLoopback("127.evil.example"), "anybody can own 127.evil.example: the cookie must be Secure there");
    assertFalse(Sessions.isLoopback("127.0.0.1.evil.example"));
  }
}
