package dev.spark.query;

import dev.spark.event.EventRows;
import dev.spark.event.StoredEvent;
import dev.spark.storage.IssueRows;
import dev.spark.storage.RouteTemplates;
import dev.spark.storage.Sql;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.jdbcclient.JDBCConnectOptions;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads, on a pool of its own beside the single writer (WAL lets them run side by side). Never
 * writes. Filters are fixed SQL fragments joined with AND; every value is bound.
 */
public final class ReadStore {
  private final Pool pool;
  private final Path path;
  /** Set once the file is known to have the issue columns; until then each read checks (a file written before issues existed has none). */
  private volatile boolean current;

  public ReadStore(Vertx vertx, Path dbPath) {
    this(vertx, dbPath, false);
  }

  private ReadStore(Vertx vertx, Path dbPath, boolean readOnly) {
    this.path = dbPath;
    // open_mode=1 is SQLITE_OPEN_READONLY: such a connection cannot write, and cannot create a missing file.
    String url = "jdbc:sqlite:" + dbPath.toAbsolutePath() + "?busy_timeout=5000" + (readOnly ? "&open_mode=1" : "");
    this.pool = JDBCPool.pool(vertx, new JDBCConnectOptions().setJdbcUrl(url),
        new PoolOptions().setMaxSize(readOnly ? 1 : 4).setShared(true)
            .setName("spark-read-" + (readOnly ? "only-" : "") + dbPath.toAbsolutePath()));
  }

  /**
   * Reads an existing database file through a read-only SQLite connection, for tools that look at
   * the file while Spark is not running (the CLI): they can never write to it or create it.
   */
  public static ReadStore readOnly(Vertx vertx, Path dbPath) {
    return new ReadStore(vertx, dbPath, true);
  }

  /** For the other read-only queries of this package ({@link DashboardReads}). */
  Pool pool() {
    return pool;
  }

  public Path path() {
    return path;
  }

  public Future<Void> close() {
    return pool.close();
  }

  public Future<List<StoredEvent>> events(Filter filter, int limit) {
    return sql(Sql.get("event_columns") + filter.where() + " ORDER BY id DESC LIMIT ?")
        .compose(sql -> pool.preparedQuery(sql).execute(filter.values(limit))).map(ReadStore::events);
  }

  public Future<StoredEvent> event(long id) {
    return sql(Sql.get("event_by_id")).compose(sql -> pool.preparedQuery(sql).execute(Tuple.of(id)))
        .map(rows -> {
          List<StoredEvent> list = events(rows);
          return list.isEmpty() ? null : list.get(0);
        });
  }

  /**
   * Events with id in (after, upTo], oldest first; with {@code consumedOnly}, only the ones
   * delivered to agents (consumed and not suppressed by flood control).
   */
  public Future<List<StoredEvent>> eventsAfter(long after, boolean consumedOnly, int limit) {
    Tuple args = consumedOnly ? Tuple.of(after, limit) : Tuple.of(after, Long.MAX_VALUE, limit);
    return sql(Sql.get(consumedOnly ? "consumed_events_after" : "events_after"))
        .compose(sql -> pool.preparedQuery(sql).execute(args)).map(ReadStore::events);
  }

  /** The newest {@code limit} events of one issue. */
  public Future<List<StoredEvent>> eventsOfIssue(String fingerprint, int limit) {
    return issuesReadable().compose(ok -> !ok ? Future.succeededFuture(List.of())
        : pool.preparedQuery(Sql.get("events_of_issue")).execute(Tuple.of(fingerprint, limit)).map(ReadStore::events));
  }

  /** Issues, in the API's JSON shape, filtered and ordered ({@code order} is a named ORDER BY fragment). */
  public Future<JsonArray> issues(Filter filter, String order, int limit) {
    String sql = Sql.get("issue_columns") + filter.where() + " " + Sql.get(order) + " LIMIT ?";
    return issuesReadable().compose(ok -> !ok ? Future.succeededFuture(new JsonArray())
        : pool.preparedQuery(sql).execute(filter.values(limit)).map(rows -> {
          JsonArray out = new JsonArray();
          for (Row r : rows) out.add(IssueRows.json(r::getValue));
          return out;
        }));
  }

