package dev.spark.query;

import dev.spark.storage.AccessRollups;
import dev.spark.storage.RollupLevel;
import dev.spark.storage.RouteTemplates;
import dev.spark.storage.Sql;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The dashboard's read-only queries beside {@link ReadStore}, on the same pool: per-route access
 * statistics, requests and errors per minute, pending event ids, and the database's size on disk.
 */
public final class DashboardReads {
  private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm").withZone(ZoneOffset.UTC);

  private final Vertx vertx;
  private final Pool pool;
  private final Path dbPath;
  private final JdbcReader analytics;
  /** The rollups' weights per bucket, measured on the file (at most once a minute). */
  private final RollupDensity density = new RollupDensity();

  public DashboardReads(Vertx vertx, ReadStore reads) {
    this.vertx = vertx;
    this.pool = reads.pool();
    this.dbPath = reads.path();
    this.analytics = new JdbcReader(vertx, reads.path());
  }

  public Future<Void> close() {
    return analytics.close();
  }

  /**
   * Per-route statistics over the rows the filter selects; the {@code limit} busiest routes, plus the
   * same over all of them. A route is the method and the path with its id segments as {@code {id}}
   * ({@link RouteTemplates}). The window is read from the rollups, a few ranges whatever its width,
   * some of them subtracted ({@link RollupCover}); a filter they cannot answer reads the raw rows. The
   * rollup ranges are one statement and each raw edge another, each a duration histogram per route,
   * read with a plain JDBC cursor on a worker thread and folded as it streams.
   */
  public Future<JsonObject> accessStats(ReadStore.Filter filter, int limit) {
    return accessStats(filter, limit, RollupCover.Mode.COST);
  }

  /** The same, with the pieces chosen as {@code mode} says (tests compare the modes). */
  Future<JsonObject> accessStats(ReadStore.Filter filter, int limit, RollupCover.Mode mode) {
    RollupQuery plan = RollupQuery.plan(filter);
    return analytics.query(c -> {
      Map<String, RouteStats> byRoute = new HashMap<>();
      RouteStats all = new RouteStats(null, null);
      if (plan == null) {
        String sql = Sql.get("access_route_histogram") + filter.where() + " " + Sql.get("access_route_histogram_group");
        fold(c, sql, filter.bound(), 1, byRoute, all);
      } else {
        // In the same read transaction as the pieces: a fold committed in between would count its minutes twice, or not at all.
        JsonObject meta = rollupsMeta(c);
        Instant foldedUntil = AccessRollups.foldedUntil(meta);
        Long through = AccessRollups.through(meta);
        Instant oldestDay = meta != null && meta.getInteger("version", 0) >= AccessRollups.ALL_SINCE ? oldestDay(c) : null;
        List<RollupCover.Piece> rollups = new ArrayList<>();
        RollupCover.Weights weights = density.weights(c, foldedUntil, System.currentTimeMillis());
        for (RollupCover.Piece p : RollupCover.pieces(plan.since, plan.until, foldedUntil, oldestDay, mode, weights)) {
          if (p.segment().level() == null) fold(c, plan.rawSql(p.segment(), through), plan.rawValues(p.segment(), through), p.sign(), byRoute, all);
          else rollups.add(p);
        }
        if (!rollups.isEmpty()) fold(c, plan.rollupSql(rollups), plan.rollupBound(rollups), 1, byRoute, all);
        // The rows the writer has not applied to the rollups yet.
        if (through != null) fold(c, plan.tailSql(), plan.tailValues(through, plan.since, plan.until), 1, byRoute, all);
      }
      List<JsonObject> routes = new ArrayList<>();
      // A route whose rows all lie in a subtracted piece adds up to nothing: not in the window.
      for (RouteStats r : byRoute.values()) if (r.requests != 0) routes.add(r.toJson());
      routes.sort((a, b) -> {
        int byRequests = Long.compare(b.getLong("requests"), a.getLong("requests"));
        return byRequests != 0 ? byRequests : (a.getString("method") + " " + a.getString("path")).compareTo(b.getString("method") + " " + b.getString("path"));
      });
      JsonArray out = new JsonArray();
      for (JsonObject r : routes.subList(0, Math.min(limit, routes.size()))) out.add(r);
      return new JsonObject().put("routeCount", routes.size()).put("totals", all.toJson()).put("routes", out);
    });
  }

