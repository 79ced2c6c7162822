package dev.spark.web;

import dev.spark.event.EventType;
import dev.spark.event.StoredEvent;
import dev.spark.event.ValidationException;
import dev.spark.storage.ReadStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;
import java.util.function.Function;

/** The read side of the API: recent events, one event, access logs. Newest first. */
public final class QueryRoutes {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 10_000;

  private QueryRoutes() {}

  public static Router router(Vertx vertx, ReadStore reads, TokenAuth auth) {
    Router router = Router.router(vertx);
    router.get("/events").handler(auth).handler(ctx -> answer(ctx, q -> listEvents(reads, q)));
    router.get("/events/:id").handler(auth).handler(ctx -> answer(ctx, q -> oneEvent(reads, ctx)));
    router.get("/access").handler(auth).handler(ctx -> answer(ctx, q -> listAccess(reads, q)));
    return router;
  }

  private static Future<JsonObject> listEvents(ReadStore reads, QueryParams q) {
    ReadStore.Filter f = new ReadStore.Filter();
    String type = q.string("type");
    if (type != null) {
      if (EventType.fromWire(type).isEmpty()) {
        throw new ValidationException("type", "type must be one of " + EventType.allowed() + " (got \"" + type + "\")");
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

  private static Future<JsonObject> oneEvent(ReadStore reads, RoutingContext ctx) {
    long id;
    try {
      id = Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      throw new ValidationException("id", "id must be an integer (got \"" + ctx.pathParam("id") + "\")");
    }
    return reads.event(id).map(e -> e == null ? null : e.toJson());
  }

  private static Future<JsonObject> listAccess(ReadStore reads, QueryParams q) {
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
      if (path.endsWith("*")) f.where("where_path_prefix", likePrefix(path.substring(0, path.length() - 1)));
      else f.where("where_path", path);
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
      throw new ValidationException("status", "status must be an HTTP status such as 500 or a class such as 5xx (got \"" + status + "\")");
    }
  }

  private static String likePrefix(String prefix) {
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
  }

  static void answer(RoutingContext ctx, Function<QueryParams, Future<JsonObject>> query) {
    Future<JsonObject> result;
    try {
      result = query.apply(new QueryParams(ctx));
    } catch (ValidationException e) {
      ApiResponses.json(ctx, 400, e.toJson());
      return;
    }
    result.onComplete(ar -> {
      if (ar.failed()) ApiResponses.error(ctx, 500, "internal_error", "Query failed: " + ar.cause().getMessage());
      else if (ar.result() == null) ApiResponses.error(ctx, 404, "not_found", "No such event");
      else ApiResponses.json(ctx, 200, ar.result());
    });
  }
}
