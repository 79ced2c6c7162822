package dev.spark.bench;

import dev.spark.SparkVerticle;
import dev.spark.storage.SqliteDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * The dashboard's queries on a database holding a million access-log rows (not a test: run it with
 * {@code bin/bench-dashboard}, see BENCHMARKS.md, "Dashboard queries").
 *
 * <p>Fills an SQLite file with Spark's schema (indexes included) with {@code --rows} access-log rows
 * spread evenly over the last {@code --hours} hours, in batched sqlite-jdbc inserts, one transaction
 * per 50,000 rows; then starts Spark on it, in-process as documented, and times each dashboard request
 * end to end over HTTP (request sent to JSON received): {@code --runs} times each after two warm-ups,
 * one at a time. The filled file is kept and reused (same row count and span) unless {@code --refill}.
 */
public final class DashboardQueryBenchmark {
  private static final String TOKEN = "bench";
  private static final int CHUNK = 50_000;

  private record Route(String method, String path, String feature, double baseMs, double weight) {}

  private static final List<Route> ROUTES = List.of(
      new Route("GET", "/api/users", "list-users", 18, 14),
      new Route("GET", "/api/users/me", "current-user", 6, 12),
      new Route("POST", "/api/users", "create-user", 45, 3),
      new Route("GET", "/api/orders", "list-orders", 35, 9),
      new Route("POST", "/api/orders", "create-order", 80, 4),
      new Route("GET", "/api/products", "list-products", 25, 12),
      new Route("GET", "/api/products/search", "search-products", 120, 6),
      new Route("PUT", "/api/cart", "update-cart", 30, 7),
      new Route("DELETE", "/api/cart/items", "remove-cart-item", 20, 2),
      new Route("POST", "/api/login", "login", 150, 3),
      new Route("GET", "/health", null, 1, 10),
      new Route("GET", "/api/reports/daily", "daily-report", 900, 1));
  /** The rest: {@code GET /api/items/<id>} over this many ids (raw paths: one "route" per id). */
  private static final int ITEM_IDS = 2_000;
  private static final double ITEM_SHARE = 0.17;

  private record Query(String name, String uri) {}

  private record Timing(String name, String uri, int rows, double p50, double p95, double max) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    if (opts.containsKey("help")) {
      System.out.println("""
          bin/bench-dashboard [--rows 1000000] [--hours 24] [--runs 20] [--db target/bench-dashboard/spark.db] [--refill]
            Fills (or reuses) an SQLite file with --rows access-log rows over the last --hours hours,
            starts Spark on it and times the dashboard's queries over HTTP.""");
      return;
    }
    long rows = Long.parseLong(opts.getOrDefault("rows", "1000000"));
    int hours = Integer.parseInt(opts.getOrDefault("hours", "24"));
    int runs = Integer.parseInt(opts.getOrDefault("runs", "20"));
    Path db = Path.of(opts.getOrDefault("db", "target/bench-dashboard/spark.db"));
    quietLogs();

    Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String marker = rows + " rows over " + hours + " h";
    if (opts.containsKey("refill") || !marker.equals(readMarker(db))) {
      fill(db, rows, hours, end, marker);
    } else {
      System.out.println("Reusing " + db + " (" + marker + "; pass --refill to rebuild)");
      end = Instant.parse(readMeta(db, "bench_end"));
    }
    System.out.printf(Locale.ROOT, "Database: %s, %.1f MB (with WAL)%n", db, (Files.size(db) + walSize(db)) / 1048576.0);

