package dev.spark.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The human-readable forms of the API's answers. Each takes the JSON the HTTP API returns (and
 * the CLI computes the same JSON when it reads the file itself), so both modes print alike.
 */
final class Output {
  private static final int MESSAGE_WIDTH = 72;

  private Output() {}

  static String events(JsonObject answer) {
    JsonArray events = answer.getJsonArray("events", new JsonArray());
    if (events.isEmpty()) return "No events.\n";
    List<List<String>> rows = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      JsonObject e = events.getJsonObject(i);
      rows.add(List.of(
          str(e.getValue("id")),
          str(e.getValue("timestamp")),
          str(e.getValue("type")),
          str(e.getValue("status")),
          str(e.getString("feature") != null ? e.getString("feature") : e.getString("route")),
          Boolean.TRUE.equals(e.getBoolean("consumed")) ? (Boolean.TRUE.equals(e.getBoolean("suppressed")) ? "held back" : "consumed") : "pending",
          clip(message(e), MESSAGE_WIDTH)));
    }
    return table(List.of("ID", "TIME", "TYPE", "STATUS", "FEATURE", "STATE", "MESSAGE"), rows)
        + plural(events.size(), "event") + ", newest first\n";
  }

  static String access(JsonObject answer) {
    JsonArray access = answer.getJsonArray("access", new JsonArray());
    if (access.isEmpty()) return "No access logs.\n";
    List<List<String>> rows = new ArrayList<>();
    for (int i = 0; i < access.size(); i++) {
      JsonObject a = access.getJsonObject(i);
      rows.add(List.of(
          str(a.getValue("id")),
          str(a.getValue("timestamp")),
          str(a.getValue("method")),
          str(a.getValue("status")),
          ms(a.getValue("durationMs")),
          str(a.getValue("path")),
          str(a.getValue("feature")),
          clip(str(a.getValue("error")), MESSAGE_WIDTH)));
    }
    return table(List.of("ID", "TIME", "METHOD", "STATUS", "MS", "PATH", "FEATURE", "ERROR"), rows)
        + plural(access.size(), "access log") + ", newest first\n";
  }

  static String issues(JsonObject answer, String sort) {
    JsonArray issues = answer.getJsonArray("issues", new JsonArray());
    if (issues.isEmpty()) return "No issues.\n";
    List<List<String>> rows = new ArrayList<>();
    for (int i = 0; i < issues.size(); i++) {
      JsonObject issue = issues.getJsonObject(i);
      rows.add(List.of(
          str(issue.getValue("fingerprint")),
          str(issue.getValue("status")) + (Boolean.TRUE.equals(issue.getBoolean("regression")) ? " (regression)" : ""),
          str(issue.getValue("count")),
          str(issue.getValue("lastSeen")),
          str(issue.getValue("type")),
          clip(title(issue), MESSAGE_WIDTH)));
    }
    return table(List.of("FINGERPRINT", "STATUS", "COUNT", "LAST SEEN", "TYPE", "MESSAGE"), rows)
        + plural(issues.size(), "issue") + ", " + ("count".equals(sort) ? "most occurrences first" : "most recently seen first") + "\n";
  }

  static String issue(JsonObject answer) {
    JsonObject issue = answer.getJsonObject("issue", new JsonObject());
    StringBuilder out = new StringBuilder();
    line(out, "Issue", str(issue.getValue("fingerprint")));
    line(out, "Status", str(issue.getValue("status")) + (Boolean.TRUE.equals(issue.getBoolean("regression"))
        ? " (a regression: occurred again after being resolved; not delivered yet)" : ""));
    line(out, "Type", str(issue.getValue("type")) + (issue.getString("errorClass") == null ? "" : ", " + issue.getString("errorClass")));
    line(out, "Message", clip(str(issue.getValue("message")), 200));
    if (issue.getString("culprit") != null) line(out, "Where", issue.getString("culprit"));
    line(out, "Occurrences", issue.getValue("count") + " (first " + issue.getString("firstSeen") + ", last " + issue.getString("lastSeen") + ")");
    line(out, "Delivered", issue.getString("lastDeliveredAt") == null ? "never" : plural(issue.getLong("deliveries", 0L), "time")
        + ", last at " + issue.getString("lastDeliveredAt") + "; " + issue.getValue("suppressedSinceDelivery") + " held back since");
    if (issue.getString("resolvedAt") != null) line(out, "Resolved at", issue.getString("resolvedAt"));
    JsonArray hourly = answer.getJsonArray("hourly");
    if (hourly != null && !hourly.isEmpty()) line(out, "Last " + hourly.size() + " h", sparkline(hourly));
    JsonArray events = answer.getJsonArray("events", new JsonArray());
    if (!events.isEmpty()) out.append(System.lineSeparator()).append(events(new JsonObject().put("events", events)));
    return out.toString();
  }

  /** Counts as a row of block characters, scaled to the largest; a space for zero. */
  static String sparkline(JsonArray counts) {
    String bars = "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588";
    long max = 0;
    long total = 0;
    for (Object o : counts) {
      long n = ((Number) o).longValue();
      max = Math.max(max, n);
      total += n;
    }
    StringBuilder out = new StringBuilder();
    for (Object o : counts) {
      long n = ((Number) o).longValue();
      out.append(n == 0 ? ' ' : bars.charAt((int) Math.min(7, (n * 8 - 1) / Math.max(1, max))));
    }
    return out + "  (" + total + ", oldest hour first)";
  }

  private static String title(JsonObject issue) {
    String cls = issue.getString("errorClass");
    String message = issue.getString("message");
    if (cls == null) return message == null ? "" : message;
    return message == null ? cls : cls + ": " + message;
  }

  static String status(JsonObject status) {
    StringBuilder out = new StringBuilder();
    JsonObject storage = status.getJsonObject("storage");
    if (storage == null) {
      line(out, "Spark", "not running (read from the database file)");
    } else if ("DOWN".equals(storage.getString("status"))) {
      line(out, "Spark", "running, but its storage is not answering: " + storage.getString("reason"));
    } else {
      line(out, "Spark", "running (storage queue " + storage.getValue("queueRows") + " of " + storage.getValue("queueCapacity")
          + " rows; " + storage.getValue("committedRows") + " rows committed since start)");
    }
    JsonObject db = status.getJsonObject("db", new JsonObject());
    line(out, "Database", db.getString("path"));
    line(out, "Size", bytes(db.getLong("bytes", 0L)) + " (file " + bytes(db.getLong("fileBytes", 0L))
        + ", WAL " + bytes(db.getLong("walBytes", 0L)) + ")");
    JsonObject counts = status.getJsonObject("counts", new JsonObject());
    line(out, "Events", counts.getLong("events", 0L) + " (" + counts.getLong("pendingEvents", 0L) + " pending)");
    line(out, "Access logs", String.valueOf(counts.getLong("accessLogs", 0L)));
    JsonObject last = status.getJsonObject("lastEvent");
    line(out, "Last event", last == null ? "none" : "#" + last.getValue("id") + " " + last.getString("type") + " at "
        + last.getString("timestamp") + ": " + clip(message(last), MESSAGE_WIDTH)
        + (Boolean.TRUE.equals(last.getBoolean("consumed")) ? " (consumed)" : " (pending)"));
    JsonObject agent = status.getJsonObject("agent");
    if (agent != null) {
      line(out, "Agent", agent.getString("state") + ": " + agent.getString("reason")
          + (agent.getString("fix") == null ? "" : " To fix: " + agent.getString("fix") + "."));
    }
    JsonObject cleanup = status.getJsonObject("lastCleanup");
    line(out, "Last cleanup", cleanup == null ? "never" : cleanup.getString("startedAt") + ", " + removed(cleanup)
        + "; " + bytes(cleanup.getLong("bytesBefore", 0L)) + " -> " + bytes(cleanup.getLong("bytesAfter", 0L)));
    return out.toString();
  }

  static String cleanup(JsonObject report) {
    StringBuilder out = new StringBuilder();
    line(out, "Cleanup", "done in " + report.getValue("durationMs") + " ms");
    line(out, "By age", report.getValue("agedEvents") + " consumed events, " + report.getValue("agedAccessLogs")
        + " access logs older than " + report.getValue("maxAgeDays") + " days");
    line(out, "By size", report.getValue("sizeAccessLogs") + " access logs, " + report.getValue("sizeEvents")
        + " consumed events to stay under " + report.getValue("maxSizeMB") + " MB");
    line(out, "Size", bytes(report.getLong("bytesBefore", 0L)) + " -> " + bytes(report.getLong("bytesAfter", 0L)) + " (database and WAL)");
    if (report.getString("warning") != null) line(out, "Warning", report.getString("warning"));
    return out.toString();
  }

  static String vacuum(JsonObject report) {
    StringBuilder out = new StringBuilder();
    line(out, "Vacuum", "done in " + report.getValue("durationMs") + " ms");
    line(out, "Size", bytes(report.getLong("bytesBefore", 0L)) + " -> " + bytes(report.getLong("bytesAfter", 0L)) + " (database and WAL)");
    return out.toString();
  }

  static String bytes(long n) {
    if (n < 1024) return n + " B";
    double v = n;
    String[] units = {"KB", "MB", "GB", "TB"};
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /** The event's {@code error.message} from its stored JSON, or "" when it has none (rate limits). */
  static String message(JsonObject event) {
    if (!(event.getValue("data") instanceof JsonObject data)) return "";
    String m = data.getValue("error") instanceof JsonObject error && error.getValue("message") instanceof String t ? t : "";
    // The original's process-error and rate-limit fields, where the message does not already say them.
    StringBuilder more = new StringBuilder();
    if (data.getValue("command") instanceof String c && !m.contains(c)) more.append("$ ").append(c);
    if (data.getValue("exitCode") instanceof Number code && !m.contains("code " + code)) {
      more.append(more.length() == 0 ? "" : ", ").append("exit ").append(code);
    }
    if ("rate-limit".equals(data.getString("type")) && m.isEmpty()) {
      m = "rate limited" + (data.getValue("ip") instanceof String ip ? " " + ip : "")
          + (data.getValue("limit") != null ? ", limit " + data.getValue("limit") : "")
          + (data.getValue("retryAfter") != null ? ", retry after " + data.getValue("retryAfter") : "");
    }
    return more.length() == 0 ? m : m + (m.isEmpty() ? "" : " ") + "(" + more + ")";
  }

  private static String removed(JsonObject cleanup) {
    long events = cleanup.getLong("agedEvents", 0L) + cleanup.getLong("sizeEvents", 0L);
    long access = cleanup.getLong("agedAccessLogs", 0L) + cleanup.getLong("sizeAccessLogs", 0L);
    return "removed " + plural(events, "consumed event") + " and " + plural(access, "access log");
  }

  private static void line(StringBuilder out, String label, String value) {
    out.append(String.format(Locale.ROOT, "%-14s%s%n", label, Terminal.cell(value)));
  }

  static String table(List<String> headers, List<List<String>> rows) {
    int[] width = new int[headers.size()];
    for (int c = 0; c < width.length; c++) {
      width[c] = headers.get(c).length();
      for (List<String> row : rows) width[c] = Math.max(width[c], row.get(c).length());
    }
    StringBuilder out = new StringBuilder();
    appendRow(out, headers, width);
    for (List<String> row : rows) appendRow(out, row, width);
    return out.toString();
  }

  private static void appendRow(StringBuilder out, List<String> cells, int[] width) {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < cells.size(); c++) {
      line.append(cells.get(c));
      if (c < cells.size() - 1) line.append(" ".repeat(width[c] - cells.get(c).length() + 2));
    }
    out.append(line.toString().stripTrailing()).append(System.lineSeparator());
  }

  private static String plural(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private static String str(Object v) {
    return v == null ? "-" : Terminal.cell(String.valueOf(v));
  }

  /** Milliseconds as stored: 12 for a whole number, 0.214 for a fraction (no "12.0"). */
  static String ms(Object v) {
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < 1e15) {
      return Long.toString(n.longValue());
    }
    return str(v);
  }

  /** One line: whitespace runs (newlines included) become one space; longer than {@code max} is cut with "...". */
  static String clip(String s, int max) {
    if (s == null) return "";
    String flat = Terminal.cell(s.strip().replaceAll("[ \\t\\n\\x0B\\f\\r]+", " "));
    return flat.length() <= max ? flat : flat.substring(0, max - 3) + "...";
  }
}
