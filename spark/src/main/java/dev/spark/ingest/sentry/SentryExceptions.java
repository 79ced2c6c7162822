package dev.spark.ingest.sentry;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * A Sentry event's {@code exception}, read as SDKs send it ({@code {"values": [...]}}, a flat list,
 * or a single object): the chain in Sentry's order, oldest cause first and the main exception last,
 * and its text as Spark's {@code error.stack}: the main exception's frames newest-first, then
 * each cause ("Caused by: ..."), frames as readable lines with module, function, file and line.
 */
final class SentryExceptions {
  private SentryExceptions() {}

  /** The exception objects of {@code event}, oldest first; empty when it has none. */
  static List<JsonObject> chain(JsonObject event) {
    Object raw = event.getValue("exception");
    if (raw instanceof JsonObject obj) raw = obj.containsKey("values") ? obj.getValue("values") : new JsonArray().add(obj);
    List<JsonObject> out = new ArrayList<>();
    if (raw instanceof JsonArray arr) {
      for (Object o : arr) if (o instanceof JsonObject e) out.add(e);
    }
    return out;
  }

  /** {@code Type: value}, or whichever of the two is there. */
  static String title(JsonObject exception) {
    String type = text(exception.getValue("type"));
    String value = text(exception.getValue("value"));
    if (type != null && value != null) return type + ": " + value;
    return type != null ? type : value;
  }

  /** False only when the exception's mechanism says it was not handled. */
  static boolean handled(JsonObject exception) {
    return !(exception.getValue("mechanism") instanceof JsonObject m && Boolean.FALSE.equals(m.getValue("handled")));
  }

  static String stack(List<JsonObject> chain, boolean java) {
    StringBuilder out = new StringBuilder();
    for (int i = chain.size() - 1; i >= 0; i--) {
      JsonObject e = chain.get(i);
      if (i < chain.size() - 1) out.append("Caused by: ");
      out.append(java ? javaTitle(e) : String.valueOf(title(e))).append('\n');
      frames(e, java, out);
    }
    return out.toString().stripTrailing();
  }

  /** Java's own form: the module-qualified class, as in a JVM stack trace. */
  private static String javaTitle(JsonObject e) {
    String module = text(e.getValue("module"));
    String type = text(e.getValue("type"));
    String value = text(e.getValue("value"));
    String name = module != null && type != null && !type.contains(".") ? module + "." + type : type;
    if (name == null) return String.valueOf(value);
    return value == null ? name : name + ": " + value;
  }

  private static void frames(JsonObject exception, boolean java, StringBuilder out) {
    Object st = exception.getValue("stacktrace");
    if (!(st instanceof JsonObject stacktrace) || !(stacktrace.getValue("frames") instanceof JsonArray frames)) return;
    for (int i = frames.size() - 1; i >= 0; i--) {
      if (frames.getValue(i) instanceof JsonObject f) out.append(java ? javaFrame(f) : frame(f)).append('\n');
    }
  }

  /** {@code \tat com.example.Orders.place(Orders.java:42)} */
  private static String javaFrame(JsonObject f) {
    String module = text(f.getValue("module"));
    String function = orUnknown(text(f.getValue("function")));
    String file = text(f.getValue("filename"));
    Object line = f.getValue("lineno");
    String where = file == null ? "Unknown Source" : line instanceof Number n ? file + ":" + n.longValue() : file;
    return "\tat " + (module == null ? "" : module + ".") + function + "(" + where + ")";
  }

  /** {@code     at module.function (path/file.js:12:5)}, the form V8 prints. */
  private static String frame(JsonObject f) {
    String module = text(f.getValue("module"));
    String function = orUnknown(text(f.getValue("function")));
    String file = text(f.getValue("abs_path"));
    if (file == null) file = text(f.getValue("filename"));
    StringBuilder s = new StringBuilder("    at ");
    if (module != null && !module.equals(file)) s.append(module).append('.');
    s.append(function).append(" (").append(file == null ? "<unknown>" : file);
    if (f.getValue("lineno") instanceof Number n) s.append(':').append(n.longValue());
    if (f.getValue("colno") instanceof Number n) s.append(':').append(n.longValue());
    return s.append(')').toString();
  }

  private static String orUnknown(String s) {
    return s == null ? "<anonymous>" : s;
  }

  static String text(Object v) {
    if (v instanceof String s && !s.isEmpty()) return s;
    if (v instanceof Number || v instanceof Boolean) return v.toString();
    return null;
  }
}
