package dev.spark.event;

import io.vertx.core.json.JsonObject;

/**
 * An access-log line as a same-JVM application builds it; validated like JSON from HTTP. {@code durationMs}
 * keeps fractions (0.37 ms is stored as 0.37).
 */
public record AccessLogEntry(
    String method,
    String path,
    int status,
    Number durationMs,
    String timestamp,
    String ip,
    String feature,
    String requestId,
    Object input,
    String error,
    String userAgent) {

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("status", status);
    SparkEvent.putIfSet(json, "method", method);
    SparkEvent.putIfSet(json, "path", path);
    SparkEvent.putIfSet(json, "durationMs", durationMs);
    SparkEvent.putIfSet(json, "timestamp", timestamp);
    SparkEvent.putIfSet(json, "ip", ip);
    SparkEvent.putIfSet(json, "feature", feature);
    SparkEvent.putIfSet(json, "requestId", requestId);
    SparkEvent.putIfSet(json, "input", input);
    SparkEvent.putIfSet(json, "error", error);
    SparkEvent.putIfSet(json, "userAgent", userAgent);
    return json;
  }
}
