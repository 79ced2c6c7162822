package dev.spark.web;

import dev.spark.support.Await;
import dev.spark.support.Poll;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ingest.maxInFlightBytes}: while one request's body is still arriving, another that would
 * take the bodies in flight over the bound is refused at once with 503 and Retry-After, its
 * connection stays usable, and the first is taken when it completes.
 */
@ExtendWith(VertxExtension.class)
class IngestAdmissionTest {
  private static final String EVENT = "{\"type\":\"server-error\",\"error\":{\"message\":\"m\"}}";

  @Test
  void aRequestThatWouldGoOverTheInFlightBoundIsRefusedBeforeItsBodyIsRead(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("ingest", new JsonObject().put("maxInFlightBytes", 100_000)));
    String big = "[" + (EVENT + ",").repeat(1_400) + EVENT + "]"; // about 80 KB
    HttpClient http = vertx.createHttpClient();
    // The first request announces 80 KB and sends only half of it for now.
    HttpClientRequest slow = Await.result(http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(spark.port).setURI("/api/v1/events").putHeader("Content-Length", String.valueOf(big.length()))));
    Await.result(slow.write(big.substring(0, big.length() / 2)));
    Future<io.vertx.core.http.HttpClientResponse> slowAnswer = slow.response();
    // Reserved as its bytes arrive (issue 18): the half it sent, not the length it announced.
    Poll.until("the first request's half to show in /metrics", 10_000,
        () -> inFlight(spark) >= big.length() / 2);

    // Until the bound is freed, a second one of the same size is refused, and says so.
    HttpResponse<Buffer> refused = awaitRefusal(spark, big);
    assertEquals("1", refused.getHeader("Retry-After"));
    assertTrue(refused.bodyAsJsonObject().getString("message").contains("ingest.maxInFlightBytes"), refused.bodyAsString());
    // A small one still fits beside the first.
    assertEquals(200, spark.postNow("/api/v1/events", EVENT).statusCode());

    // The first completes and is taken; then the big one is too.
    Await.result(slow.end(big.substring(big.length() / 2)));
    assertEquals(200, Await.result(slowAnswer).statusCode());
    HttpResponse<Buffer> after = spark.postNow("/api/v1/events", big);
    assertEquals(200, after.statusCode(), after.bodyAsString());
    assertEquals(1 + 1_401 * 2, spark.count("SELECT count(*) FROM events"));
  }

  private static HttpResponse<Buffer> awaitRefusal(SparkUnderTest spark, String body) {
    HttpResponse<Buffer> r = spark.postNow("/api/v1/events", body);
    assertEquals(503, r.statusCode(), r.bodyAsString());
    return r;
  }

  /** spark_ingest_inflight_bytes from /metrics. */
  private static long inFlight(SparkUnderTest spark) {
    String text = Await.result(spark.client().get("/metrics").bearerTokenAuthentication(SparkUnderTest.TOKEN).send()).bodyAsString();
    for (String line : text.split("\n")) {
      if (line.startsWith("spark_ingest_inflight_bytes ")) return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1));
    }
    throw new AssertionError("no spark_ingest_inflight_bytes in /metrics");
  }
}
