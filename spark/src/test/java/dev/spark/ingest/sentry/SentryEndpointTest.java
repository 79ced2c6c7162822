package dev.spark.ingest.sentry;

import dev.spark.ingest.sentry.Envelopes.Item;
import dev.spark.support.Await;
import dev.spark.support.Poll;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Sentry endpoints' mapping, grouping, metrics, open mode, overload (429) and CORS, on a real Spark. */
@ExtendWith(VertxExtension.class)
class SentryEndpointTest {
  private static final Map<String, String> ANY_KEY = Map.of("X-Sentry-Auth", "Sentry sentry_version=7,sentry_key=anything");

  @Test
  void theMappingGoesThroughValidationRedactionAndGrouping(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null); // no ingest.token: any key, but one is needed
    SentryHttp http = new SentryHttp(vertx, spark.port);
    assertEquals(401, http.post("/api/9/envelope/", Map.of(), Envelopes.eventEnvelope(Envelopes.newId(), "x", true), false).status());

    // A flat exception list, unhandled, with request, tags, contexts and a transaction.
    String id = Envelopes.newId();
    JsonObject event = new JsonObject().put("event_id", id).put("platform", "python").put("transaction", "/checkout")
        .put("exception", new JsonArray()
            .add(new JsonObject().put("type", "KeyError").put("value", "'sku'"))
            .add(new JsonObject().put("type", "RuntimeError").put("value", "checkout broke")
                .put("mechanism", new JsonObject().put("type", "excepthook").put("handled", false))
                .put("stacktrace", new JsonObject().put("frames", new JsonArray()
                    .add(new JsonObject().put("function", "handle").put("filename", "app.py").put("lineno", 3))
                    .add(new JsonObject().put("function", "pay").put("filename", "pay.py").put("lineno", 9))))))
        .put("tags", new JsonObject().put("feature", "payments"))
        .put("contexts", new JsonObject().put("trace", new JsonObject().put("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"))
            .put("response", new JsonObject().put("status_code", 502)))
        .put("request", new JsonObject().put("method", "POST").put("url", "http://shop.local/checkout")
            .put("query_string", "coupon=SPRING").put("data", new JsonObject().put("card", "4242").put("password", "hunter2"))
            .put("headers", new JsonObject().put("Cookie", "session=abc").put("Authorization", "Basic eA==").put("Accept", "*/*")));
    SentryHttp.Answer a = http.post("/api/9/envelope/", ANY_KEY, Envelopes.envelope(new JsonObject(), Item.of("event", event, false)), false);
    assertEquals(200, a.status(), a.body());
    assertEquals(id, a.json().getString("id"));
    JsonObject row = new JsonObject(SentryHttp.column(spark.db, "SELECT json_object('type', type, 'trace', trace_id, 'route', route, "
        + "'status', status, 'feature', feature, 'data', json(data)) FROM events").get(0));
    assertEquals("unhandled-error", row.getString("type"));
    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", row.getString("trace"));
    assertEquals("/checkout", row.getString("route"));
    assertEquals(502, row.getInteger("status"));
    assertEquals("payments", row.getString("feature"));
    JsonObject data = row.getJsonObject("data");
    assertEquals("RuntimeError: checkout broke", data.getJsonObject("error").getString("message"));
    assertEquals("RuntimeError: checkout broke\n    at pay (pay.py:9)\n    at handle (app.py:3)\nCaused by: KeyError: 'sku'",
        data.getJsonObject("error").getString("stack"));
    JsonObject request = data.getJsonObject("request");
    assertEquals("[REDACTED]", request.getJsonObject("input").getJsonObject("data").getString("password"));
    assertEquals("coupon=SPRING", request.getJsonObject("input").getString("query"));
    assertEquals(new JsonObject().put("Accept", "*/*"), request.getJsonObject("headers"));
    assertEquals(id, data.getString("eventId"));
    assertEquals(9, data.getJsonObject("sentry").getInteger("project"));

    // Grouping: a Sentry fingerprint wins; {{ default }} stands for the key Spark computes.
    String plain = fingerprintOf(http, spark, Envelopes.event(Envelopes.newId(), "grouped"));
    String custom = fingerprintOf(http, spark, Envelopes.event(Envelopes.newId(), "grouped")
        .put("fingerprint", new JsonArray().add("checkout-failures")));
    String extended = fingerprintOf(http, spark, Envelopes.event(Envelopes.newId(), "grouped")
        .put("fingerprint", new JsonArray().add("{{ default }}").add("tenant-a")));
    String justDefault = fingerprintOf(http, spark, Envelopes.event(Envelopes.newId(), "grouped")
        .put("fingerprint", new JsonArray().add("{{default}}")));
    assertTrue(plain.matches("[0-9a-f]{16}"), plain);
    assertEquals("checkout-failures", custom);
    assertEquals(plain + " tenant-a", extended);
    assertEquals(plain, justDefault);

