package dev.spark.web;

import dev.spark.support.Await;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /api/v1/access/stats} and {@code /access/timeline} on data sets whose answers are known. */
@ExtendWith(VertxExtension.class)
class AccessStatsTest {

  private static String q(Instant t) {
    return URLEncoder.encode(t.toString(), StandardCharsets.UTF_8);
  }

  private static JsonObject route(JsonObject stats, String method, String path) {
    for (Object o : stats.getJsonArray("routes")) {
      JsonObject r = (JsonObject) o;
      if (r.getString("method").equals(method) && r.getString("path").equals(path)) return r;
    }
    throw new AssertionError("no route " + method + " " + path + " in " + stats.encodePrettily());
  }

  @Test
  void percentilesErrorRatesAndTheWindowAreRightOnAKnownDataSet(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    Instant now = Instant.now();
    List<JsonObject> rows = new ArrayList<>();
    // GET /a: durations 1..100 (in random order), five of them 500s, plus one request with no duration.
    for (int d = 1; d <= 100; d++) {
      rows.add(new JsonObject().put("method", "GET").put("path", "/a").put("status", d % 20 == 0 ? 500 : 200).put("durationMs", d)
          .put("feature", "alpha").put("timestamp", now.minusSeconds(d).toString()));
    }
    rows.add(new JsonObject().put("method", "GET").put("path", "/a").put("status", 200).put("feature", "alpha")
        .put("timestamp", now.minusSeconds(5).toString()));
    // POST /b: twenty requests of 10 ms, four of them 404s.
    for (int i = 0; i < 20; i++) {
      rows.add(new JsonObject().put("method", "POST").put("path", "/b").put("status", i < 4 ? 404 : 201).put("durationMs", 10)
          .put("feature", "beta").put("timestamp", now.minusSeconds(i).toString()));
    }
    // Two hours ago, outside the default window: huge durations that must not count.
    for (int i = 0; i < 10; i++) {
      rows.add(new JsonObject().put("method", "GET").put("path", "/a").put("status", 500).put("durationMs", 10_000)
          .put("timestamp", now.minus(2, ChronoUnit.HOURS).toString()));
    }
    Collections.shuffle(rows, new Random(7));
    assertEquals(200, spark.postNow("/api/v1/access", new JsonArray(new ArrayList<>(rows))).statusCode());

    JsonObject stats = spark.getJson("/api/v1/access/stats");
    assertEquals(2, stats.getInteger("routeCount"));
    JsonObject a = route(stats, "GET", "/a");
    assertEquals(101, a.getInteger("requests"), "the untimed request counts as a request");
    assertEquals(5, a.getInteger("errors"));
    assertEquals(0.0495, a.getDouble("errorRate"), 1e-9);
    assertEquals(50, a.getInteger("p50"));
    assertEquals(95, a.getInteger("p95"), "nearest rank: the 95th of 100 sorted durations");
    assertEquals(99, a.getInteger("p99"));
    assertEquals(100, a.getInteger("maxMs"));
    assertEquals(50.5, a.getDouble("avgMs"), 1e-9);
    JsonObject b = route(stats, "POST", "/b");
    assertEquals(20, b.getInteger("requests"));
    assertEquals(0, b.getInteger("errors"));
    assertEquals(4, b.getInteger("clientErrors"));
    assertEquals(10, b.getInteger("p95"));
    assertEquals("GET", stats.getJsonArray("routes").getJsonObject(0).getString("method"), "busiest route first");
    // Over both routes: 1..100 plus twenty 10s; sorted, the 114th of 120 is 94, the 60th is 40.
    JsonObject totals = stats.getJsonObject("totals");
    assertEquals(121, totals.getInteger("requests"));
    assertEquals(94, totals.getInteger("p95"));
    assertEquals(40, totals.getInteger("p50"));

    // A window that reaches back two hours includes the old rows.
    JsonObject wide = spark.getJson("/api/v1/access/stats?since=" + q(now.minus(3, ChronoUnit.HOURS)));
    JsonObject aWide = route(wide, "GET", "/a");
    assertEquals(111, aWide.getInteger("requests"));
    assertEquals(15, aWide.getInteger("errors"));
    assertEquals(10_000, aWide.getInteger("p95"), "ten 10 s requests of 110 timed: the 105th is one of them");
    // Only the old rows.
    JsonObject old = spark.getJson("/api/v1/access/stats?since=" + q(now.minus(3, ChronoUnit.HOURS)) + "&until=" + q(now.minus(1, ChronoUnit.HOURS)));
    assertEquals(10, route(old, "GET", "/a").getInteger("requests"));

    // The access filters apply.
    JsonObject posts = spark.getJson("/api/v1/access/stats?method=post");
    assertEquals(1, posts.getInteger("routeCount"));
    assertEquals("/b", posts.getJsonArray("routes").getJsonObject(0).getString("path"));
    assertEquals(5, route(spark.getJson("/api/v1/access/stats?status=5xx"), "GET", "/a").getInteger("requests"));
    assertEquals(20, spark.getJson("/api/v1/access/stats?feature=beta").getJsonObject("totals").getInteger("requests"));
    assertEquals(1, spark.getJson("/api/v1/access/stats?limit=1").getJsonArray("routes").size());

    JsonObject empty = spark.getJson("/api/v1/access/stats?path=/nothing");
    assertEquals(0, empty.getInteger("routeCount"));
    assertNull(empty.getJsonObject("totals").getValue("p95"));
  }

