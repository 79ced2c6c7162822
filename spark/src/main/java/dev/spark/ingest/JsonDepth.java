package dev.spark.ingest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bounds how deeply ingested JSON nests. Jackson refuses to parse more than 1,000 levels, but that is
 * not enough: an event stored at 1,000 levels is wrapped once more wherever it is served (the query
 * API, the stream), and Jackson then refuses to write it; and JSON that reaches Spark over the event
 * bus was never parsed at all, so its depth has no bound and the recursive redaction and capping
 * would overflow the stack. Objects and arrays nested deeper than {@link #MAX_DEPTH} levels are
 * replaced by a marker string, so the event is still kept.
 */
public final class JsonDepth {
  /** The deepest nesting kept: the root object is level 1, an object or array inside it level 2, … */
  public static final int MAX_DEPTH = 64;

  private JsonDepth() {}

  static String marker(int maxDepth) {
    return "…[nested deeper than " + maxDepth + " levels]";
  }

  /** {@code in} itself when it nests at most {@code maxDepth} levels, else a copy cut at that depth. */
  public static JsonObject limit(JsonObject in, int maxDepth) {
    if (!deeperThan(in, maxDepth)) return in;
    return new JsonObject(cutMap(in.getMap(), 1, maxDepth));
  }

  /**
   * {@code value} found at nesting level {@code level} of a document (a field of the root object is at
   * level 2), as it reads in {@link #limit}'s result for that document: itself when nothing in it is
   * deeper than {@code maxDepth}, else a copy cut there (a JsonObject or JsonArray).
   */
  static Object limitValue(Object value, int level, int maxDepth) {
    if (!deeperThan(value, maxDepth - level + 1)) return value;
    Object cut = cut(value, level, maxDepth);
    if (cut instanceof Map<?, ?> m) return new JsonObject(castMap(m));
    if (cut instanceof List<?> l) return new JsonArray(l);
    return cut;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  /** Whether {@code root} nests more than {@code maxDepth} levels. Iterative: safe on any depth, even a cycle. */
  public static boolean deeperThan(Object root, int maxDepth) {
    if (maxDepth >= 2 && flat(root)) return false;
    ArrayDeque<Iterator<?>> stack = new ArrayDeque<>();
    Iterator<?> top = children(root);
    if (top == null) return false;
    stack.push(top);
    while (!stack.isEmpty()) {
      Iterator<?> it = stack.peek();
      if (!it.hasNext()) {
        stack.pop();
        continue;
      }
      Iterator<?> child = children(it.next());
      if (child != null) {
        if (stack.size() + 1 > maxDepth) return true;
        stack.push(child);
      }
    }
    return false;
  }

  /** The common case (an access-log entry, an event without nested input): no container inside. */
  private static boolean flat(Object root) {
    Iterator<?> it = children(root);
    if (it == null) return true;
    while (it.hasNext()) {
      Object v = it.next();
      if (v instanceof JsonObject || v instanceof JsonArray || v instanceof Map || v instanceof List) return false;
    }
    return true;
  }

  private static Iterator<?> children(Object v) {
    if (v instanceof JsonObject o) return o.getMap().values().iterator();
    if (v instanceof JsonArray a) return a.getList().iterator();
    if (v instanceof Map<?, ?> m) return m.values().iterator();
    if (v instanceof List<?> l) return l.iterator();
    return null;
  }

  // Recursion below is bounded by maxDepth.

  private static Map<String, Object> cutMap(Map<?, ?> in, int depth, int maxDepth) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : in.entrySet()) out.put(String.valueOf(e.getKey()), cut(e.getValue(), depth + 1, maxDepth));
    return out;
  }

  private static Object cut(Object v, int depth, int maxDepth) {
    Object c = v instanceof JsonObject o ? o.getMap() : v instanceof JsonArray a ? a.getList() : v;
    if (!(c instanceof Map) && !(c instanceof List)) return v;
    if (depth > maxDepth) return marker(maxDepth);
    if (c instanceof Map<?, ?> m) return cutMap(m, depth, maxDepth);
    List<Object> out = new ArrayList<>();
    for (Object item : (List<?>) c) out.add(cut(item, depth + 1, maxDepth));
    return out;
  }
}
