package dev.spark.client;

import dev.spark.support.Await;
import dev.spark.support.Poll;
import dev.spark.support.SparkUnderTest;
import dev.spark.support.Tap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A healthy Vert.x handler answers in a fraction of a millisecond: SparkWeb measures with
 * System.nanoTime(), Spark stores the fraction, and the route's percentiles say 0.2 ms, not 0 or 1.
 */
@ExtendWith(VertxExtension.class)
class SubMillisecondDurationsTest {

  @Test
  void aThousandRequestsOfATenthToFourTenthsOfAMillisecondGiveASubMillisecondP50(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    WebFixture app = WebFixture.start(vertx, SparkClient.create(vertx), new SparkWebOptions(), router ->
        router.get("/fast/:id").handler(ctx -> {
          // The work a quick handler does: 0.1 to 0.25 ms of CPU (the workload, not a wait for anything).
          long until = System.nanoTime() + ThreadLocalRandom.current().nextLong(100_000, 250_000);
          while (System.nanoTime() < until) Thread.onSpinWait();
          ctx.end("ok");
        }));
    int requests = 1_000;
    for (int i = 0; i < requests; i++) {
      assertEquals(200, Await.result(app.http.get("/fast/" + i).send()).statusCode());
    }
    Await.result(app.tap.awaitAccess(requests));
    Await.result(Tap.committed(app.web, app.client));
    List<Double> stored = Poll.until(requests + " rows stored", 10_000, () -> {
      List<Double> d = durations(spark.db);
      return d.size() == requests ? d : null;
    });
    long fractional = stored.stream().filter(d -> d % 1 != 0).count();
    assertTrue(fractional > requests * 0.99, "durations keep their fractions: " + fractional + " of " + requests);

    JsonObject stats = spark.getJson("/api/v1/access/stats");
    JsonArray routes = stats.getJsonArray("routes");
    JsonObject fast = null;
    for (int i = 0; i < routes.size(); i++) if ("/fast/{id}".equals(routes.getJsonObject(i).getString("path"))) fast = routes.getJsonObject(i);
    assertNotNull(fast, stats.encode());
    assertEquals(requests, fast.getLong("requests"));
    double p50 = fast.getDouble("p50");
    assertTrue(p50 >= 0.1 && p50 <= 0.4, "p50 " + p50 + " ms, between 0.1 and 0.4: " + fast.encode());
    double mean = stored.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    assertEquals(mean, fast.getDouble("avgMs"), 1e-5, "the mean is exact");
    app.close();
  }

  /** The durations of the app's rows, straight from the file (the barrier row left out). */
  private static List<Double> durations(Path db) throws Exception {
    List<Double> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT duration_ms FROM access_logs WHERE path LIKE '/fast/%'")) {
      while (rs.next()) out.add(rs.getDouble(1));
    }
    return out;
  }
}
