package dev.spark.ingest;

import dev.spark.event.EventType;
import io.vertx.core.json.JsonObject;

/**
 * Lenient on context: an error event without {@code error} or {@code error.message} is stored all
 * the same, with a message made from what it does carry (the exit code of a process, the exception
 * type, the HTTP status) or {@code (no message)}; the event records what was filled in under
 * {@code filledIn}. A {@code rate-limit} has no error in the original's shape and gets none.
 */
final class ErrorFillIn {
  static final String NO_MESSAGE = "(no message)";
  static final String FILLED_KEY = "filledIn";

  private ErrorFillIn() {}

  /** Whether {@code err} (the event's error object, or null) needs a message filled in for this type. */
  static boolean needed(EventType type, JsonObject err) {
    return type != EventType.RATE_LIMIT && (err == null || err.getValue("message") == null);
  }

  /** The message to fill in, from the event's own fields. */
  static String message(EventType type, JsonObject in, JsonObject err) {
    if (type == EventType.PROCESS_ERROR) {
      Object code = in.getValue("exitCode");
      if (code instanceof Number n) return "process exited with code " + n.longValue();
      if (in.getValue("command") instanceof String c && !c.isBlank()) return "process failed: " + c;
    }
    if (err != null && err.getValue("type") instanceof String t && !t.isBlank()) return t;
    if (in.getValue("status") instanceof Number s) return "HTTP " + s.intValue();
    return NO_MESSAGE;
  }

  /** The error object with the message filled in (a copy; {@code err} may be null). */
  static JsonObject filled(JsonObject err, String message) {
    return (err == null ? new JsonObject() : err.copy()).put("message", message);
  }

  /** What was filled in, as the event records it: the whole {@code error}, or only its message. */
  static String what(JsonObject err) {
    return err == null ? "error" : "error.message";
  }
}