  /** One issue in the API's JSON shape, or null. */
  public Future<JsonObject> issue(String fingerprint) {
    return issuesReadable().compose(ok -> !ok ? Future.succeededFuture((JsonObject) null)
        : pool.preparedQuery(Sql.get("issue_by_fingerprint")).execute(Tuple.of(fingerprint)).map(rows -> {
          if (!rows.iterator().hasNext()) return null;
          return IssueRows.json(rows.iterator().next()::getValue);
        }));
  }

  /** Occurrences of one issue per hour (keys like {@code 2026-11-24T10}) from {@code since}. */
  public Future<Map<String, Long>> issueHourly(String fingerprint, String since) {
    return issuesReadable().compose(ok -> !ok ? Future.succeededFuture(Map.<String, Long>of())
        : pool.preparedQuery(Sql.get("issue_hourly")).execute(Tuple.of(fingerprint, since)).map(rows -> {
          Map<String, Long> out = new HashMap<>();
          for (Row r : rows) out.put(r.getString("hour"), number(r.getValue("n")));
          return out;
        }));
  }

  /**
   * The SQL to run for an events read. On a file written before issues existed (the CLI or the
   * dashboard sidecar reading a file the writer has not opened since), the issue columns read as
   * NULL and nothing counts as suppressed, which is what those rows mean.
   */
  private Future<String> sql(String sql) {
    return issuesReadable().map(ok -> ok ? sql
        : sql.replace("consumed_at, fingerprint, delivery, suppressed", "consumed_at, NULL AS fingerprint, NULL AS delivery, 0 AS suppressed")
            .replace(" AND suppressed = 0", ""));
  }

  /** Whether the file has the issue columns and table (checked until it has). */
  private Future<Boolean> issuesReadable() {
    if (current) return Future.succeededFuture(true);
    return pool.query(Sql.get("events_have_fingerprint")).execute()
        .map(rows -> {
          Long n = number(rows.iterator().next().getValue("n"));
          if (n != null && n > 0) current = true;
          return current;
        });
  }

  public Future<JsonArray> access(Filter filter, int limit) {
    return pathAbsent(filter).compose(absent -> absent ? Future.succeededFuture(new JsonArray()) : planned(filter).compose(f ->
        pool.preparedQuery(Sql.get("access_columns") + f.where() + " ORDER BY id DESC LIMIT ?").execute(f.values(limit)).map(rows -> {
          JsonArray out = new JsonArray();
          for (Row r : rows) out.add(accessJson(r));
          return out;
        })));
  }

  /**
   * True when the filter asks for an exact path that is its own route and the rollups, built, hold no
   * row of that route: then no row has that path, and the table (which has no index on path) is not
   * read end to end to find that out.
   */
  Future<Boolean> pathAbsent(Filter filter) {
    Filter.Clause path = filter.clause("where_path");
    if (path == null || !(path.values().get(0) instanceof String p) || !RouteTemplates.isTemplate(p)) return Future.succeededFuture(false);
    return pool.preparedQuery(Sql.get("route_in_rollups")).execute(Tuple.of(p, p, p)).map(rows -> {
      Row r = rows.iterator().next();
      return r.getValue("built") != null && Long.valueOf(0).equals(number(r.getValue("present")));
    });
  }

  /**
   * A status class ({@code 5xx}) is listed newest first without its index (a common class fills a page
   * from the newest rows at once; through the index it would sort all of them), unless it has fewer than
   * {@link #RARE_CLASS_ROWS} rows in all: then through its index, not by reading the whole table.
   */
  Future<Filter> planned(Filter filter) {
    Filter.Clause range = filter.clause("where_status_range");
    if (range == null) return Future.succeededFuture(filter);
    Tuple probe = Tuple.of(range.values().get(0), range.values().get(1), RARE_CLASS_ROWS);
    return pool.preparedQuery(Sql.get("count_status_range_upto")).execute(probe).map(rows -> {
      Long n = number(rows.iterator().next().getValue("n"));
      return n != null && n < RARE_CLASS_ROWS ? filter.renamed("where_status_range", "where_status_range_indexed") : filter;
    });
  }

  public Future<JsonObject> counts() {
    return pool.query(Sql.get("count_events")).execute().compose(ev -> {
      Row e = ev.iterator().next();
      return accessCount().map(access -> new JsonObject()
          .put("events", number(e.getValue("total")))
          .put("pendingEvents", number(e.getValue("pending")))
          .put("lastEventId", number(e.getValue("last_id")))
          .put("accessLogs", access));
    });
  }

