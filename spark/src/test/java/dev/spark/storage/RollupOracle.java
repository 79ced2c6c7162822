package dev.spark.storage;

import dev.spark.event.AccessRow;
import dev.spark.event.Timestamps;
import dev.spark.query.DashboardReads;
import dev.spark.query.ReadStore;
import dev.spark.support.Await;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the access-log rollups must answer, computed by brute force over the rows a test knows are on
 * disk: random rows around {@code now}, the statistics of windows and filters compared with what
 * {@link DashboardReads} and {@link ReadStore} read from the rollups, and the fold invariant per bucket.
 */
final class RollupOracle {
  private static final String[] METHODS = {"GET", "POST"};
  private static final String[] PATHS = {"/api/users", "/api/orders", "/api/items/", "/health"};
  private static final String[] FEATURES = {null, "users", "orders"};
  private static final int[] STATUSES = {200, 201, 404, 500, 503};

  private final Random random;
  final Instant now;

  RollupOracle(long seed, Instant now) {
    this.random = new Random(seed);
    this.now = now;
  }

  /** A random row within the three days before now. */
  AccessRow randomRow() {
    // Spread over three days, so windows cross day, hour and minute boundaries.
    return row(now.minusMillis((long) (random.nextDouble() * 72 * 3_600_000L)));
  }

  /** A row at {@code t} with a random method, path, status, feature and duration. */
  AccessRow row(Instant t) {
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

  /**
   * The row count, the timelines and the statistics of random windows and filters (plus windows that
   * end inside the current hour, and open ones) read from the rollups equal a brute-force count over
   * {@code rows}, the rows on disk.
   */
  void assertSame(Vertx vertx, Path file, List<AccessRow> rows, String when) {
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
      Instant hour = now.truncatedTo(ChronoUnit.HOURS);
      Instant[][] fixed = {
          {now.minus(26, ChronoUnit.HOURS), null},
          {hour.minus(75, ChronoUnit.MINUTES).plusMillis(1_234), now.minusMillis(1_500)},
          {hour.minus(3, ChronoUnit.DAYS), now.plus(10, ChronoUnit.MINUTES)},
          {now.minus(5, ChronoUnit.MINUTES).minusMillis(700), now.plus(3, ChronoUnit.MINUTES)},
      };
      for (int i = 0; i < 40 + fixed.length; i++) {
        boolean random = i >= fixed.length;
        Instant since = random ? now.minusMillis((long) (this.random.nextDouble() * 80 * 3_600_000L)) : fixed[i][0];
        Instant until = !random ? fixed[i][1]
            : this.random.nextInt(4) == 0 ? null : since.plusMillis((long) (this.random.nextDouble() * 50 * 3_600_000L));
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

  /**
   * The fold invariant, per bucket: the minute level and the totals count every row, the hour and day
   * levels exactly the rows whose minute is at or before the file's fold watermark.
   */
  static void assertFolded(Path file, List<AccessRow> rows, String when) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      String w;
      long through;
      try (ResultSet rs = st.executeQuery("SELECT value FROM spark_meta WHERE key = '" + AccessRollups.META_KEY + "'")) {
        assertTrue(rs.next(), when + ": the rollups' meta value");
        JsonObject meta = new JsonObject(rs.getString(1));
        w = meta.getString(RollupFold.FIELD);
        through = meta.getLong(AccessRollups.THROUGH, Long.MAX_VALUE);
      }
      assertNotNull(w, when + ": a fold watermark");
      // The rows after the mark are not in the tables yet: a reader adds them, as the tally would.
      List<String> tail = new ArrayList<>();
      try (ResultSet rs = st.executeQuery("SELECT timestamp FROM access_logs WHERE id > " + through)) {
        while (rs.next()) tail.add(rs.getString(1));
      }
      for (RollupLevel level : RollupLevel.values()) {
        Map<String, Long> expected = new TreeMap<>();
        for (AccessRow r : rows) {
          if (level == RollupLevel.MINUTE || RollupLevel.MINUTE.bucket(r.timestamp()).compareTo(w) <= 0) {
            expected.merge(level.bucket(r.timestamp()), 1L, Long::sum);
          }
        }
        Map<String, Long> got = counts(st, "SELECT bucket, sum(n) FROM " + level.table + " GROUP BY bucket HAVING sum(n) <> 0");
        for (String t : tail) {
          if (level == RollupLevel.MINUTE || RollupLevel.MINUTE.bucket(t).compareTo(w) <= 0) got.merge(level.bucket(t), 1L, Long::sum);
        }
        assertEquals(expected, got, when + ": rows per bucket in " + level.table + " and the " + tail.size() + " rows after its mark (watermark " + w + ")");
      }
      Map<String, Long> perMinute = new TreeMap<>();
      for (AccessRow r : rows) perMinute.merge(RollupLevel.MINUTE.bucket(r.timestamp()), 1L, Long::sum);
      Map<String, Long> got = counts(st, "SELECT bucket, sum(n) FROM " + AccessRollups.TOTALS + " GROUP BY bucket HAVING sum(n) <> 0");
      for (String t : tail) got.merge(RollupLevel.MINUTE.bucket(t), 1L, Long::sum);
      assertEquals(perMinute, got, when + ": rows per minute in " + AccessRollups.TOTALS + " and the rows after its mark");
    }
  }

  /** The rows in access_logs, by id: what the janitor left. */
  static List<AccessRow> onDisk(Path file) throws SQLException {
    List<AccessRow> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT timestamp, method, path, status, duration_ms, ip, feature FROM access_logs ORDER BY id")) {
      while (rs.next()) {
        double d = rs.getDouble(5);
        Double duration = rs.wasNull() ? null : d;
        out.add(new AccessRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), duration, rs.getString(6), rs.getString(7),
            null, null, null, null));
      }
    }
    return out;
  }

  private static Map<String, Long> counts(Statement st, String sql) throws SQLException {
    Map<String, Long> out = new TreeMap<>();
    try (ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
    }
    return out;
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
