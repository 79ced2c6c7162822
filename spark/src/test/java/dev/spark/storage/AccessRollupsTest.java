package dev.spark.storage;

import dev.spark.event.AccessRow;
import dev.spark.event.Timestamps;
import dev.spark.query.DashboardReads;
import dev.spark.query.ReadStore;
import dev.spark.support.Await;
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
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The statistics read from the rollups are those of the rows on disk: checked against a brute-force
 * computation over the same rows, for random windows and filters, after inserts, after the janitor
 * deleted the oldest and the aged rows, and after rollups were rebuilt for a file that had none.
 */
@ExtendWith(VertxExtension.class)
class AccessRollupsTest {
  private static final String[] METHODS = {"GET", "POST"};
  private static final String[] PATHS = {"/api/users", "/api/orders", "/api/items/", "/health"};
  private static final String[] FEATURES = {null, "users", "orders"};
  private static final int[] STATUSES = {200, 201, 404, 500, 503};

  private final Random random = new Random(42);
  private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  @Test
  void statisticsFromTheRollupsEqualABruteForceCountOverTheRowsOnDisk(Vertx vertx, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("spark.db");
    List<AccessRow> rows = new ArrayList<>();
    try (SqliteDatabase db = SqliteDatabase.open(file, "NORMAL")) {
      for (int batch = 0; batch < 20; batch++) {
        List<AccessRow> b = new ArrayList<>();
        for (int i = 0; i < 500; i++) b.add(randomRow());
        // Half the batches in time order, as rows arrive: consecutive rows share their minute (the tally
        // reuses the previous row's buckets) and runs cross minute, hour and day boundaries.
        if (batch % 2 == 0) b.sort(Comparator.comparing(AccessRow::timestamp));
        new RowInserts(db).insertAccess(b);
        db.commit();
        rows.addAll(b);
      }
    }
    assertSame(vertx, file, rows, "after inserts");

    try (SqliteDatabase db = SqliteDatabase.open(file, "NORMAL")) {
      int deleted = new Retention(db).deleteAccessChunk(null, 1_234);
      assertEquals(1_234, deleted);
      rows.subList(0, 1_234).clear();
      String cutoff = Timestamps.format(now.minus(40, ChronoUnit.HOURS));
      int aged;
      do {
        aged = new Retention(db).deleteAccessChunk(cutoff, 700);
      } while (aged > 0);
      rows.removeIf(r -> r.timestamp().compareTo(cutoff) < 0);
    }
    assertSame(vertx, file, rows, "after the janitor's deletes");

    // A file written before rollups existed: no rollup rows, no marker. Opening it builds them.
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      for (RollupLevel level : RollupLevel.values()) st.executeUpdate("DELETE FROM " + level.table);
      st.executeUpdate("DELETE FROM " + AccessRollups.TOTALS);
      st.executeUpdate("DELETE FROM spark_meta WHERE key = '" + AccessRollups.META_KEY + "'");
    }
    ReadStore unbuilt = new ReadStore(vertx, file);
    assertEquals(rows.size(), Await.result(unbuilt.counts()).getLong("accessLogs"), "counted from the rows while the rollups are not built");
    Await.result(unbuilt.close());
    SqliteDatabase.open(file, "NORMAL").close();
    assertSame(vertx, file, rows, "after rebuilding");
  }

  @Test
  void idSegmentsFoldIntoOneRoute() {
    assertEquals("/api/items/{id}", RouteTemplates.of("/api/items/42"));
    assertEquals("/u/{id}/orders/{id}", RouteTemplates.of("/u/0b1e6f3c-6a55-4c2e-9d0e-2f1c9a7b8e11/orders/deadbeef99"));
    assertEquals("/api/users", RouteTemplates.of("/api/users"));
    assertEquals("/v2/items/", RouteTemplates.of("/v2/items/"));
    assertEquals("/{id}/", RouteTemplates.of("/7/"));
    assertEquals("/files/report-2024.pdf", RouteTemplates.of("/files/report-2024.pdf"));
    assertTrue(RouteTemplates.isTemplate("/api/items/"));
  }

  @Test
  void durationsAreCountedToThreeSignificantDigitsAtEveryScale() {
    assertEquals(999, AccessRollups.durationBucket(999.0));
    assertEquals(1_230, AccessRollups.durationBucket(1_234.0));
    assertEquals(98_800, AccessRollups.durationBucket(98_765.0));
    assertEquals(0.374, AccessRollups.durationBucket(0.3742));
    assertEquals(0.0123, AccessRollups.durationBucket(0.012345));
    assertEquals(0, AccessRollups.durationBucket(0.0));
    assertEquals(AccessRollups.UNTIMED, AccessRollups.durationBucket(null));
  }

  private AccessRow randomRow() {
    // Spread over three days, so windows cross day, hour and minute boundaries.
    Instant t = now.minusMillis((long) (random.nextDouble() * 72 * 3_600_000L));
    String path = PATHS[random.nextInt(PATHS.length)];
    if (path.endsWith("/")) path += random.nextInt(50);
    // Whole milliseconds (as earlier versions stored them), fractions of one, and seconds.
    Double duration = switch (random.nextInt(20)) {
      case 0 -> null;
      case 1, 2 -> 1_000 + random.nextDouble() * 5_000;
      case 3, 4, 5, 6 -> (double) random.nextInt(300);
      default -> random.nextDouble() * (random.nextBoolean() ? 1 : 300);
    };
    return new AccessRow(Timestamps.format(t), METHODS[random.nextInt(METHODS.length)], path, STATUSES[random.nextInt(STATUSES.length)],
        duration, "127.0.0.1", FEATURES[random.nextInt(FEATURES.length)], null, null, null, null);
  }

  private void assertSame(Vertx vertx, Path file, List<AccessRow> rows, String when) {
    ReadStore store = new ReadStore(vertx, file);
    DashboardReads reads = new DashboardReads(vertx, store);
    try {
      assertEquals(rows.size(), Await.result(store.counts()).getLong("accessLogs"), when + ": the row count from the rollups");
      // The timeline: requests and server errors per minute over two hours, every minute checked.
      Instant from = now.minus(30, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MINUTES);
      JsonArray points = Await.result(reads.perMinute(from, 120, new ReadStore.Filter()));
      assertEquals(120, points.size());
      for (int m = 0; m < 120; m++) {
        String minute = Timestamps.format(from.plus(m, ChronoUnit.MINUTES)).substring(0, 16);
        long requests = rows.stream().filter(r -> r.timestamp().startsWith(minute)).count();
        long errors = rows.stream().filter(r -> r.timestamp().startsWith(minute) && r.status() >= 500).count();
        assertEquals(new JsonArray().add(minute).add(requests).add(errors), points.getJsonArray(m), when + ": timeline minute " + minute);
      }
      // By method, from the per-minute totals; by feature, from the minute rollups.
      JsonArray posts = Await.result(reads.perMinute(from, 120, new ReadStore.Filter().where("where_method", "POST")));
      JsonArray orders = Await.result(reads.perMinute(from, 120, new ReadStore.Filter().where("where_feature", "orders")));
      for (int m = 0; m < 120; m++) {
        String minute = Timestamps.format(from.plus(m, ChronoUnit.MINUTES)).substring(0, 16);
        long requests = rows.stream().filter(r -> r.timestamp().startsWith(minute) && r.method().equals("POST")).count();
        long errors = rows.stream().filter(r -> r.timestamp().startsWith(minute) && r.method().equals("POST") && r.status() >= 500).count();
        assertEquals(new JsonArray().add(minute).add(requests).add(errors), posts.getJsonArray(m), when + ": POST timeline minute " + minute);
        long ordersThen = rows.stream().filter(r -> r.timestamp().startsWith(minute) && "orders".equals(r.feature())).count();
        assertEquals(ordersThen, orders.getJsonArray(m).getLong(1), when + ": feature timeline minute " + minute);
      }
      for (int i = 0; i < 40; i++) {
        Instant since = now.minusMillis((long) (random.nextDouble() * 80 * 3_600_000L));
        Instant until = random.nextInt(4) == 0 ? null : since.plusMillis((long) (random.nextDouble() * 50 * 3_600_000L));
        ReadStore.Filter filter = new ReadStore.Filter().where("where_since", Timestamps.format(since));
        if (until != null) filter.where("where_until", Timestamps.format(until));
        Predicate<AccessRow> match = r -> r.timestamp().compareTo(Timestamps.format(since)) >= 0
            && (until == null || r.timestamp().compareTo(Timestamps.format(until)) < 0);
        switch (i % 5) {
          case 1 -> {
            filter.where("where_method", "POST");
            match = match.and(r -> r.method().equals("POST"));
          }
          case 2 -> {
            filter.where("where_status_range", 500, 600);
            match = match.and(r -> r.status() >= 500);
          }
          case 3 -> {
            filter.where("where_feature", "orders");
            match = match.and(r -> "orders".equals(r.feature()));
          }
          case 4 -> {
            filter.where("where_path_prefix", "/api/items/", "/api/items/\uDBFF\uDFFF");
            match = match.and(r -> r.path().startsWith("/api/items/"));
          }
          default -> { }
        }
        JsonObject actual = Await.result(reads.accessStats(filter, 1_000));
        JsonObject expected = bruteForce(rows.stream().filter(match).toList());
        JsonObject got = normalised(actual);
        String where = when + ", window " + since + " .. " + until + ", filter case " + i % 5;
        assertMeansClose(expected, got, where);
        assertEquals(expected, got, where);
      }
    } finally {
      Await.result(reads.close());
      Await.result(store.close());
    }
  }

  /**
   * The mean is exact; summed in another order (and after the janitor's subtractions) it may differ in
   * the last bits of a double: compared within 1e-6 ms, then taken out of both for the exact comparison.
   */
  private static void assertMeansClose(JsonObject expected, JsonObject actual, String where) {
    List<JsonObject[]> pairs = new ArrayList<>();
    pairs.add(new JsonObject[] {expected.getJsonObject("totals"), actual.getJsonObject("totals")});
    for (String route : expected.getJsonObject("routes").fieldNames()) {
      pairs.add(new JsonObject[] {expected.getJsonObject("routes").getJsonObject(route), actual.getJsonObject("routes").getJsonObject(route)});
    }
    for (JsonObject[] p : pairs) {
      if (p[1] == null) continue;
      Double e = p[0].getDouble("avgMs");
      Double a = p[1].getDouble("avgMs");
      if (e == null || a == null) assertEquals(e, a, where + ": mean");
      else assertEquals(e, a, 1e-6, where + ": mean");
      p[0].remove("avgMs");
      p[1].remove("avgMs");
    }
  }

  /** Routes keyed by "METHOD route", each with requests, errors, percentiles and the exact mean. */
  private static JsonObject normalised(JsonObject stats) {
    JsonObject out = new JsonObject().put("totals", pick(stats.getJsonObject("totals")));
    JsonObject routes = new JsonObject();
    JsonArray list = stats.getJsonArray("routes");
    for (int i = 0; i < list.size(); i++) {
      JsonObject r = list.getJsonObject(i);
      routes.put(r.getString("method") + " " + r.getString("path"), pick(r));
    }
    return out.put("routes", routes);
  }

  private static JsonObject pick(JsonObject r) {
    JsonObject o = new JsonObject();
    for (String k : new String[] {"requests", "errors", "clientErrors"}) o.put(k, r.getLong(k));
    for (String k : new String[] {"p50", "p95", "p99", "maxMs"}) o.put(k, r.getDouble(k));
    return o.put("avgMs", r.getDouble("avgMs"));
  }

  private static JsonObject bruteForce(List<AccessRow> rows) {
    Map<String, List<AccessRow>> byRoute = new TreeMap<>();
    for (AccessRow r : rows) byRoute.computeIfAbsent(r.method() + " " + RouteTemplates.of(r.path()), k -> new ArrayList<>()).add(r);
    JsonObject routes = new JsonObject();
    byRoute.forEach((k, v) -> routes.put(k, summary(v)));
    return new JsonObject().put("totals", summary(rows)).put("routes", routes);
  }

  private static JsonObject summary(List<AccessRow> rows) {
    List<Double> timed = new ArrayList<>();
    double sum = 0;
    for (AccessRow r : rows) {
      if (r.durationMs() == null) continue;
      double d = r.durationMs();
      sum += d;
      // Three significant digits at every scale, as documented.
      timed.add(d == 0 ? 0.0 : Double.parseDouble(String.format(java.util.Locale.ROOT, "%.3g", d)));
    }
    timed.sort(null);
    Map<String, Object> o = new HashMap<>();
    o.put("requests", (long) rows.size());
    o.put("errors", rows.stream().filter(r -> r.status() >= 500).count());
    o.put("clientErrors", rows.stream().filter(r -> r.status() >= 400 && r.status() < 500).count());
    o.put("p50", rank(timed, 50));
    o.put("p95", rank(timed, 95));
    o.put("p99", rank(timed, 99));
    o.put("maxMs", timed.isEmpty() ? null : timed.get(timed.size() - 1));
    o.put("avgMs", timed.isEmpty() ? null : sum / timed.size());
    return pick(new JsonObject(o));
  }

  private static Double rank(List<Double> sorted, int p) {
    if (sorted.isEmpty()) return null;
    int index = (int) Math.max(1, Math.ceil(p * sorted.size() / 100.0)) - 1;
    return sorted.get(index);
  }
}
