package dev.spark.query;

import dev.spark.event.Timestamps;
import dev.spark.storage.Sql;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;

/**
 * {@code GET /api/v1/alerts/deliveries} on the read pool, beside the writer (so the list answers while
 * the writer is busy or its queue is full, and in the dashboard sidecar, which has no writer): the
 * newest deliveries of {@code alert_outbox}, newest first, with the alert's title and link, no payload.
 */
public final class AlertDeliveriesRead {
  private AlertDeliveriesRead() {}

  /** The newest {@code limit} deliveries as {@code {"deliveries": [...]}}; none on a file written before alerts existed. */
  public static Future<JsonObject> recent(ReadStore reads, int limit) {
    return reads.pool().preparedQuery(Sql.get("alert_recent")).execute(Tuple.of(limit))
        .map(rows -> {
          JsonArray out = new JsonArray();
          for (Row r : rows) out.add(json(r));
          return new JsonObject().put("deliveries", out);
        })
        .recover(e -> String.valueOf(e.getMessage()).contains("no such table: alert_outbox")
            ? Future.succeededFuture(new JsonObject().put("deliveries", new JsonArray()))
            : Future.failedFuture(e));
  }

  private static JsonObject json(Row r) {
    JsonObject payload = new JsonObject(r.getString("payload"));
    JsonObject issue = payload.getJsonObject("issue", new JsonObject());
    String status = r.getString("status");
    Object next = r.getValue("next_attempt_at");
    return new JsonObject().put("id", number(r.getValue("id"))).put("deliveryId", r.getString("delivery_id"))
        .put("rule", r.getString("rule")).put("target", r.getString("target")).put("kind", r.getString("kind"))
        .put("fingerprint", r.getString("fingerprint")).put("eventId", number(r.getValue("event_id")))
        .put("title", issue.getString("title")).put("link", payload.getString("link"))
        .put("status", status).put("attempts", number(r.getValue("attempts")))
        .put("nextAttemptAt", status.equals("pending") && next instanceof Number n ? Timestamps.format(Instant.ofEpochMilli(n.longValue())) : null)
        .put("lastError", r.getString("last_error"))
        .put("createdAt", r.getString("created_at")).put("updatedAt", r.getString("updated_at"));
  }

  private static Long number(Object v) {
    return v instanceof Number n ? n.longValue() : null;
  }
}
