package dev.spark.storage;

import io.vertx.core.json.JsonObject;

import java.util.function.Function;

/**
 * An {@code issues} row (the columns of {@code issue_columns}) in the API's JSON shape, from
 * whatever reads it: a JDBC result set on the writer, a Vert.x SQL client row on the read pool.
 */
public final class IssueRows {
  private IssueRows() {}

  public static JsonObject json(Function<String, Object> column) {
    return new JsonObject()
        .put("fingerprint", column.apply("fingerprint"))
        .put("type", column.apply("type"))
        .put("errorClass", column.apply("error_class"))
        .put("message", column.apply("message"))
        .put("culprit", column.apply("culprit"))
        .put("status", column.apply("status"))
        .put("firstSeen", column.apply("first_seen"))
        .put("lastSeen", column.apply("last_seen"))
        .put("count", number(column.apply("count")))
        .put("firstEventId", number(column.apply("first_event_id")))
        .put("lastEventId", number(column.apply("last_event_id")))
        .put("regression", Long.valueOf(1).equals(number(column.apply("regression"))))
        .put("resolvedAt", column.apply("resolved_at"))
        .put("resolvedThroughEventId", number(column.apply("resolved_through_id")))
        .put("statusChangedAt", column.apply("status_changed_at"))
        .put("lastDeliveredAt", column.apply("last_delivered_at"))
        .put("lastDeliveredEventId", number(column.apply("last_delivered_event_id")))
        .put("deliveries", number(column.apply("deliveries")))
        .put("suppressedSinceDelivery", number(column.apply("suppressed")));
  }

  public static Long number(Object v) {
    return v instanceof Number n ? n.longValue() : null;
  }
}
