package dev.spark.query;

import dev.spark.event.EventType;
import dev.spark.event.InputText;
import dev.spark.event.StoredEvent;
import dev.spark.event.ValidationException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The queries behind {@code GET /api/v1/events} and {@code GET /api/v1/access}: parameters in,
 * the answer's JSON out. The HTTP routes call it with the query string; the CLI, when Spark is not
 * running, calls it with the same parameters on a read-only connection, so both answer alike.
 */
public final class QueryApi {
  static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 10_000;

  private QueryApi() {}

  /** {@code type}, {@code since}, {@code consumed}, {@code limit}; fails with a {@link ValidationException} on a bad one. */
  public static Future<JsonObject> events(ReadStore reads, Map<String, String> params) {
    return guarded(() -> events(reads, new QueryParams(params)));
  }

  /** {@code status}, {@code feature}, {@code path}, {@code method}, {@code since}, {@code until}, {@code limit}. */
  public static Future<JsonObject> access(ReadStore reads, Map<String, String> params) {
    return guarded(() -> access(reads, new QueryParams(params)));
  }

  public static Future<JsonObject> events(ReadStore reads, QueryParams q) {
    ReadStore.Filter f = new ReadStore.Filter();
    String type = q.string("type");
    if (type != null) {
      if (EventType.fromWire(type).isEmpty()) {
        throw new ValidationException("type", "type must be one of " + EventType.allowed() + " (got " + InputText.echo(type) + ")");
      }
      f.where("where_type", type);
    }
    String since = q.time("since");
    if (since != null) f.where("where_since", since);
    Boolean consumed = q.bool("consumed");
    if (consumed != null) f.where("where_consumed", consumed ? 1 : 0);
    return reads.events(f, q.limit(DEFAULT_LIMIT, MAX_LIMIT)).map(list -> {
      JsonArray arr = new JsonArray();
      for (StoredEvent e : list) arr.add(e.toJson());
      return new JsonObject().put("count", arr.size()).put("events", arr);
    });
  }

  public static Future<JsonObject> access(ReadStore reads, QueryParams q) {
    ReadStore.Filter f = accessFilter(q, true);
    Long before = q.integer("before", 1, Long.MAX_VALUE);
    if (before != null) f.where("where_before_id", before);
    return reads.access(f, q.limit(DEFAULT_LIMIT, MAX_LIMIT))
        .map(arr -> new JsonObject().put("count", arr.size()).put("access", arr));
  }

  /**
   * The access-log filters ({@code status}, {@code feature}, {@code path}, {@code method},
   * {@code requestId}, and with {@code window} also {@code since}/{@code until}); shared with the
   * statistics endpoints.
   */
  static ReadStore.Filter accessFilter(QueryParams q, boolean window) {
    ReadStore.Filter f = new ReadStore.Filter();
    String status = q.string("status");
    if (status != null) statusFilter(f, status);
    String feature = q.string("feature");
    if (feature != null) f.where("where_feature", feature);
    String path = q.string("path");
    if (path != null) {
      // A prefix as a range: case-sensitive like the exact match, and able to use an index.
      if (path.endsWith("*")) {
        String prefix = path.substring(0, path.length() - 1);
        f.where("where_path_prefix", prefix, prefix + "\uDBFF\uDFFF");
      } else {
        f.where("where_path", path);
      }
    }
    String method = q.string("method");
    if (method != null) f.where("where_method", method.toUpperCase(Locale.ROOT));
    String requestId = q.string("requestId");
    if (requestId != null) f.where("where_request_id", requestId);
    if (window) {
      String since = q.time("since");
      if (since != null) f.where("where_since", since);
      String until = q.time("until");
      if (until != null) f.where("where_until", until);
    }
    return f;
  }

  /** {@code status=500} matches exactly; {@code status=5xx} matches the class. */
  private static void statusFilter(ReadStore.Filter f, String status) {
    String s = status.trim().toLowerCase(Locale.ROOT);
    if (s.matches("[1-5]xx")) {
      int base = (s.charAt(0) - '0') * 100;
      f.where("where_status_range", base, base + 100);
    } else if (s.matches("[1-5][0-9][0-9]")) {
      f.where("where_status", Integer.parseInt(s));
    } else {
      throw new ValidationException("status", "status must be an HTTP status such as 500 or a class such as 5xx (got " + InputText.echo(status) + ")");
    }
  }

  private static Future<JsonObject> guarded(Supplier<Future<JsonObject>> query) {
    try {
      return query.get();
    } catch (ValidationException e) {
      return Future.failedFuture(e);
    }
  }
}
