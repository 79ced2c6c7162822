package dev.spark.ingest;

import dev.spark.event.AccessRow;
import dev.spark.event.EventRow;
import dev.spark.event.EventType;
import dev.spark.event.InputText;
import dev.spark.event.Timestamps;
import dev.spark.event.UuidV7;
import dev.spark.event.ValidationException;
import dev.spark.issues.Fingerprinter;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The single validation path for everything Spark ingests, whatever the entry point: checks the
 * fields, fills in what may be missing, fingerprints error events ({@link Fingerprinter}; a
 * client-supplied {@code fingerprint} wins), redacts sensitive values and caps sizes. Throws
 * {@link ValidationException} naming the field; never changes its input.
 */
public final class IngestValidator {
  public static final int TEXT_CAP_BYTES = 64 * 1024;
  public static final int USER_AGENT_CAP_BYTES = 1024;
  private static final int SHORT_CAP_BYTES = 8 * 1024;
  private static final int ID_MAX_CHARS = 256;
  /** An event's {@code environment} (it selects an agent profile: a name, not a text). */
  public static final int ENVIRONMENT_CAP_BYTES = 256;
  /** Longest client-supplied {@code fingerprint}. */
  public static final int FINGERPRINT_MAX_CHARS = 256;
  /** In a client-supplied {@code fingerprint}, stands for the key Spark computes (as in Sentry's fingerprints). */
  public static final String DEFAULT_FINGERPRINT = "{{ default }}";
  /** Longest client-supplied {@code eventId}. */
  public static final int EVENT_ID_MAX_CHARS = 128;
  private static final Instant MIN_TIME = Instant.parse("0000-01-01T00:00:00Z");
  private static final Instant MAX_TIME = Instant.parse("9999-12-31T23:59:59.999Z");

  private final String environment;
  private final Redactor redactor;

  public IngestValidator(String environment, Redactor redactor) {
    this.environment = environment;
    this.redactor = redactor;
  }

  public EventRow event(Object raw, String at) {
    JsonObject original = object(raw, at);
    JsonObject in = JsonDepth.limit(original, JsonDepth.MAX_DEPTH);
    String typeName = requiredString(in, "type", at);
    EventType type = EventType.fromWire(typeName).orElseThrow(() ->
        new ValidationException(at + "type", "type must be one of " + EventType.allowed() + " (got " + InputText.echo(typeName) + ")"));

    String traceId = optionalId(in, "traceId", at);
    if (traceId == null) traceId = UuidV7.next();
    String timestamp = timestamp(in, at);
    String env = optionalString(in, "environment", at);
    if (env == null || env.isBlank()) env = environment;
    env = capped(env, ENVIRONMENT_CAP_BYTES);
    String feature = capped(optionalString(in, "feature", at), SHORT_CAP_BYTES);
    String route = capped(optionalString(in, "route", at), SHORT_CAP_BYTES);
    Integer status = optionalStatus(in, "status", at);

    Object error = in.getValue("error");
    if (error != null && !(error instanceof JsonObject)) {
      throw new ValidationException(at + "error", "error must be an object with message and stack");
    }
    JsonObject err = (JsonObject) error;
    if (err != null) {
      optionalString(err, "message", at + "error.");
      optionalString(err, "stack", at + "error.");
    }
    processFields(in, at);
    String eventId = eventId(in, at);
    String filledIn = null;
    if (ErrorFillIn.needed(type, err)) {
      filledIn = ErrorFillIn.what(err);
      err = ErrorFillIn.filled(err, ErrorFillIn.message(type, in, err));
    }

    String clientFingerprint = optionalString(in, "fingerprint", at);
    if (clientFingerprint != null) {
      clientFingerprint = clientFingerprint.strip();
      if (clientFingerprint.isEmpty() || clientFingerprint.length() > FINGERPRINT_MAX_CHARS || hasControl(clientFingerprint)) {
        throw new ValidationException(at + "fingerprint",
            "fingerprint must be 1 to " + FINGERPRINT_MAX_CHARS + " characters with no control characters");
      }
    }
    Object command = in.getValue("command");
    String cmd = command instanceof String c ? c : null;
    if (clientFingerprint != null && clientFingerprint.contains(DEFAULT_FINGERPRINT)) {
      String computed = Fingerprinter.of(type.wire(), err, route, feature, cmd, null).fingerprint();
      clientFingerprint = clientFingerprint.replace(DEFAULT_FINGERPRINT, computed);
    }
    Fingerprinter.Result fp = Fingerprinter.of(type.wire(), err, route, feature, cmd, clientFingerprint);

    JsonObject normalised = redactor.redact(in);
    if (filledIn != null) {
      normalised.put("error", normalised.getValue("error") instanceof JsonObject e ? e.copy().put("message", err.getString("message")) : err)
          .put(ErrorFillIn.FILLED_KEY, new JsonArray().add(filledIn));
    }
    normalised
        .put("type", type.wire())
        .put("traceId", traceId)
        .put("timestamp", timestamp)
        .put("environment", env);
    if (in != original) normalised.put("truncated", true);
    JsonCapper.Capped capped = JsonCapper.cap(normalised, JsonCapper.DEFAULT_MAX_BYTES);
    return new EventRow(type.wire(), traceId, timestamp, env, feature, route, status, capped.json(), fp.fingerprint(), fp.summary(),
        eventId);
  }

