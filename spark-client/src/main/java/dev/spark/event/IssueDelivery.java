package dev.spark.event;

import io.vertx.core.json.JsonObject;

/**
 * What an agent is told about an issue when one of its events is delivered: the event stands for
 * the issue in its batch (one event per issue per batch). Stored with the event (column
 * {@code delivery}), so a stream resumed by {@code Last-Event-ID} hands the same text out again.
 *
 * @param kind              {@link #NEW} (first delivery), {@link #STILL_HAPPENING} (the cooldown has
 *                          passed since the previous delivery and it occurred again) or
 *                          {@link #REGRESSION} (it occurred again after being resolved; delivered at
 *                          once, and the issue is open again)
 * @param inBatch           occurrences of the issue consumed in this batch (this event included)
 * @param total             occurrences stored so far (pending ones included)
 * @param sinceLastDelivery occurrences since the previous delivery (all of them, for a first
 *                          delivery), this batch's included: the "N more since"
 * @param previousDeliveryAt when the issue was last delivered before (null for a first delivery)
 * @param resolvedAt        when it was resolved (regressions; null otherwise)
 */
public record IssueDelivery(
    String fingerprint,
    String kind,
    int inBatch,
    long total,
    long sinceLastDelivery,
    String previousDeliveryAt,
    String resolvedAt,
    String firstSeen,
    String lastSeen) {

  public static final String NEW = "new";
  public static final String STILL_HAPPENING = "still-happening";
  public static final String REGRESSION = "regression";

  /** One line for a human or an agent, e.g. "Still happening: 1234 more since 2026-11-24T10:00:00.000Z (10000 in total)". */
  public String summary() {
    return switch (kind) {
      case REGRESSION -> "Regression: resolved" + (resolvedAt == null ? "" : " at " + resolvedAt) + ", and it occurred again ("
          + inBatch + " in this batch, " + total + " in total); the issue is open again.";
      case STILL_HAPPENING -> "Still happening: " + sinceLastDelivery + " more since it was last delivered"
          + (previousDeliveryAt == null ? "" : " at " + previousDeliveryAt) + " (" + total + " in total).";
      default -> "New issue: " + inBatch + (inBatch == 1 ? " occurrence" : " occurrences") + " in this batch, " + total
          + " in total since " + firstSeen + ".";
    };
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("fingerprint", fingerprint)
        .put("kind", kind)
        .put("inBatch", inBatch)
        .put("total", total)
        .put("sinceLastDelivery", sinceLastDelivery)
        .put("previousDeliveryAt", previousDeliveryAt)
        .put("resolvedAt", resolvedAt)
        .put("firstSeen", firstSeen)
        .put("lastSeen", lastSeen)
        .put("summary", summary());
  }

  public static IssueDelivery fromJson(JsonObject json) {
    return new IssueDelivery(json.getString("fingerprint"), json.getString("kind"), json.getInteger("inBatch", 0),
        json.getLong("total", 0L), json.getLong("sinceLastDelivery", 0L), json.getString("previousDeliveryAt"),
        json.getString("resolvedAt"), json.getString("firstSeen"), json.getString("lastSeen"));
  }

  /** From the stored text; null for null or unreadable text. */
  public static IssueDelivery parse(String text) {
    if (text == null) return null;
    try {
      return fromJson(new JsonObject(text));
    } catch (RuntimeException e) {
      return null;
    }
  }
}