  /**
   * Adds (sign 1) or takes away (-1) one histogram query's rows: (method, path or route, duration,
   * count, sum of durations, server errors, client errors).
   */
  private static void fold(Connection c, String sql, List<Object> bound, int sign, Map<String, RouteStats> byRoute, RouteStats all)
      throws SQLException {
    Map<String, String> routes = new HashMap<>();
    try (PreparedStatement st = c.prepareStatement(sql)) {
      for (int i = 0; i < bound.size(); i++) st.setObject(i + 1, bound.get(i));
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          String method = rs.getString(1);
          String route = routes.computeIfAbsent(rs.getString(2), RouteTemplates::of);
          double d = rs.getDouble(3);
          double duration = rs.wasNull() ? AccessRollups.UNTIMED : AccessRollups.durationBucket(d);
          long n = sign * rs.getLong(4);
          double sumMs = sign * rs.getDouble(5);
          long errors = sign * rs.getLong(6);
          long clientErrors = sign * rs.getLong(7);
          Double timed = duration == AccessRollups.UNTIMED ? null : duration;
          byRoute.computeIfAbsent(method + " " + route, k -> new RouteStats(method, route)).add(timed, n, sumMs, errors, clientErrors);
          all.add(timed, n, sumMs, errors, clientErrors);
        }
      }
    }
  }

  /** The start of the oldest day with folded rows, or null when nothing is folded. */
  private static Instant oldestDay(Connection c) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(Sql.get("rollup_oldest_day")); ResultSet rs = st.executeQuery()) {
      String day = rs.next() ? rs.getString(1) : null;
      return day == null ? null : Instant.parse(day + "T00:00:00Z");
    }
  }

  /**
   * Requests and server errors (status 500 and up) per minute, for {@code minutes} whole minutes from
   * {@code from} (truncated to the minute), every minute present: from the minute rollups (a few rows
   * per minute whatever the request rate), or, for a filter they cannot answer, the raw rows grouped
   * by minute.
   */
  public Future<JsonArray> perMinute(Instant from, int minutes, ReadStore.Filter filter) {
    Instant start = from.truncatedTo(ChronoUnit.MINUTES);
    String startText = MINUTE.format(start);
    String endText = MINUTE.format(start.plus(minutes, ChronoUnit.MINUTES));
    Future<Map<String, long[]>> counts;
    RollupQuery plan = RollupQuery.plan(filter == null ? new ReadStore.Filter() : filter);
    if (plan != null) {
      List<Object> bound = new ArrayList<>();
      bound.add(RollupLevel.MINUTE.bucket(start));
      bound.add(RollupLevel.MINUTE.bucket(start.plus(minutes, ChronoUnit.MINUTES)));
      bound.addAll(plan.rollupValues);
      counts = analytics.query(c -> {
        Map<String, long[]> m = new HashMap<>();
        JsonObject meta = rollupsMeta(c);
        boolean totalsBuilt = meta != null && meta.getInteger("version", 0) >= AccessRollups.TOTALS_SINCE;
        addCounts(c, plan.timelineSql(totalsBuilt), bound, m);
        // The rows the writer has not applied to the rollups yet, in the same read transaction.
        Long through = AccessRollups.through(meta);
        if (through != null) addCounts(c, plan.minuteTailSql(), plan.tailValues(through, start, start.plus(minutes, ChronoUnit.MINUTES)), m);
        return m;
      });
    } else {
      List<Object> bound = new ArrayList<>(filter.bound());
      bound.add(startText);
      bound.add(endText);
      String sql = Sql.get("access_minutes_filtered") + filter.where() + " AND " + Sql.get("where_since") + " AND "
          + Sql.get("where_until") + " " + Sql.get("group_by_minute");
      counts = pool.preparedQuery(sql).execute(Tuple.from(bound)).map(rows -> {
        Map<String, long[]> m = new HashMap<>();
        for (Row r : rows) m.put(r.getString("minute"), new long[] {number(r.getValue("requests")), number(r.getValue("errors"))});
        return m;
      });
    }
    return counts.map(m -> {
      JsonArray out = new JsonArray();
      for (int i = 0; i < minutes; i++) {
        String minute = MINUTE.format(start.plus(i, ChronoUnit.MINUTES));
        long[] c = m.getOrDefault(minute, new long[2]);
        out.add(new JsonArray().add(minute).add(c[0]).add(c[1]));
      }
      return out;
    });
  }

  /** Ids of pending (not yet consumed) events after {@code after}, oldest first. */
  public Future<JsonArray> pendingIds(long after, int limit) {
    return pool.preparedQuery(Sql.get("pending_ids_after")).execute(Tuple.of(after, limit)).map(rows -> {
      JsonArray ids = new JsonArray();
      for (Row r : rows) ids.add(number(r.getValue("id")));
      return ids;
    });
  }

  /** The database file and its WAL, in bytes (0 when absent). */
  public Future<JsonObject> fileSizes() {
    return vertx.executeBlocking(() -> new JsonObject()
        .put("path", dbPath.toAbsolutePath().toString())
        .put("fileBytes", size(dbPath))
        .put("walBytes", size(dbPath.resolveSibling(dbPath.getFileName() + "-wal"))), false);
  }

  /** Adds a per-minute query's (minute, requests, server errors) rows to {@code m}. */
  private static void addCounts(Connection c, String sql, List<Object> bound, Map<String, long[]> m) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(sql)) {
      for (int i = 0; i < bound.size(); i++) st.setObject(i + 1, bound.get(i));
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          long[] counts = m.computeIfAbsent(rs.getString(1), k -> new long[2]);
          counts[0] += rs.getLong(2);
          counts[1] += rs.getLong(3);
        }
      }
    }
  }

  /** The rollups' meta value (their version, the fold watermark), or null on a file without rollups. */
  private static JsonObject rollupsMeta(Connection c) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(Sql.get("get_meta"))) {
      st.setString(1, AccessRollups.META_KEY);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? new JsonObject(rs.getString(1)) : null;
      }
    }
  }

  private static long size(Path p) {
    try {
      return Files.exists(p) ? Files.size(p) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private static Long number(Object v) {
    return v instanceof Number n ? n.longValue() : null;
  }

  /**
   * One route's duration histogram (durations bucketed as in {@link AccessRollups#durationBucket}) and
   * what is derived from it; the mean comes from the exact sum of the durations.
   */
  static final class RouteStats {
    final String method;
    final String path;
    long requests;
    long errors;
    long clientErrors;
    long timed;
    double sumMs;
    /**
     * Keyed by the duration's bits times an odd constant (one key per duration, as a bijection): a
     * Double key hashes whole milliseconds into few buckets of a HashMap (the low bits of their bits are
     * zero), which then searches tree bins (a profile of the 24-hour statistics showed it).
     */
    private final Map<Long, Bucket> histogram = new HashMap<>();

    /** Requests that took {@code ms} (a three-significant-digit bucket). */
    static final class Bucket {
      final double ms;
      long n;

      Bucket(double ms) {
        this.ms = ms;
      }
    }

    RouteStats(String method, String path) {
      this.method = method;
      this.path = path;
    }

    /** Adds {@code n} requests ({@code n} negative: takes them away, with their sum and errors). */
    void add(Double durationMs, long n, double sum, long err, long clientErr) {
      requests += n;
      errors += err;
      clientErrors += clientErr;
      if (durationMs == null || n == 0) return;
      timed += n;
      sumMs += sum;
      histogram.computeIfAbsent(Double.doubleToLongBits(durationMs) * 0x9E3779B97F4A7C15L, k -> new Bucket(durationMs)).n += n;
    }

    /** Nearest rank: the smallest duration with at least p% of the timed requests at or below it. */
    static Double percentile(List<Bucket> sorted, long timed, int p) {
      if (timed == 0) return null;
      long rank = Math.max(1, (p * timed + 99) / 100);
      long seen = 0;
      for (Bucket bucket : sorted) {
        seen += bucket.n;
        if (seen >= rank) return bucket.ms;
      }
      return sorted.get(sorted.size() - 1).ms;
    }

    JsonObject toJson() {
      List<Bucket> sorted = new ArrayList<>();
      // A bucket taken away as often as added holds no request of the window.
      for (Bucket b : histogram.values()) if (b.n > 0) sorted.add(b);
      sorted.sort((a, b) -> Double.compare(a.ms, b.ms));
      Double maxMs = sorted.isEmpty() ? null : sorted.get(sorted.size() - 1).ms;
      JsonObject json = new JsonObject();
      if (method != null) json.put("method", method).put("path", path);
      return json
          .put("requests", requests)
          .put("errors", errors)
          .put("clientErrors", clientErrors)
          .put("errorRate", requests == 0 ? 0.0 : Math.round(errors * 10_000.0 / requests) / 10_000.0)
          .put("p50", percentile(sorted, timed, 50))
          .put("p95", percentile(sorted, timed, 95))
          .put("p99", percentile(sorted, timed, 99))
          // the exact mean, to the nanosecond
          .put("avgMs", timed == 0 ? null : Math.round(sumMs * 1e6 / timed) / 1e6)
          .put("maxMs", timed == 0 ? null : maxMs);
    }
  }
}
