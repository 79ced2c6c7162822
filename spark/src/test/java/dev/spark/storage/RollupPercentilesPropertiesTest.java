package dev.spark.storage;

import dev.spark.event.AccessRow;
import dev.spark.event.Timestamps;
import dev.spark.query.DashboardReads;
import dev.spark.query.ReadStore;
import dev.spark.support.Await;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The access statistics read from the rollups (three significant digits per duration bucket) against
 * the exact percentiles of the durations stored, over random durations from 0.01 ms to 60 s: every
 * percentile within 1 %, the mean exact. Each try writes its rows under a route of its own into one
 * real SQLite file through the writer's own insert, and reads them back through {@link DashboardReads}.
 */
class RollupPercentilesPropertiesTest {
  private static Vertx vertx;
  private static Path dir;
  private static SqliteDatabase db;
  private static ReadStore store;
  private static DashboardReads reads;
  private static final AtomicInteger TRY = new AtomicInteger();

  @BeforeContainer
  static void open() throws Exception {
    vertx = Vertx.vertx();
    dir = Files.createTempDirectory("rollup-props");
    db = SqliteDatabase.open(dir.resolve("spark.db"), "OFF");
    store = new ReadStore(vertx, dir.resolve("spark.db"));
    reads = new DashboardReads(vertx, store);
  }

  @AfterContainer
  static void close() throws Exception {
    Await.result(reads.close());
    Await.result(store.close());
    db.close();
    Await.result(vertx.close());
  }

  @Provide
  Arbitrary<List<Double>> durations() {
    // Log-uniform: as many 0.01-0.1 ms as 10-60 s, so every scale is exercised.
    Arbitrary<Double> one = Arbitraries.doubles().between(-4.6, 11.0).ofScale(9).map(Math::exp).filter(d -> d >= 0.01 && d <= 60_000);
    Arbitrary<Double> sometimesRepeated = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, one), net.jqwik.api.Tuple.of(1, Arbitraries.of(0.01, 0.1, 1.0, 60_000.0)));
    return sometimesRepeated.list().ofMinSize(1).ofMaxSize(400);
  }

  @Property(tries = 60)
  void rollupPercentilesAreWithinOnePercentOfTheExactOnes(@ForAll("durations") List<Double> durations) throws Exception {
    String path = "/prop/route-" + letters(TRY.incrementAndGet());
    String ts = Timestamps.format(Instant.now().minusSeconds(3_600));
    List<AccessRow> rows = new ArrayList<>();
    for (double d : durations) rows.add(new AccessRow(ts, "GET", path, 200, d, null, null, null, null, null, null));
    new RowInserts(db).insertAccess(rows);
    db.commit();

    JsonObject stats = Await.result(reads.accessStats(new ReadStore.Filter().where("where_path", path), 10));
    JsonObject route = stats.getJsonArray("routes").getJsonObject(0);
    assertEquals(path, route.getString("path"));
    assertEquals(durations.size(), route.getLong("requests"));
    List<Double> sorted = new ArrayList<>(durations);
    sorted.sort(null);
    for (int p : new int[] {50, 95, 99}) {
      double exact = sorted.get((int) Math.max(1, Math.ceil(p * sorted.size() / 100.0)) - 1);
      double got = route.getDouble("p" + p);
      assertTrue(Math.abs(got - exact) <= exact * 0.01, "p" + p + ": " + got + " against the exact " + exact);
    }
    double max = sorted.get(sorted.size() - 1);
    assertTrue(Math.abs(route.getDouble("maxMs") - max) <= max * 0.01, "max " + route.getDouble("maxMs") + " against " + max);
    double mean = durations.stream().mapToDouble(Double::doubleValue).sum() / durations.size();
    assertEquals(mean, route.getDouble("avgMs"), Math.max(1e-6, mean * 1e-9), "the mean is exact");
  }

  private static String letters(int n) {
    StringBuilder s = new StringBuilder();
    do {
      s.append((char) ('a' + n % 26));
      n /= 26;
    } while (n > 0);
    return s.toString();
  }
}
