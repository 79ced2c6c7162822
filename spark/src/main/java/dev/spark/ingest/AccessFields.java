package dev.spark.ingest;

import dev.spark.event.ValidationException;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

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
    Object a = in.getValue(camel);
    Object b = in.getValue(snake);
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
    List<String> names = null;
    int count = 0;
    for (String key : in.fieldNames()) {
      if (known(key)) continue;
      count++;
      if (names == null) names = new ArrayList<>();
      if (names.size() < MAX_LISTED) names.add(key.length() > MAX_NAME_CHARS ? key.substring(0, MAX_NAME_CHARS) + "…" : key);
    }
    return count == 0 ? Unknown.NONE : new Unknown(List.copyOf(names), count);
  }

  /** A switch, not a Set: asked for every key of every entry, and Set.of's probe costs a division each time. */
  static boolean known(String key) {
    return switch (key) {
      case "timestamp", "method", "path", "status", "durationMs", "duration_ms", "ip", "feature", "requestId", "request_id",
          "input", "error", "userAgent", "user_agent" -> true;
      default -> false;
    };
  }

  /** Field names Spark did not keep: the first {@link #MAX_LISTED}, and the full count. */
  record Unknown(List<String> names, int count) {
    static final Unknown NONE = new Unknown(List.of(), 0);
  }
}
