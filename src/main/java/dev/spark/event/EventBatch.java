package dev.spark.event;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** Events handed out together: a consumed batch for agents, or the events of one commit for observers. */
public record EventBatch(List<StoredEvent> events) {
  public EventBatch {
    events = List.copyOf(events);
  }

  public boolean isEmpty() {
    return events.isEmpty();
  }

  public long lastId() {
    return events.isEmpty() ? 0 : events.get(events.size() - 1).id();
  }

  public JsonObject toJson() {
    JsonArray arr = new JsonArray();
    for (StoredEvent e : events) arr.add(e.toJson());
    return new JsonObject().put("count", events.size()).put("events", arr);
  }

  public static EventBatch fromJson(JsonObject json) {
    List<StoredEvent> out = new ArrayList<>();
    for (Object o : json.getJsonArray("events", new JsonArray())) out.add(StoredEvent.fromJson((JsonObject) o));
    return new EventBatch(out);
  }
}
