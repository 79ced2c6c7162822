package dev.spark.ingest;

import dev.spark.event.ValidationException;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The names an access-log entry may use for its fields: Spark's camelCase and the original's
 * snake_case ({@code duration_ms}, {@code request_id}, {@code user_agent}), read through one place so
 * every entry point accepts both; and the names Spark does not keep, reported back to the sender.
 */
final class AccessFields {
  /** Most unknown names listed in one answer; all of them are counted in /metrics. */
  static final int MAX_LISTED = 32;
  private static final int MAX_NAME_CHARS = 64;

  private AccessFields() {}

  /**
   * The value sent under {@code camel} or {@code snake}; null when neither. Both with different values
   * is refused, naming both (numbers are compared as numbers: 5 and 5.0 agree).
   */
  static Object either(JsonObject in, String camel, String snake, String at) {
    return either(in.getValue(camel), in.getValue(snake), camel, snake, at);
  }

  /** As {@link #either(JsonObject, String, String, String)}, given the two values sent ({@code a} under {@code camel}). */
  static Object either(Object a, Object b, String camel, String snake, String at) {
    if (a == null) return b;
    if (b == null || same(a, b)) return a;
    throw new ValidationException(at + camel, camel + " and " + snake + " are the same field (Spark's and the original's "
        + "spelling) and were sent with different values; send one of them");
  }

  private static boolean same(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) return x.doubleValue() == y.doubleValue();
    return a.equals(b);
  }

  /** The keys of {@code in} that are no access-log field, in the order sent (at most {@link #MAX_LISTED}); and how many in all. */
  static Unknown unknown(JsonObject in) {
    Entry e = read(in);
    return e.unknownCount == 0 ? Unknown.NONE : new Unknown(e.unknownNames(), e.unknownCount);
  }

  /**
   * The entry's values under each name Spark knows, as {@link JsonObject#getValue} answers them, and the
   * names it does not know: one pass over the entry instead of a look-up per name (two for each field
   * with two spellings) and another pass for the unknown names.
   */
  static Entry read(JsonObject in) {
    Entry e = new Entry();
    for (Map.Entry<String, Object> field : in.getMap().entrySet()) {
      Object v = field.getValue();
      // getValue hands strings, numbers and booleans back as they are; anything else (a Map, a List, an
      // Instant, bytes, an enum a same-JVM sender put there) is asked of it, so it is wrapped as it wraps.
      if (!(v == null || v instanceof String || v instanceof Number || v instanceof Boolean)) v = in.getValue(field.getKey());
      if (!e.set(field.getKey(), v)) e.unknown(field.getKey());
    }
    return e;
  }

  /** One access-log entry's fields, by name (null when not sent, or sent as null), and its unknown names. */
  static final class Entry {
    Object timestamp, method, path, status, durationMs, durationSnake, ip, feature, requestId, requestIdSnake, input, error,
        userAgent, userAgentSnake;
    int unknownCount;
    private List<String> unknown;

    /**
     * Sets the field named {@code key}; false when no access-log field has that name. A switch, not a
     * Set: asked for every key of every entry, and Set.of's probe costs a division each time.
     */
    boolean set(String key, Object v) {
      switch (key) {
        case "timestamp" -> timestamp = v;
        case "method" -> method = v;
        case "path" -> path = v;
        case "status" -> status = v;
        case "durationMs" -> durationMs = v;
        case "duration_ms" -> durationSnake = v;
        case "ip" -> ip = v;
        case "feature" -> feature = v;
        case "requestId" -> requestId = v;
        case "request_id" -> requestIdSnake = v;
        case "input" -> input = v;
        case "error" -> error = v;
        case "userAgent" -> userAgent = v;
        case "user_agent" -> userAgentSnake = v;
        default -> {
          return false;
        }
      }
      return true;
    }

    /** Counts a name that is no access-log field (each name once: the caller sees to that). */
    void unknown(String key) {
      unknownCount++;
      if (unknown == null) unknown = new ArrayList<>();
      if (unknown.size() < MAX_LISTED) unknown.add(key.length() > MAX_NAME_CHARS ? key.substring(0, MAX_NAME_CHARS) + "…" : key);
    }

    List<String> unknownNames() {
      return unknown == null ? List.of() : List.copyOf(unknown);
    }
  }

  /** Whether {@code key} names an access-log field: the names {@link Entry#set} takes, listed there once. */
  static boolean known(String key) {
    return new Entry().set(key, null);
  }

  /** Field names Spark did not keep: the first {@link #MAX_LISTED}, and the full count. */
  record Unknown(List<String> names, int count) {
    static final Unknown NONE = new Unknown(List.of(), 0);
  }
}
