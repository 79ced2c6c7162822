package dev.spark.event;

import io.vertx.core.json.JsonObject;

/**
 * An error event as a same-JVM application builds it. Sent on the event bus as it is (a local codec
 * carries it), then validated exactly like JSON arriving over HTTP. {@code extra} holds any further
 * fields (for example {@code request.input}) and may be null.
 */
public record SparkEvent(
    String type,
    String traceId,
    String timestamp,
    String environment,
    String feature,
    String route,
    Integer status,
    String message,
    String stack,
    JsonObject extra) {

  public static SparkEvent of(EventType type, String message) {
    return new SparkEvent(type.wire(), null, null, null, null, null, null, message, null, null);
  }

  public JsonObject toJson() {
    JsonObject json = extra == null ? new JsonObject() : extra.copy();
    putIfSet(json, "type", type);
    putIfSet(json, "traceId", traceId);
    putIfSet(json, "timestamp", timestamp);
    putIfSet(json, "environment", environment);
    putIfSet(json, "feature", feature);
    putIfSet(json, "route", route);
    putIfSet(json, "status", status);
    if (message != null || stack != null) {
      JsonObject error = json.getValue("error") instanceof JsonObject e ? e : new JsonObject();
      putIfSet(error, "message", message);
      putIfSet(error, "stack", stack);
      json.put("error", error);
    }
    return json;
  }

  static void putIfSet(JsonObject json, String key, Object value) {
    if (value != null) json.put(key, value);
  }
}