    // Skipped item types are acknowledged and counted in /metrics.
    http.post("/api/9/envelope/", ANY_KEY, Envelopes.envelope(new JsonObject(),
        Item.raw("attachment", "a\nb", true), Item.of("client_report", new JsonObject(), false),
        Item.of("brand-new-type", new JsonObject(), false)), false);
    String metrics = Await.result(spark.client().get("/metrics").bearerTokenAuthentication(SparkUnderTest.TOKEN).send()).bodyAsString();
    for (String line : List.of("spark_sentry_items_total{outcome=\"skipped\",type=\"attachment\"} 1.0",
        "spark_sentry_items_total{outcome=\"skipped\",type=\"client_report\"} 1.0",
        "spark_sentry_items_total{outcome=\"skipped\",type=\"other\"} 1.0",
        "spark_sentry_items_total{outcome=\"ingested\",type=\"event\"} 5.0")) {
      assertTrue(metrics.contains(line), line + " in\n" + metrics);
    }
    http.close();
    spark.stop();
  }

  private static String fingerprintOf(SentryHttp http, SparkUnderTest spark, JsonObject event) {
    SentryHttp.Answer a = http.post("/api/9/store/", ANY_KEY, event.encode().getBytes(StandardCharsets.UTF_8), false);
    assertEquals(200, a.status(), a.body());
    return SentryHttp.column(spark.db, "SELECT fingerprint FROM events ORDER BY id DESC LIMIT 1").get(0);
  }

  @Test
  void whenSparkCannotTakeMoreItAnswers429WithSentrysRateLimitHeaders(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("ingest", new JsonObject().put("maxInFlightBytes", 100_000)));
    byte[] event = Envelopes.eventEnvelope(Envelopes.newId(), "first", true);
    byte[] padded = Envelopes.envelope(new JsonObject(), Item.of("event", Envelopes.event(Envelopes.newId(), "first"), true),
        Item.raw("attachment", "x".repeat(80_000), true));
    HttpClient client = vertx.createHttpClient();
    HttpClientRequest slow = Await.result(client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(spark.port).setURI("/api/9/envelope/?sentry_key=k").putHeader("Content-Length", String.valueOf(padded.length))));
    Await.result(slow.write(Buffer.buffer(java.util.Arrays.copyOfRange(padded, 0, padded.length / 2))));
    Future<HttpClientResponse> slowAnswer = slow.response();
    // bytes are reserved as they arrive: the half sent so far
    Poll.until("the first envelope's half in /metrics", 10_000, () -> inFlight(spark) >= padded.length / 2);

    SentryHttp http = new SentryHttp(vertx, spark.port);
    SentryHttp.Answer refused = http.post("/api/9/envelope/", ANY_KEY, padded, false);
    assertEquals(429, refused.status(), refused.body());
    assertEquals("1", refused.headers().get("Retry-After"));
    assertEquals("1::organization", refused.headers().get("X-Sentry-Rate-Limits"));
    assertTrue(refused.body().contains("ingest.maxInFlightBytes"), refused.body());
    assertEquals(0, spark.count("SELECT count(*) FROM events"), "nothing of the refused envelope stored");

    Await.result(slow.end(Buffer.buffer(java.util.Arrays.copyOfRange(padded, padded.length / 2, padded.length))));
    assertEquals(200, Await.result(slowAnswer).statusCode());
    assertEquals(200, http.post("/api/9/envelope/", ANY_KEY, event, false).status());
    assertEquals(2, spark.count("SELECT count(*) FROM events"));
    http.close();
    spark.stop();
  }

  @Test
  void corsIsOffUnlessIngestAllowedOriginsListsTheOrigin(Vertx vertx, @TempDir Path dir) {
    Map<String, String> preflight = Map.of("Origin", "http://shop.local", "Access-Control-Request-Method", "POST",
        "Access-Control-Request-Headers", "content-type,sentry-trace,baggage");
    SparkUnderTest closed = SparkUnderTest.start(vertx, dir.resolve("a"), null);
    SentryHttp toClosed = new SentryHttp(vertx, closed.port);
    assertNull(toClosed.options("/api/9/envelope/", preflight).headers().get("Access-Control-Allow-Origin"));
    toClosed.close();
    closed.stop();

    SparkUnderTest open = SparkUnderTest.start(vertx, dir.resolve("b"), new JsonObject().put("ingest",
        new JsonObject().put("allowedOrigins", new JsonArray().add("http://shop.local"))));
    SentryHttp http = new SentryHttp(vertx, open.port);
    SentryHttp.Answer ok = http.options("/api/9/envelope/?sentry_key=k", preflight);
    assertTrue(ok.status() == 200 || ok.status() == 204, ok.status() + " " + ok.body());
    assertEquals("http://shop.local", ok.headers().get("Access-Control-Allow-Origin"));
    assertTrue(ok.headers().get("Access-Control-Allow-Methods").contains("POST"), String.valueOf(ok.headers()));
    assertTrue(ok.headers().get("Access-Control-Allow-Headers").toLowerCase().contains("sentry-trace"), String.valueOf(ok.headers()));
    SentryHttp.Answer other = http.options("/api/9/envelope/", Map.of("Origin", "http://evil.example",
        "Access-Control-Request-Method", "POST"));
    assertNull(other.headers().get("Access-Control-Allow-Origin"), String.valueOf(other.headers()));
    assertNotEquals(200, other.status());
    SentryHttp.Answer posted = http.post("/api/9/envelope/?sentry_key=k", Map.of("Origin", "http://shop.local",
        "Content-Type", "text/plain;charset=UTF-8"), Envelopes.eventEnvelope(Envelopes.newId(), "from a browser", false), false);
    assertEquals(200, posted.status(), posted.body());
    assertEquals("http://shop.local", posted.headers().get("Access-Control-Allow-Origin"));
    http.close();
    open.stop();
  }

  private static long inFlight(SparkUnderTest spark) {
    String text = Await.result(spark.client().get("/metrics").bearerTokenAuthentication(SparkUnderTest.TOKEN).send()).bodyAsString();
    for (String line : text.split("\n")) {
      if (line.startsWith("spark_ingest_inflight_bytes ")) return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1));
    }
    throw new AssertionError("no spark_ingest_inflight_bytes in /metrics");
  }
}