  public AccessRow access(Object raw, String at) {
    return checkedAccess(raw, at).row();
  }

  /** A validated access-log entry and the fields of it Spark does not keep (named back to the sender). */
  public record CheckedAccess(AccessRow row, List<String> ignoredFields, int ignoredCount) {}

  /**
   * As {@link #access}, also naming the fields that are no access-log field (they are not stored).
   * Spark's camelCase and the original's snake_case names are both accepted; both at once with
   * different values are refused.
   */
  public CheckedAccess checkedAccess(Object raw, String at) {
    // One pass over the entry's fields (AccessFields.Entry), then the checks in their documented order.
    return checkedAccess(raw instanceof AccessFields.Entry read ? read : AccessFields.read(object(raw, at)), at);
  }

  /** As {@link #checkedAccess(Object, String)}, for an entry whose fields are read already ({@link AccessJson}). */
  CheckedAccess checkedAccess(AccessFields.Entry in, String at) {
    String method = required(in.method, "method", at).trim().toUpperCase(Locale.ROOT);
    if (method.isEmpty() || method.length() > 32) {
      throw new ValidationException(at + "method", "method must be an HTTP method name");
    }
    String path = required(in.path, "path", at);
    Integer status = status(in.status, "status", at);
    if (status == null) throw new ValidationException(at + "status", "status is required");
    Double duration = duration(AccessFields.either(in.durationMs, in.durationSnake, "durationMs", "duration_ms", at), at);
    String input = in.input == null ? null : input(in.input);
    AccessRow row = new AccessRow(
        timestamp(in.timestamp, at),
        method,
        capped(path, SHORT_CAP_BYTES),
        status,
        duration,
        capped(string(in.ip, "ip", at), 256),
        capped(string(in.feature, "feature", at), SHORT_CAP_BYTES),
        id(AccessFields.either(in.requestId, in.requestIdSnake, "requestId", "request_id", at), "requestId", at),
        input,
        capped(errorText(in.error, at), TEXT_CAP_BYTES),
        capped(string(AccessFields.either(in.userAgent, in.userAgentSnake, "userAgent", "user_agent", at), "userAgent", at),
            USER_AGENT_CAP_BYTES));
    return new CheckedAccess(row, in.unknownNames(), in.unknownCount);
  }

  /**
   * Only input is kept as JSON: the nesting bound (JsonDepth) applies to it alone, then redaction and
   * the cap. Written in one walk when it fits the cap ({@link InputJson}); else step by step.
   */
  private String input(Object value) {
    String fits = InputJson.encode(value, redactor, 2, JsonDepth.MAX_DEPTH, TEXT_CAP_BYTES);
    return fits != null ? fits : cappedInput(redactor.redactValue(JsonDepth.limitValue(value, 2, JsonDepth.MAX_DEPTH)));
  }

  /** Objects are capped as they are; other JSON values inside a wrapper that is then taken off. */
  private static String cappedInput(Object value) {
    if (value instanceof JsonObject obj) return JsonCapper.cap(obj, TEXT_CAP_BYTES).json();
    JsonCapper.Capped capped = JsonCapper.cap(new JsonObject().put("input", value), TEXT_CAP_BYTES);
    Object inner = capped.truncated() ? new JsonObject(capped.json()).getValue("input") : value;
    return Json.encode(inner);
  }

  private static String errorText(Object e, String at) {
    if (e == null) return null;
    if (e instanceof String s) return s;
    if (e instanceof JsonObject o && o.getValue("message") instanceof String m) return m;
    throw new ValidationException(at + "error", "error must be a string (or an object with a message)");
  }

