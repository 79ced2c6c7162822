package dev.spark.metrics;

import dev.spark.support.Await;
import dev.spark.support.SparkUnderTest;
import dev.spark.support.SseTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /metrics}: Prometheus text with Spark's meters (and Vert.x's, when Vert.x runs Micrometer metrics). */
@ExtendWith(VertxExtension.class)
class MetricsTest {

  private static String scrape(SparkUnderTest spark) {
    HttpResponse<Buffer> r = Await.result(spark.client().get("/metrics").bearerTokenAuthentication(SparkUnderTest.TOKEN).send());
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertTrue(r.getHeader("Content-Type").startsWith("text/plain"), r.getHeader("Content-Type"));
    return r.bodyAsString();
  }

  /** The value of the sample line {@code name{labels} value}. */
  private static double value(String text, String sample) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(text);
    assertTrue(m.find(), "no sample " + sample + " in\n" + text);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void sparksOwnMetricsCountIngestRejectionsCommitsSubscribersAndDelivery(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    assertEquals(401, Await.result(spark.client().get("/metrics").send()).statusCode(), "metrics need the token");

    SseTestClient observer = Await.result(SseTestClient.connect(vertx, spark.port, "observe=true", null));
    JsonArray events = new JsonArray();
    // Two problems: "disk 1 full" and "disk 2 full" are one issue (numbers are not part of a fingerprint).
    for (String message : new String[] {"disk 1 full", "disk 2 full", "queue stalled"}) {
      events.add(new JsonObject().put("type", "server-error").put("error", new JsonObject().put("message", message)));
    }
    assertEquals(200, spark.postNow("/api/v1/events", events).statusCode());
    assertEquals(200, spark.postNow("/api/v1/access", new JsonArray()
        .add(new JsonObject().put("method", "GET").put("path", "/").put("status", 200))
        .add(new JsonObject().put("method", "GET").put("path", "/").put("status", 500))).statusCode());
    assertEquals(400, spark.postNow("/api/v1/events", new JsonObject().put("error", "no type")).statusCode());
    Await.result(observer.awaitCount(3));

    String before = scrape(spark);
    assertEquals(3, value(before, "spark_ingested_total{kind=\"event\"}"));
    assertEquals(2, value(before, "spark_ingested_total{kind=\"access\"}"));
    assertEquals(1, value(before, "spark_rejected_total{kind=\"event\",reason=\"invalid\"}"));
    assertEquals(2, value(before, "spark_storage_commit_rows_count"));
    assertEquals(5, value(before, "spark_storage_commit_rows_sum"));
    assertTrue(value(before, "spark_storage_commit_seconds_count") >= 2);
    assertEquals(0, value(before, "spark_storage_queue_rows"));
    assertEquals(3, value(before, "spark_events_pending"));
    assertEquals(3, value(before, "spark_db_rows{table=\"events\"}"));
    assertEquals(2, value(before, "spark_db_rows{table=\"access_logs\"}"));
    assertTrue(value(before, "spark_db_size_bytes") > 0);
    assertEquals(1, value(before, "spark_subscribers{kind=\"observer\"}"));
    assertEquals(0, value(before, "spark_subscribers{kind=\"agent\"}"));
    assertEquals(0, value(before, "spark_delivery_latency_seconds_count"));

    SseTestClient agent = Await.result(SseTestClient.connect(vertx, spark.port, null, null));
    Await.result(agent.awaitCount(2));
    String after = scrape(spark);
    assertEquals(1, value(after, "spark_subscribers{kind=\"agent\"}"));
    assertEquals(1, value(after, "spark_delivery_latency_seconds_count"), "one commit, delivered once an agent came");
    assertEquals(2, value(after, "spark_delivered_total{kind=\"event\"}"), "each issue once");
    assertEquals(1, value(after, "spark_suppressed_total{kind=\"event\"}"), "the second disk event: consumed, counted, not delivered");
    assertEquals(0, value(after, "spark_events_pending"));

    Await.result(observer.close());
    Await.result(agent.close());
  }

  @Test
  void whenVertxRunsMicrometerMetricsSparkSharesItsRegistry(@TempDir Path dir) {
    Vertx vertx = vertxWithMetrics(MicrometerMetricsOptions.DEFAULT_REGISTRY_NAME);
    try {
      SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
      assertEquals(200, spark.postNow("/api/v1/events", new JsonObject().put("type", "rate-limit")).statusCode());
      String text = scrape(spark);
      assertEquals(1, value(text, "spark_ingested_total{kind=\"event\"}"));
      assertTrue(text.contains("vertx_http_server_requests_total"), "Vert.x's HTTP server metrics are in the same scrape");
      assertTrue(text.contains("vertx_eventbus_"), "and its event-bus metrics");
      assertTrue(spark.getJson("/api/v1/dashboard/summary").getJsonObject("metrics").getBoolean("vertx"));
    } finally {
      Await.result(vertx.close());
    }
  }

  @Test
  void aVertxRegistryUnderAnotherNameLeavesSparkARegistryOfItsOwn(@TempDir Path dir) {
    Vertx vertx = vertxWithMetrics("spark-metrics-test");
    try {
      SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
      assertEquals(200, spark.postNow("/api/v1/events", new JsonObject().put("type", "rate-limit")).statusCode());
      String text = scrape(spark);
      assertEquals(1, value(text, "spark_ingested_total{kind=\"event\"}"));
      assertFalse(text.contains("vertx_http_server_requests_total"), "Vert.x's meters are in a registry Spark does not know");
      assertFalse(spark.getJson("/api/v1/dashboard/summary").getJsonObject("metrics").getBoolean("vertx"));
    } finally {
      Await.result(vertx.close());
    }
  }

  private static Vertx vertxWithMetrics(String registryName) {
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)).setRegistryName(registryName)))
        .withMetrics(new MicrometerMetricsFactory())
        .build();
  }
}
