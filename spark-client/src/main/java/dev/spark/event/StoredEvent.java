package dev.spark.event;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * An event as stored: its row id, columns and consumption state, and, for an event delivered to
 * agents as its issue's representative, what they were told about the issue ({@link #issue()}); an
 * event consumed without delivery (flood control, a muted or resolved issue) is {@link #suppressed()}.
 * Immutable, so one instance can be handed to every subscriber; its JSON text is built once, on first use.
 */
public final class StoredEvent {
  private final long id;
  private final EventRow row;
  private final boolean consumed;
  private final String consumedAt;
  private final IssueDelivery issue;
  private final boolean suppressed;
  private volatile String encoded;

  public StoredEvent(long id, EventRow row, boolean consumed, String consumedAt) {
    this(id, row, consumed, consumedAt, null);
  }

  public StoredEvent(long id, EventRow row, boolean consumed, String consumedAt, IssueDelivery issue) {
    this(id, row, consumed, consumedAt, issue, false);
  }

  public StoredEvent(long id, EventRow row, boolean consumed, String consumedAt, IssueDelivery issue, boolean suppressed) {
    this.suppressed = suppressed;
    this.id = id;
    this.row = row;
    this.consumed = consumed;
    this.consumedAt = consumedAt;
    this.issue = issue;
  }

  public long id() {
    return id;
  }

  public EventRow row() {
    return row;
  }

  public boolean consumed() {
    return consumed;
  }

  public String consumedAt() {
    return consumedAt;
  }

  /** The event's fingerprint (null for events stored before fingerprints existed). */
  public String fingerprint() {
    return row.fingerprint();
  }

  /** For an event delivered to agents as its issue's representative: what they were told; else null. */
  public IssueDelivery issue() {
    return issue;
  }

  /** Consumed without being delivered to agents: held back by flood control, or its issue muted or resolved. */
  public boolean suppressed() {
    return suppressed;
  }

  public StoredEvent asConsumed(String at) {
    return new StoredEvent(id, row, true, at, issue, suppressed);
  }

  public StoredEvent withIssue(IssueDelivery delivery) {
    return new StoredEvent(id, row, consumed, consumedAt, delivery, suppressed);
  }

  /**
   * The API shape: columns in camelCase, {@code data} as the parsed event JSON, {@code fingerprint},
   * and {@code issue} ({@link IssueDelivery#toJson()}) when the event was delivered as its issue's representative.
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("id", id)
        .put("type", row.type())
        .put("traceId", row.traceId())
        .put("timestamp", row.timestamp())
        .put("environment", row.environment())
        .put("feature", row.feature())
        .put("route", row.route())
        .put("status", row.status())
        .put("consumed", consumed)
        .put("consumedAt", consumedAt)
        .put("suppressed", suppressed)
        .put("fingerprint", row.fingerprint());
    if (issue != null) json.put("issue", issue.toJson());
    try {
      json.put("data", new JsonObject(row.data()));
    } catch (DecodeException e) {
      // Rows written by the seed could hold cut-off JSON; hand them over as text rather than fail.
      json.put("data", row.data());
    }
    return json;
  }

  public String encode() {
    String e = encoded;
    if (e == null) encoded = e = toJson().encode();
    return e;
  }

  public static StoredEvent fromJson(JsonObject json) {
    Object data = json.getValue("data");
    EventRow row = new EventRow(
        json.getString("type"), json.getString("traceId"), json.getString("timestamp"),
        json.getString("environment"), json.getString("feature"), json.getString("route"),
        json.getInteger("status"), data instanceof JsonObject o ? o.encode() : String.valueOf(data),
        json.getString("fingerprint"), null);
    JsonObject issue = json.getJsonObject("issue");
    return new StoredEvent(json.getLong("id"), row, json.getBoolean("consumed", false), json.getString("consumedAt"),
        issue == null ? null : IssueDelivery.fromJson(issue), json.getBoolean("suppressed", false));
  }
}
