package dev.spark.query;

import dev.spark.event.Timestamps;
import dev.spark.storage.RollupLevel;
import dev.spark.storage.RouteTemplates;
import dev.spark.storage.Sql;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An access-log statistics query as pieces that each read little: the time window cut into whole
 * days, hours and minutes (read from the rollups) and at most two partial minutes at its ends (read
 * from {@code access_logs} on its timestamp index). Only filters the rollups can answer exactly are
 * translated; {@link #plan} returns null for the others (a request id, an id bound, a path that is not
 * its own route), which are then answered from the raw rows alone.
 */
final class RollupQuery {
  private static final String METHOD = "method = ?";
  /**
   * A part of the window: {@code level} null for raw rows; {@code from}/{@code until} null when open
   * (both ignored for {@link RollupLevel#ALL}, every folded row).
   */
  record Segment(RollupLevel level, Instant from, Instant until) {}

  /** Filter clauses on the rollups, and the same filter on raw rows without the window. */
  final List<String> rollupClauses = new ArrayList<>();
  final List<Object> rollupValues = new ArrayList<>();
  final List<String> rawClauses = new ArrayList<>();
  final List<Object> rawValues = new ArrayList<>();
  Instant since;
  Instant until;

  private RollupQuery() {}

  static RollupQuery plan(ReadStore.Filter filter) {
    RollupQuery q = new RollupQuery();
    for (ReadStore.Filter.Clause c : filter.clauses()) {
      List<Object> v = c.values();
      switch (c.name()) {
        case "where_since" -> q.since = instant(v.get(0));
        case "where_until" -> q.until = instant(v.get(0));
        case "where_status" -> q.rollup("status = ?", v);
        case "where_status_range" -> q.rollup("status >= ? AND status < ?", v);
        case "where_feature" -> q.rollup("feature = ?", v);
        case "where_method" -> q.rollup(METHOD, v);
        case "where_path" -> {
          if (!RouteTemplates.isTemplate((String) v.get(0))) return null;
          q.rollup("route = ?", v);
        }
        case "where_path_prefix" -> {
          // A prefix that ends at a segment boundary and holds no id selects the same requests as routes.
          String prefix = (String) v.get(0);
          if (!prefix.endsWith("/") || !RouteTemplates.isTemplate(prefix)) return null;
          q.rollup("route >= ? AND route < ?", v);
        }
        default -> {
          return null;
        }
      }
      if (!c.name().equals("where_since") && !c.name().equals("where_until")) {
        q.rawClauses.add(Sql.get(c.name()));
        q.rawValues.addAll(v);
      }
    }
    if (q.since == null) q.since = Instant.EPOCH;
    return q;
  }

  private void rollup(String clause, List<Object> values) {
    rollupClauses.add(clause);
    rollupValues.addAll(values);
  }

  private static Instant instant(Object v) {
    Instant t = Timestamps.parse(String.valueOf(v));
    if (t == null) throw new IllegalArgumentException("Not a timestamp: " + v);
    return t;
  }

  /**
   * The window [since, until) as level ranges and raw edges. The hour and day levels hold only the
   * minutes before {@code foldedUntil} (the end of the fold watermark's minute; null: every minute, as
   * on a file from before folding), so the part of the window from there on is read from the minute
   * level and raw edges only. Before it, an hour or day piece may be left open at its end: those levels
   * hold nothing after foldedUntil, so the current day up to it is one piece of the day level, not its
   * hours and the current hour's minutes. Nothing is subtracted here ({@link RollupCover.Mode#PLAIN}).
   */
  List<Segment> segments(Instant foldedUntil) {
    return RollupCover.pieces(since, until, foldedUntil, null, RollupCover.Mode.PLAIN).stream().map(RollupCover.Piece::segment).toList();
  }

  /**
   * The statement for a raw piece, in the histogram's columns ({@code access_route_histogram}), and its
   * values: with a mark {@code through} (null: the rollups hold every row), only the rows up to it, as
   * the rollup pieces; the rows after it are the tail's.
   */
  String rawSql(Segment s, Long through) {
    List<String> where = new ArrayList<>();
    where.add("timestamp >= ?");
    if (s.until() != null) where.add("timestamp < ?");
    where.addAll(rawClauses);
    // Unary plus: the mark bounds the rows, it never picks the index (a range of the primary key up to
    // the mark is the whole table; without it the raw edge keeps its plan on the timestamp index).
    if (through != null) where.add("+id <= ?");
    return Sql.get("access_route_histogram") + " WHERE " + String.join(" AND ", where) + " " + Sql.get("access_route_histogram_group");
  }