  @Test
  void theTimelineCountsRequestsAndServerErrorsPerMinute(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(10, ChronoUnit.MINUTES);
    JsonArray rows = new JsonArray()
        .add(new JsonObject().put("method", "GET").put("path", "/x").put("status", 200).put("timestamp", start.plusSeconds(65).toString()))
        .add(new JsonObject().put("method", "GET").put("path", "/x").put("status", 503).put("timestamp", start.plusSeconds(119).toString()))
        .add(new JsonObject().put("method", "POST").put("path", "/y").put("status", 500).put("timestamp", start.plusSeconds(60).toString()))
        .add(new JsonObject().put("method", "GET").put("path", "/x").put("status", 404).put("timestamp", start.plusSeconds(185).toString()))
        .add(new JsonObject().put("method", "GET").put("path", "/x").put("status", 200).put("timestamp", start.plusSeconds(660).toString()));
    assertEquals(200, spark.postNow("/api/v1/access", rows).statusCode());

    JsonObject t = spark.getJson("/api/v1/access/timeline?since=" + q(start.plusSeconds(20)) + "&until=" + q(start.plusSeconds(600)));
    JsonArray points = t.getJsonArray("points");
    assertEquals(10, points.size(), "whole minutes from the minute of since");
    assertEquals(start.toString().replace(":00Z", ""), points.getJsonArray(0).getString(0));
    assertEquals(new JsonArray().add(start.plusSeconds(60).toString().replace(":00Z", "")).add(3).add(2), points.getJsonArray(1));
    assertEquals(1, points.getJsonArray(3).getInteger(1));
    assertEquals(0, points.getJsonArray(3).getInteger(2), "a 404 is not a server error");
    long total = points.stream().mapToLong(p -> ((JsonArray) p).getLong(1)).sum();
    assertEquals(4, total, "the row at minute 11 is outside the window");

    // With a filter the same buckets come from a grouped query.
    JsonArray gets = spark.getJson("/api/v1/access/timeline?method=GET&since=" + q(start) + "&until=" + q(start.plusSeconds(600)))
        .getJsonArray("points");
    assertEquals(2, gets.getJsonArray(1).getInteger(1));
    assertEquals(1, gets.getJsonArray(1).getInteger(2));

    // Default: the last hour.
    assertEquals(61, spark.getJson("/api/v1/access/timeline").getJsonArray("points").size(), "60 minutes plus the current one");
  }

  @Test
  void badParametersAre400AndEverythingNeedsTheToken(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    for (String bad : List.of("/api/v1/access/stats?since=yesterday", "/api/v1/access/stats?limit=0", "/api/v1/access/stats?status=5x",
        "/api/v1/access/timeline?since=2020-01-01T00:00:00Z", "/api/v1/access/timeline?since=2030-01-02T00:00:00Z&until=2030-01-01T00:00:00Z",
        "/api/v1/access?before=abc")) {
      HttpResponse<Buffer> r = Await.result(spark.client().get(bad).bearerTokenAuthentication(SparkUnderTest.TOKEN).send());
      assertEquals(400, r.statusCode(), bad + ": " + r.bodyAsString());
      assertTrue(r.bodyAsJsonObject().containsKey("field"), r.bodyAsString());
    }
    for (String path : List.of("/api/v1/access/stats", "/api/v1/access/timeline", "/api/v1/dashboard/summary", "/api/v1/dashboard/pending")) {
      assertEquals(401, Await.result(spark.client().get(path).send()).statusCode(), path);
    }
  }

  @Test
  void accessRowsCanBeFoundByRequestIdAndPagedWithBefore(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    JsonArray rows = new JsonArray();
    for (int i = 0; i < 7; i++) {
      rows.add(new JsonObject().put("method", "GET").put("path", "/p").put("status", 200).put("requestId", i < 3 ? "req-1" : "req-2"));
    }
    assertEquals(200, spark.postNow("/api/v1/access", rows).statusCode());
    assertEquals(3, spark.getJson("/api/v1/access?requestId=req-1").getInteger("count"));
    JsonArray page1 = spark.getJson("/api/v1/access?limit=3").getJsonArray("access");
    assertEquals(List.of(7L, 6L, 5L), page1.stream().map(o -> ((JsonObject) o).getLong("id")).toList());
    JsonArray page2 = spark.getJson("/api/v1/access?limit=3&before=5").getJsonArray("access");
    assertEquals(List.of(4L, 3L, 2L), page2.stream().map(o -> ((JsonObject) o).getLong("id")).toList());
  }
}