  private static JsonObject object(Object raw, String at) {
    if (raw instanceof JsonObject o) return o;
    if (raw instanceof Map<?, ?> m) return new JsonObject(castMap(m));
    throw new ValidationException(at.isEmpty() ? "" : at.substring(0, at.length() - 1), "expected a JSON object");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  private static String requiredString(JsonObject in, String key, String at) {
    return required(in.getValue(key), key, at);
  }

  private static String required(Object v, String key, String at) {
    String s = string(v, key, at);
    if (s == null || s.isBlank()) throw new ValidationException(at + key, key + " is required");
    return s;
  }

  private static String optionalString(JsonObject in, String key, String at) {
    return string(in.getValue(key), key, at);
  }

  private static String string(Object v, String key, String at) {
    if (v == null || v instanceof String) return (String) v;
    throw new ValidationException(at + key, key + " must be a string");
  }

  private static String id(Object v, String key, String at) {
    String s = string(v, key, at);
    if (s == null || s.isBlank()) return null;
    if (s.length() > ID_MAX_CHARS) throw new ValidationException(at + key, key + " must be at most " + ID_MAX_CHARS + " characters");
    return s;
  }

  private static String optionalId(JsonObject in, String key, String at) {
    String s = optionalString(in, key, at);
    if (s == null || s.isBlank()) return null;
    if (s.length() > ID_MAX_CHARS) throw new ValidationException(at + key, key + " must be at most " + ID_MAX_CHARS + " characters");
    return s;
  }

  private static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) if (Character.isISOControl(s.charAt(i))) return true;
    return false;
  }

  private static Integer optionalStatus(JsonObject in, String key, String at) {
    return status(in.getValue(key), key, at);
  }

  private static Integer status(Object v, String key, String at) {
    if (v == null) return null;
    if (v instanceof Integer i && i >= 100 && i <= 599) return i; // as parsed: no second box (statuses are past Integer's cache)
    // compared as a double: longValue() of a huge BigInteger wraps around (2^64 + 200 would pass as 200)
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
        && n.doubleValue() >= 100 && n.doubleValue() <= 599) {
      return n.intValue();
    }
    throw new ValidationException(at + key, key + " must be an integer HTTP status from 100 to 599");
  }

  /** Milliseconds as sent, fractions kept (0.37 stays 0.37): the original's REAL column. */
  private static Double duration(Object v, String at) {
    if (v == null) return null;
    if (v instanceof Double d && d >= 0 && d < 1e12) return d;
    if (v instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() < 1e12) return n.doubleValue();
    throw new ValidationException(at + "durationMs", "durationMs must be a number of milliseconds, 0 or more (fractions kept)");
  }

  /**
   * The client's own id for the event: any string of 1 to {@link #EVENT_ID_MAX_CHARS} characters. An
   * event whose id is already stored is not stored again (see README, "Retries").
   */
  private static String eventId(JsonObject in, String at) {
    String id = optionalString(in, "eventId", at);
    if (id == null) return null;
    if (id.isEmpty() || id.length() > EVENT_ID_MAX_CHARS) {
      throw new ValidationException(at + "eventId", "eventId must be 1 to " + EVENT_ID_MAX_CHARS + " characters");
    }
    return id;
  }

  /** The original's process-error fields: strings, and an integer exit code. */
  private static void processFields(JsonObject in, String at) {
    optionalString(in, "command", at);
    optionalString(in, "logFile", at);
    optionalString(in, "tail", at);
    Object code = in.getValue("exitCode");
    if (code != null && !(code instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
        && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE)) {
      throw new ValidationException(at + "exitCode", "exitCode must be an integer");
    }
  }

  private static String timestamp(JsonObject in, String at) {
    return timestamp(in.getValue("timestamp"), at);
  }

  private static String timestamp(Object v, String at) {
    if (v == null) return Timestamps.now();
    // Years 0000 to 9999 only: the stored text must keep four-digit years to sort in time order.
    Instant parsed = v instanceof String s ? Timestamps.parse(s)
        : v instanceof Number n && n.doubleValue() >= MIN_TIME.toEpochMilli() && n.doubleValue() <= MAX_TIME.toEpochMilli()
            ? Instant.ofEpochMilli(n.longValue()) : null;
    if (parsed == null || parsed.isBefore(MIN_TIME) || parsed.isAfter(MAX_TIME)) {
      throw new ValidationException(at + "timestamp", "timestamp must be an ISO-8601 date-time with a zone, e.g. 2026-02-15T23:50:00.000Z,"
          + " or epoch milliseconds, in the years 0000 to 9999");
    }
    return Timestamps.format(parsed);
  }

  private static String capped(String s, int bytes) {
    return s == null ? null : JsonCapper.capString(s, bytes);
  }
}