  List<Object> rawValues(Segment s, Long through) {
    List<Object> values = new ArrayList<>();
    values.add(bound(null, s.from()));
    if (s.until() != null) values.add(bound(null, s.until()));
    values.addAll(rawValues);
    if (through != null) values.add(through);
    return values;
  }

  /**
   * The rows of the window after the rollups' mark (not in the rollups yet: at most a flush's worth),
   * in the histogram's columns. NOT INDEXED: read on the primary key's range, never on an index that
   * would cover the whole window. Plan: SEARCH access_logs USING INTEGER PRIMARY KEY (rowid>?).
   */
  String tailSql() {
    return Sql.get("access_route_histogram") + " NOT INDEXED WHERE " + tailWhere(until != null) + " " + Sql.get("access_route_histogram_group");
  }

  /** The same rows of a closed window per minute: requests and server errors ({@code access_minutes_filtered}'s columns). */
  String minuteTailSql() {
    return Sql.get("access_minutes_filtered") + " NOT INDEXED WHERE " + tailWhere(true) + " " + Sql.get("group_by_minute");
  }

  private String tailWhere(boolean closed) {
    List<String> where = new ArrayList<>(List.of("id > ?", "timestamp >= ?"));
    if (closed) where.add("timestamp < ?");
    where.addAll(rawClauses);
    return String.join(" AND ", where);
  }

  /** The tail's values for rows after {@code through} in [from, until) (until null: open). */
  List<Object> tailValues(long through, Instant from, Instant until) {
    List<Object> values = new ArrayList<>();
    values.add(through);
    values.add(bound(null, from));
    if (until != null) values.add(bound(null, until));
    values.addAll(rawValues);
    return values;
  }

  /**
   * One statement for all the rollup pieces: their rows (a subtracted piece's negated) summed per
   * (method, route, duration), in the histogram's columns. One sort for the lot, and each duration
   * of a route crosses to Java once, not once per piece and status. Plan: CO-ROUTINE of the compound
   * query, each arm SEARCH access_rollup_... USING PRIMARY KEY (bucket>? AND bucket<?) (the all level:
   * SCAN, a row per key), then USE TEMP B-TREE FOR GROUP BY; the sort is most of the statement's time.
   */
  String rollupSql(List<RollupCover.Piece> pieces) {
    StringBuilder union = new StringBuilder();
    for (RollupCover.Piece p : pieces) {
      Segment s = p.segment();
      String sign = p.sign() < 0 ? "-" : "";
      if (union.length() > 0) union.append(" UNION ALL ");
      union.append("SELECT method, route, duration_ms, status, ").append(sign).append("n AS n, ").append(sign)
          .append("sum_ms AS sum_ms FROM ").append(s.level().table);
      List<String> where = new ArrayList<>();
      if (s.level() != RollupLevel.ALL) where.add("bucket >= ?");
      if (s.level() != RollupLevel.ALL && s.until() != null) where.add("bucket < ?");
      where.addAll(rollupClauses);
      if (!where.isEmpty()) union.append(" WHERE ").append(String.join(" AND ", where));
    }
    return "SELECT method, route, duration_ms, sum(n), sum(sum_ms), sum(CASE WHEN status >= 500 THEN n ELSE 0 END),"
        + " sum(CASE WHEN status >= 400 AND status < 500 THEN n ELSE 0 END) FROM (" + union + ") GROUP BY method, route, duration_ms";
  }

  List<Object> rollupBound(List<RollupCover.Piece> pieces) {
    List<Object> values = new ArrayList<>();
    for (RollupCover.Piece p : pieces) {
      Segment s = p.segment();
      if (s.level() != RollupLevel.ALL) {
        values.add(bound(s.level(), s.from()));
        if (s.until() != null) values.add(bound(s.level(), s.until()));
      }
      values.addAll(rollupValues);
    }
    return values;
  }

  private static String bound(RollupLevel level, Instant t) {
    return level == null ? Timestamps.format(t) : level.bucket(t);
  }

  /**
   * Requests and server errors per minute for whole minutes [from, until): without a filter from the
   * per-minute totals (a row per minute and method) when the file has them, and so by method; else
   * from the minute rollups.
   */
  String timelineSql(boolean totalsBuilt) {
    if (totalsBuilt && rollupClauses.isEmpty()) return Sql.get("timeline_totals");
    if (totalsBuilt && rollupClauses.equals(List.of(METHOD))) return Sql.get("timeline_totals_method");
    StringBuilder sql = new StringBuilder("SELECT bucket, sum(n), sum(CASE WHEN status >= 500 THEN n ELSE 0 END) FROM ")
        .append(RollupLevel.MINUTE.table).append(" WHERE bucket >= ? AND bucket < ?");
    for (String c : rollupClauses) sql.append(" AND ").append(c);
    return sql.append(" GROUP BY bucket").toString();
  }
}
