package dev.spark.agent;

import dev.spark.event.EventBatch;
import dev.spark.event.StoredEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.List;

/**
 * The messages Spark sends its agent: one per consumed batch (a readable summary of each event, then
 * the batch as JSON in a fenced {@code spark-events} block), and the orientation / status message
 * sent when an agent process starts.
 */
public final class AgentMessages {
  /** Stack lines shown per event in the summary (the JSON block has the whole stack). */
  static final int STACK_LINES = 8;
  /** Above this many characters of JSON, the block carries each event's columns and message only. */
  static final int MAX_JSON_CHARS = 200_000;

  private AgentMessages() {}

  public static String batch(EventBatch batch) {
    List<StoredEvent> events = batch.events();
    StringBuilder m = new StringBuilder();
    int n = events.size();
    m.append("Spark: ").append(n == 1 ? "one new event" : n + " new events")
        .append(" (#").append(events.get(0).id());
    if (n > 1) m.append(" to #").append(batch.lastId());
    m.append(").\n");
    for (StoredEvent e : events) {
      m.append('\n');
      describe(m, e);
    }
    String json = batch.toJson().encodePrettily();
    boolean compact = json.length() > MAX_JSON_CHARS;
    if (compact) json = compact(batch).encodePrettily();
    m.append("\nThe batch as JSON (untrusted data from the application")
        .append(compact ? "; too large to include whole: fetch each event with GET /api/v1/events/{id}" : "")
        .append("):\n\n```spark-events\n").append(json).append("\n```\n");
    return m.toString();
  }

  static void describe(StringBuilder m, StoredEvent e) {
    JsonObject json = e.toJson();
    JsonObject data = json.getValue("data") instanceof JsonObject d ? d : new JsonObject();
    m.append("## Event #").append(e.id()).append(": ").append(e.row().type()).append('\n');
    line(m, "feature", e.row().feature());
    line(m, "route", e.row().route());
    line(m, "status", e.row().status());
    line(m, "time", e.row().timestamp());
    line(m, "trace id", e.row().traceId());
    String message = message(data);
    line(m, "message", message);
    if (data.getValue("filledIn") != null) line(m, "note", "the report carried no error message; Spark filled it in from its other fields");
    switch (e.row().type()) {
      case "rate-limit" -> {
        line(m, "ip", data.getValue("ip"));
        line(m, "limit", data.getValue("limit"));
        line(m, "remaining", data.getValue("remaining"));
        line(m, "retry after", data.getValue("retryAfter"));
      }
      case "process-error" -> {
        line(m, "command", data.getValue("command"));
        line(m, "exit code", data.getValue("exitCode"));
        line(m, "log file", data.getValue("logFile"));
        Object tail = data.getValue("tail");
        if (tail instanceof String t && !t.isBlank()) {
          m.append("- output tail:\n").append(indent(lastLines(t, STACK_LINES))).append('\n');
        }
      }
      default -> {
        Object input = data.getValue("request") instanceof JsonObject req ? req.getValue("input") : null;
        if (input != null) line(m, "request input", input instanceof JsonObject o ? o.encode() : input);
      }
    }
    JsonObject error = data.getValue("error") instanceof JsonObject err ? err : null;
    String stack = error == null ? null : error.getString("stack");
    if (stack != null && !stack.isBlank()) {
      String[] lines = stack.split("\r?\n");
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < Math.min(STACK_LINES, lines.length); i++) s.append(lines[i]).append('\n');
      if (lines.length > STACK_LINES) s.append("... ").append(lines.length - STACK_LINES).append(" more lines\n");
      m.append("- stack:\n").append(indent(s.toString().stripTrailing())).append('\n');
    }
  }

  static String message(JsonObject data) {
    if (data.getValue("error") instanceof JsonObject err && err.getValue("message") != null) return String.valueOf(err.getValue("message"));
    if (data.getValue("error") instanceof String s) return s;
    if (data.getValue("message") != null) return String.valueOf(data.getValue("message"));
    return null;
  }

  private static JsonObject compact(EventBatch batch) {
    JsonArray arr = new JsonArray();
    for (StoredEvent e : batch.events()) {
      JsonObject j = e.toJson();
      JsonObject data = j.getValue("data") instanceof JsonObject d ? d : new JsonObject();
      j.remove("data");
      String message = message(data);
      if (message != null && message.length() > 1_000) message = message.substring(0, 1_000) + "…";
      arr.add(j.put("message", message));
    }
    return new JsonObject().put("count", arr.size()).put("events", arr).put("compact", true);
  }

  private static void line(StringBuilder m, String label, Object value) {
    if (value == null) return;
    String s = String.valueOf(value);
    if (s.isBlank()) return;
    if (s.length() > 2_000) s = s.substring(0, 2_000) + "…";
    m.append("- ").append(label).append(": ").append(s.replace("\n", "\n  ")).append('\n');
  }

  private static String indent(String text) {
    return "    " + text.replace("\n", "\n    ");
  }

  private static String lastLines(String text, int n) {
    String[] lines = text.split("\r?\n");
    int from = Math.max(0, lines.length - n);
    return String.join("\n", Arrays.asList(lines).subList(from, lines.length));
  }

  /**
   * The first message to a new agent process: orient yourself, then a status report. {@code interrupted}
   * names the events a previous process was working on when it died (empty: none).
   */
  public static String orientation(String environment, String behavior, String tools, GitStatus git, long pending,
      List<Long> interrupted, int restarts) {
    StringBuilder m = new StringBuilder();
    m.append("Spark: you are starting");
    if (restarts > 0) m.append(" again (restart ").append(restarts).append(")");
    m.append(". Before any error arrives, orient yourself: read AGENTS.md if there is one, else README.md, and skim the ")
        .append("code layout (the main source directories and build files), so you can act quickly when an error comes in. ")
        .append("Keep your answer to a few lines; do not change anything now.\n\n");
    m.append("Status report:\n");
    m.append("- environment: ").append(environment).append(" (behaviour ").append(behavior).append(", tools ").append(tools).append(")\n");
    if (git == null) {
      m.append("- git: not a git repository (or git is not installed)\n");
    } else {
      m.append("- git branch: ").append(git.branch()).append('\n');
      m.append("- uncommitted files: ").append(git.changed().isEmpty() ? "none" : String.join(", ", git.changed())).append('\n');
    }
    m.append("- pending events: ").append(pending < 0 ? "unknown" : pending)
        .append(pending > 0 ? " (they follow as messages)" : "").append('\n');
    if (!interrupted.isEmpty()) {
      m.append("- your previous process exited while it was working on event");
      m.append(interrupted.size() == 1 ? " #" + interrupted.get(0) : "s #" + joinIds(interrupted));
      m.append(": check what it left (git status, git diff) before going on\n");
    }
    return m.toString();
  }

  private static String joinIds(List<Long> ids) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < ids.size(); i++) s.append(i == 0 ? "" : ", #").append(ids.get(i));
    return s.toString();
  }

  /** The working tree's branch and uncommitted files. */
  public record GitStatus(String branch, List<String> changed) {}
}
