package dev.spark.alerts;

import io.vertx.core.json.JsonObject;

/**
 * One alert for one target, as the outbox holds it: {@code id} is the idempotency key sent with every
 * attempt ({@code X-Spark-Delivery}), {@code payload} the alert as storage wrote it in the triggering
 * event's transaction (kind, rule, issue, event, environment, link, time).
 */
public record Delivery(String id, String kind, String target, JsonObject payload) {

  /** The issue's title as people read it: "ErrorClass: message", either alone when the other is missing. */
  public String title() {
    JsonObject issue = payload.getJsonObject("issue", new JsonObject());
    String title = issue.getString("title");
    return title == null || title.isBlank() ? "(no message)" : title;
  }

  public String link() {
    return payload.getString("link", "");
  }

  /** A short heading for the kind: "New issue", "Regression", ... */
  public String heading() {
    return switch (kind) {
      case "new-issue" -> "New issue";
      case "regression" -> "Regression";
      case "frequency" -> "Frequent issue";
      case "agent-fix" -> "Agent fix";
      case "spark-health" -> "Spark health";
      case "test" -> "Test alert";
      default -> kind;
    };
  }
}