    Vertx vertx = Vertx.vertx();
    int port = freePort();
    JsonObject cfg = new JsonObject()
        .put("db", new JsonObject().put("path", db.toString())
            .put("cleanup", new JsonObject().put("maxSizeMB", 1_048_576).put("maxAgeDays", 36_500).put("intervalMs", 86_400_000)))
        .put("web", new JsonObject().put("port", port).put("token", TOKEN).put("instances", 2));
    Bench.await(vertx.deployVerticle(new SparkVerticle(), new DeploymentOptions().setConfig(cfg)), 120);
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));

    long lastId = rows;
    String requestId = "req-" + (rows / 2);
    List<Query> queries = new ArrayList<>(List.of(
        new Query("newest 50, no filter", "/api/v1/access?limit=51"),
        new Query("status=5xx", "/api/v1/access?status=5xx&limit=51"),
        new Query("status=500", "/api/v1/access?status=500&limit=51"),
        new Query("status=2xx", "/api/v1/access?status=2xx&limit=51"),
        new Query("status=1xx (no match)", "/api/v1/access?status=1xx&limit=51"),
        new Query("since 6 h ago", "/api/v1/access?since=" + enc(end.minus(6, ChronoUnit.HOURS).toString()) + "&limit=51"),
        new Query("feature=create-user", "/api/v1/access?feature=create-user&limit=51"),
        new Query("path exact /api/orders", "/api/v1/access?path=/api/orders&limit=51"),
        new Query("path prefix /api/items/*", "/api/v1/access?path=" + enc("/api/items/*") + "&limit=51"),
        new Query("method=DELETE", "/api/v1/access?method=DELETE&limit=51"),
        new Query("time range: 10 min, 6 h ago", "/api/v1/access?since=" + enc(end.minus(6, ChronoUnit.HOURS).toString())
            + "&until=" + enc(end.minus(6, ChronoUnit.HOURS).plus(10, ChronoUnit.MINUTES).toString()) + "&limit=51"),
        new Query("page 101 (before=id)", "/api/v1/access?before=" + (lastId - 5_000) + "&limit=51"),
        new Query("requestId (event detail)", "/api/v1/access?requestId=" + requestId + "&limit=100"),
        new Query("5xx + POST + last 6 h", "/api/v1/access?status=5xx&method=POST&since=" + enc(end.minus(6, ChronoUnit.HOURS).toString()) + "&limit=51"),
        new Query("path with no match", "/api/v1/access?path=/api/nothing&limit=51"),
        new Query("stats, last 1 h", "/api/v1/access/stats?limit=100&since=" + enc(end.minus(1, ChronoUnit.HOURS).toString())),
        new Query("stats, last 6 h", "/api/v1/access/stats?limit=100&since=" + enc(end.minus(6, ChronoUnit.HOURS).toString())),
        new Query("stats, last 24 h", "/api/v1/access/stats?limit=100&since=" + enc(end.minus(24, ChronoUnit.HOURS).toString())),
        new Query("stats, last 24 h, feature=create-user", "/api/v1/access/stats?feature=create-user&since=" + enc(end.minus(24, ChronoUnit.HOURS).toString())),
        new Query("stats, last 24 h, path prefix", "/api/v1/access/stats?path=" + enc("/api/items/*") + "&since=" + enc(end.minus(24, ChronoUnit.HOURS).toString())),
        new Query("timeline, last 1 h", "/api/v1/access/timeline?since=" + enc(end.minus(1, ChronoUnit.HOURS).toString()) + "&until=" + enc(end.toString())),
        new Query("timeline, last 24 h", "/api/v1/access/timeline?since=" + enc(end.minus(24, ChronoUnit.HOURS).toString()) + "&until=" + enc(end.toString())),
        new Query("timeline, last 24 h, method=POST", "/api/v1/access/timeline?method=POST&since=" + enc(end.minus(24, ChronoUnit.HOURS).toString()) + "&until=" + enc(end.toString())),
        new Query("health summary", "/api/v1/dashboard/summary")));
    if (hours > 24) {
      queries.add(new Query("stats, whole span", "/api/v1/access/stats?limit=100&since=" + enc(end.minus(hours, ChronoUnit.HOURS).toString())));
    }

    List<Timing> timings = new ArrayList<>();
    for (Query q : queries) {
      double[] ms = new double[runs];
      int count = -1;
      for (int i = -2; i < runs; i++) {
        long t0 = System.nanoTime();
        HttpResponse<Buffer> r = Bench.await(client.get(q.uri()).bearerTokenAuthentication(TOKEN).send(), 120);
        long t1 = System.nanoTime();
        if (r.statusCode() != 200) throw new IllegalStateException(q.uri() + " answered " + r.statusCode() + ": " + r.bodyAsString());
        if (i >= 0) ms[i] = (t1 - t0) / 1e6;
        count = count(r.bodyAsJsonObject());
      }
      Arrays.sort(ms);
      Timing t = new Timing(q.name(), q.uri(), count, ms[(int) Math.ceil(runs * 0.5) - 1], ms[(int) Math.ceil(runs * 0.95) - 1], ms[runs - 1]);
      timings.add(t);
      System.out.printf(Locale.ROOT, "%-40s %6d rows  p50 %7.1f ms  p95 %7.1f ms  max %7.1f ms%n", t.name(), t.rows(), t.p50(), t.p95(), t.max());
    }
    Bench.await(vertx.close(), 120);

    System.out.println();
    System.out.println("| query | answer | p50 ms | p95 ms | max ms |");
    System.out.println("| --- | ---: | ---: | ---: | ---: |");
    for (Timing t : timings) {
      System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f |%n", t.name(), t.rows(), t.p50(), t.p95(), t.max());
    }
    double worst = timings.stream().mapToDouble(Timing::p95).max().orElse(0);
    System.out.printf(Locale.ROOT, "%nSlowest p95: %.1f ms (%s the 200 ms budget)%n", worst, worst < 200 ? "within" : "OVER");
  }

  /** Rows in the answer: list length, routes, or minutes. */
  private static int count(JsonObject body) {
    if (body.containsKey("access")) return body.getJsonArray("access").size();
    if (body.containsKey("routes")) return body.getInteger("routeCount");
    if (body.containsKey("points")) return body.getJsonArray("points").size();
    return 1;
  }

  private static void fill(Path db, long rows, int hours, Instant end, String marker) throws Exception {
    Files.createDirectories(db.toAbsolutePath().getParent());
    for (String suffix : List.of("", "-wal", "-shm")) Files.deleteIfExists(Path.of(db + suffix));
    SqliteDatabase.open(db, "NORMAL").close();
    long started = System.nanoTime();
    Random random = new Random(42);
    double total = ROUTES.stream().mapToDouble(Route::weight).sum();
    long spanMs = hours * 3_600_000L;
    Instant start = end.minusMillis(spanMs);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath())) {
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA synchronous = OFF");
        st.execute("PRAGMA cache_size = -262144");
      }
      c.setAutoCommit(false);
      try (PreparedStatement ins = c.prepareStatement(
          "INSERT INTO access_logs (timestamp, method, path, status, duration_ms, ip, feature, request_id, input, error, user_agent) "
              + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (long i = 0; i < rows; i++) {
          Instant at = start.plusMillis(spanMs * i / rows);
          String method;
          String path;
          String feature;
          double base;
          if (random.nextDouble() < ITEM_SHARE) {
            method = "GET";
            path = "/api/items/" + random.nextInt(ITEM_IDS);
            feature = "get-item";
            base = 12;
          } else {
            double pick = random.nextDouble() * total;
            Route r = ROUTES.get(ROUTES.size() - 1);
            for (Route candidate : ROUTES) {
              pick -= candidate.weight();
              if (pick <= 0) {
                r = candidate;
                break;
              }
            }
            method = r.method();
            path = r.path();
            feature = r.feature();
            base = r.baseMs();
          }
          double s = random.nextDouble();
          int status = s < 0.02 ? 500 : s < 0.03 ? 503 : s < 0.08 ? 404 : s < 0.10 ? 401 : method.equals("POST") ? 201 : 200;
          long duration = Math.max(0, Math.round(base * Math.exp(random.nextGaussian() * 0.6)));
          ins.setString(1, dev.spark.event.Timestamps.format(at));
          ins.setString(2, method);
          ins.setString(3, path);
          ins.setInt(4, status);
          ins.setLong(5, duration);
          ins.setString(6, "10.0." + random.nextInt(4) + "." + random.nextInt(250));
          ins.setString(7, feature);
          ins.setString(8, "req-" + i);
          ins.setString(9, method.equals("GET") ? null : "{\"email\":\"user" + random.nextInt(10_000) + "@example.com\",\"password\":\"[REDACTED]\"}");
          ins.setString(10, status >= 500 ? "Connection refused" : null);
          ins.setString(11, "Mozilla/5.0 (X11; Linux x86_64) bench/" + random.nextInt(5));
          ins.addBatch();
          if ((i + 1) % 1_000 == 0) ins.executeBatch();
          if ((i + 1) % CHUNK == 0) {
            c.commit();
            System.out.printf(Locale.ROOT, "\rfilled %,d rows", i + 1);
          }
        }
        ins.executeBatch();
        c.commit();
      }
      try (PreparedStatement meta = c.prepareStatement("INSERT OR REPLACE INTO spark_meta (key, value) VALUES (?, ?)")) {
        meta.setString(1, "bench_marker");
        meta.setString(2, "\"" + marker + "\"");
        meta.executeUpdate();
        meta.setString(1, "bench_end");
        meta.setString(2, "\"" + end + "\"");
        meta.executeUpdate();
      }
      // The rows went in behind the writer's back: forget the (empty) rollups so that Spark builds them
      // when it opens the file, as it does for a database written before rollups existed.
      try (Statement st = c.createStatement()) {
        st.executeUpdate("DELETE FROM spark_meta WHERE key = '" + SqliteDatabase.ACCESS_ROLLUPS_META_KEY + "'");
      }
      c.commit();
      c.setAutoCommit(true);
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      }
    }
    System.out.printf(Locale.ROOT, "%nFilled %,d rows in %.1f s%n", rows, (System.nanoTime() - started) / 1e9);
    long building = System.nanoTime();
    SqliteDatabase.open(db, "NORMAL").close();
    System.out.printf(Locale.ROOT, "Built the access-log rollups of %,d rows in %.1f s%n", rows, (System.nanoTime() - building) / 1e9);
  }

  private static String readMarker(Path db) {
    return Files.exists(db) ? readMeta(db, "bench_marker") : null;
  }

  private static String readMeta(Path db, String key) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
         PreparedStatement st = c.prepareStatement("SELECT value FROM spark_meta WHERE key = ?")) {
      st.setString(1, key);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? rs.getString(1).replace("\"", "") : null;
      }
    } catch (Exception e) {
      return null;
    }
  }

  private static long walSize(Path db) throws Exception {
    Path wal = Path.of(db + "-wal");
    return Files.exists(wal) ? Files.size(wal) : 0;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) throw new IllegalArgumentException("Unexpected argument " + a + " (try --help)");
      String key = a.substring(2);
      if (key.equals("refill") || key.equals("help")) out.put(key, "true");
      else if (i + 1 < args.length) out.put(key, args[++i]);
      else throw new IllegalArgumentException(a + " needs a value");
    }
    return out;
  }

  private static void quietLogs() {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    root.setLevel(Level.WARNING);
    java.util.logging.ConsoleHandler h = new java.util.logging.ConsoleHandler();
    h.setLevel(Level.WARNING);
    root.addHandler(h);
  }
}