  /**
   * Access-log rows on disk: the sum of the day rollups, which the writer and the janitor keep exact,
   * plus the minutes not folded into them and the rows after the rollups' mark, when the file has them
   * built; else (a file from before them, read before the writer opened it) a count of the rows.
   */
  private Future<Long> accessCount() {
    Future<Long> fromRollups = pool.query(Sql.get("count_access_rollups")).execute().map(rows -> {
      Row r = rows.iterator().next();
      return r.getValue("built") == null ? null : number(r.getValue("total"));
    });
    return fromRollups.recover(e -> Future.succeededFuture(null)).compose(n -> n != null ? Future.succeededFuture(n)
        : pool.query(Sql.get("count_access")).execute().map(rows -> number(rows.iterator().next().getValue("total"))));
  }

  public Future<Long> maxEventId() {
    return pool.query(Sql.get("max_event_id")).execute().map(rows -> {
      Long max = number(rows.iterator().next().getValue("max_id"));
      return max == null ? 0L : max;
    });
  }

  public Future<JsonObject> meta(String key) {
    return pool.preparedQuery(Sql.get("get_meta")).execute(Tuple.of(key)).map(rows -> {
      if (!rows.iterator().hasNext()) return null;
      return new JsonObject(rows.iterator().next().getString("value"));
    });
  }

  private static List<StoredEvent> events(RowSet<Row> rows) {
    List<StoredEvent> out = new ArrayList<>();
    for (Row r : rows) out.add(EventRows.event(r::getValue));
    return out;
  }

  private static JsonObject accessJson(Row r) {
    JsonObject json = new JsonObject()
        .put("id", number(r.getValue("id")))
        .put("timestamp", r.getString("timestamp"))
        .put("method", r.getString("method"))
        .put("path", r.getString("path"))
        .put("status", number(r.getValue("status")))
        .put("durationMs", r.getValue("duration_ms") instanceof String d ? (Object) Double.parseDouble(d) : null)
        .put("ip", r.getString("ip"))
        .put("feature", r.getString("feature"))
        .put("requestId", r.getString("request_id"))
        .put("error", r.getString("error"))
        .put("userAgent", r.getString("user_agent"));
    String input = r.getString("input");
    if (input == null) {
      json.putNull("input"); // like every other column: present, null when the row has none
    } else {
      try {
        json.put("input", Json.decodeValue(input));
      } catch (DecodeException e) {
        json.put("input", input);
      }
    }
    return json;
  }

  private static Long number(Object v) {
    return v instanceof Number n ? n.longValue() : null;
  }

  static final int RARE_CLASS_ROWS = 2_000;

  /** A WHERE clause built from fixed fragments, with its bound values in order. */
  public static final class Filter {
    private final List<String> clauses = new ArrayList<>();
    private final List<Object> values = new ArrayList<>();
    private final List<Clause> named = new ArrayList<>();

    /** One fragment by its name in {@code sql/statements.sql}, with the values it binds. */
    record Clause(String name, List<Object> values) {}

    /** Adds the named fragment from {@code sql/statements.sql} with the values it binds. */
    public Filter where(String fragmentName, Object... bound) {
      clauses.add(Sql.get(fragmentName));
      for (Object b : bound) values.add(b);
      named.add(new Clause(fragmentName, Arrays.asList(bound)));
      return this;
    }

    List<Clause> clauses() {
      return List.copyOf(named);
    }

    /** The first clause of that fragment, or null. */
    Clause clause(String fragmentName) {
      for (Clause c : named) if (c.name().equals(fragmentName)) return c;
      return null;
    }

    /** The same filter with the fragment {@code from} read as {@code to} (the same values). */
    Filter renamed(String from, String to) {
      Filter f = new Filter();
      for (Clause c : named) f.where(c.name().equals(from) ? to : c.name(), c.values().toArray());
      return f;
    }

    String where() {
      return clauses.isEmpty() ? "" : " WHERE " + String.join(" AND ", clauses);
    }

    Tuple values(int limit) {
      List<Object> all = new ArrayList<>(values);
      all.add(limit);
      return Tuple.from(all);
    }

    List<Object> bound() {
      return List.copyOf(values);
    }

    boolean isEmpty() {
      return clauses.isEmpty();
    }
  }
}
