package dev.spark.event;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Events handed out together: a consumed batch for agents, or the events of one commit for observers.
 *
 * <p>{@code events} are the events delivered in this batch, oldest first. In an agent batch with
 * flood control on, that is one event per issue (the issue's first occurrence in the batch), each
 * carrying its {@link StoredEvent#issue()}: the counts in this batch and in total, and whether it is
 * new, still happening or a regression. The other occurrences the batch consumed were stored and
 * counted but are not delivered: {@code consumed} counts every event the batch consumed (delivered
 * or not), {@code consumedThroughId} is the highest id it consumed. For observer batches and
 * batches built from a list, {@code consumed} is the number of events and {@code consumedThroughId} the last id.
 */
public record EventBatch(List<StoredEvent> events, int consumed, long consumedThroughId) {
  public EventBatch {
    events = List.copyOf(events);
  }

  /** A batch whose events are exactly what it consumed (observers, flood control off). */
  public EventBatch(List<StoredEvent> events) {
    this(events, events.size(), events.isEmpty() ? 0 : events.get(events.size() - 1).id());
  }

  public boolean isEmpty() {
    return events.isEmpty();
  }

  /** The id of the last event delivered (0 when none). */
  public long lastId() {
    return events.isEmpty() ? 0 : events.get(events.size() - 1).id();
  }

  /** Occurrences this batch consumed without delivering them (flood control, muted or resolved issues). */
  public int suppressed() {
    return consumed - events.size();
  }

  /** What the batch says about each issue it delivers, in the order of {@link #events()}. */
  public List<IssueDelivery> issues() {
    List<IssueDelivery> out = new ArrayList<>();
    for (StoredEvent e : events) if (e.issue() != null) out.add(e.issue());
    return out;
  }

  public JsonObject toJson() {
    JsonArray arr = new JsonArray();
    for (StoredEvent e : events) arr.add(e.toJson());
    return new JsonObject().put("count", events.size()).put("events", arr)
        .put("consumed", consumed).put("suppressed", suppressed()).put("consumedThroughId", consumedThroughId);
  }

  public static EventBatch fromJson(JsonObject json) {
    List<StoredEvent> out = new ArrayList<>();
    for (Object o : json.getJsonArray("events", new JsonArray())) out.add(StoredEvent.fromJson((JsonObject) o));
    if (!json.containsKey("consumed")) return new EventBatch(out);
    return new EventBatch(out, json.getInteger("consumed"), json.getLong("consumedThroughId", 0L));
  }
}
