package dev.spark.agent;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The agent session's transcript, bounded, kept so a reloaded dashboard shows it again. Entries are
 * JSON objects with a {@code seq}, a time {@code at} and a {@code kind}: {@code run-start}, {@code run-end},
 * {@code batch} (events Spark sent), {@code user} (a prompt from the dashboard or MCP), {@code assistant}
 * (text, grown by deltas), {@code tool} (name, args, then result and {@code done}) and {@code spark}
 * (Spark's own notices: started, exited, restarting). Every change is numbered ({@code v}) and handed
 * to {@code publisher}, so a client can take a snapshot and then apply only the later changes.
 */
final class Transcript {
  static final int MAX_TOOL_RESULT_CHARS = 8_000;

  private final int limit;
  private final Consumer<JsonObject> publisher;
  private final Deque<JsonObject> entries = new ArrayDeque<>();
  private final Map<Long, JsonObject> bySeq = new HashMap<>();
  private final Map<String, JsonObject> tools = new HashMap<>();
  private long seq;
  private long version;

  Transcript(int limit, Consumer<JsonObject> publisher) {
    this.limit = limit;
    this.publisher = publisher;
  }

  JsonObject add(String kind, JsonObject fields) {
    JsonObject entry = new JsonObject().put("seq", ++seq).put("at", Instant.now().toString()).put("kind", kind);
    if (fields != null) entry.mergeIn(fields);
    entries.addLast(entry);
    bySeq.put(entry.getLong("seq"), entry);
    while (entries.size() > limit) {
      JsonObject dropped = entries.pollFirst();
      bySeq.remove(dropped.getLong("seq"));
      String id = dropped.getString("toolCallId");
      if (id != null) tools.remove(id);
    }
    publish(new JsonObject().put("op", "add").put("entry", entry.copy()));
    return entry;
  }

  JsonObject spark(String text) {
    return add("spark", new JsonObject().put("text", text));
  }

  /** Assistant text as it streams: extends the current assistant entry, or starts one. */
  void assistantDelta(String delta, JsonObject current) {
    if (current != null && bySeq.containsKey(current.getLong("seq"))) {
      current.put("text", current.getString("text", "") + delta);
      publish(new JsonObject().put("op", "append").put("seq", current.getLong("seq")).put("text", delta));
    }
  }

  void toolStart(String toolCallId, String name, Object args) {
    JsonObject entry = add("tool", new JsonObject().put("toolCallId", toolCallId).put("name", name).put("args", args).put("done", false));
    if (toolCallId != null) tools.put(toolCallId, entry);
  }

  void toolUpdate(String toolCallId, Object partial, boolean done, boolean isError) {
    JsonObject entry = toolCallId == null ? null : tools.get(toolCallId);
    if (entry == null) return;
    entry.put("result", resultText(partial)).put("done", done).put("isError", isError);
    if (done) tools.remove(toolCallId);
    publish(new JsonObject().put("op", "update").put("entry", entry.copy()));
  }

  /**
   * Pi took a user message into its conversation (it was queued until now, or is the run's prompt):
   * the first such {@code user} or {@code batch} entry with this text not yet taken is marked {@code taken}.
   */
  void taken(String text) {
    for (JsonObject e : entries) {
      String kind = e.getString("kind");
      if (("user".equals(kind) || "batch".equals(kind)) && !Boolean.TRUE.equals(e.getBoolean("taken"))
          && !Boolean.TRUE.equals(e.getBoolean("lost")) && text.equals(e.getString("text"))) {
        e.put("taken", true);
        publish(new JsonObject().put("op", "update").put("entry", e.copy()));
        return;
      }
    }
  }

  /** The agent process died: messages it had not taken are marked {@code lost} (batches among them are sent again). */
  void lostUntaken() {
    for (JsonObject e : entries) {
      String kind = e.getString("kind");
      if (("user".equals(kind) || "batch".equals(kind)) && !Boolean.TRUE.equals(e.getBoolean("taken"))
          && !Boolean.TRUE.equals(e.getBoolean("lost"))) {
        e.put("lost", true);
        publish(new JsonObject().put("op", "update").put("entry", e.copy()));
      }
    }
  }

  void state(JsonObject state) {
    publish(new JsonObject().put("op", "state").put("state", state));
  }

  JsonArray snapshot() {
    JsonArray arr = new JsonArray();
    for (JsonObject e : entries) arr.add(e.copy());
    return arr;
  }

  long version() {
    return version;
  }

  private void publish(JsonObject change) {
    publisher.accept(change.put("v", ++version));
  }

  /** A tool result ({@code {"content": [{"type": "text", "text": ...}], ...}}) as text, capped. */
  static String resultText(Object result) {
    if (!(result instanceof JsonObject r)) return result == null ? null : cap(String.valueOf(result));
    JsonArray content = r.getJsonArray("content");
    if (content == null) return cap(r.encode());
    StringBuilder s = new StringBuilder();
    for (Object o : content) {
      if (o instanceof JsonObject c && "text".equals(c.getString("type"))) s.append(c.getString("text", ""));
      else if (o instanceof JsonObject c) s.append("[").append(c.getString("type")).append("]");
    }
    return cap(s.toString());
  }

  private static String cap(String s) {
    return s.length() > MAX_TOOL_RESULT_CHARS ? s.substring(0, MAX_TOOL_RESULT_CHARS) + "\n… (" + (s.length() - MAX_TOOL_RESULT_CHARS)
        + " more characters)" : s;
  }
}
