package dev.spark.ingest;

import dev.spark.event.AccessRow;
import dev.spark.event.EventRow;
import dev.spark.event.EventType;
import dev.spark.event.Timestamps;
import dev.spark.event.UuidV7;
import dev.spark.event.ValidationException;
import dev.spark.issues.Fingerprinter;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
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
  /** Longest client-supplied {@code fingerprint}. */
  public static final int FINGERPRINT_MAX_CHARS = 256;
  /** In a client-supplied {@code fingerprint}, stands for the key Spark computes (as in Sentry's fingerprints). */
  public static final String DEFAULT_FINGERPRINT = "{{ default }}";
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
        new ValidationException(at + "type", "type must be one of " + EventType.allowed() + " (got \"" + typeName + "\")"));

    String traceId = optionalId(in, "traceId", at);
    if (traceId == null) traceId = UuidV7.next();
    String timestamp = timestamp(in, at);
    String env = optionalString(in, "environment", at);
    if (env == null || env.isBlank()) env = environment;
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
    if (type != EventType.RATE_LIMIT && (err == null || err.getValue("message") == null)) {
      throw new ValidationException(at + "error.message", "error.message is required for " + type.wire() + " events");
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

    JsonObject normalised = redactor.redact(in)
        .put("type", type.wire())
        .put("traceId", traceId)
        .put("timestamp", timestamp)
        .put("environment", env);
    if (in != original) normalised.put("truncated", true);
    JsonCapper.Capped capped = JsonCapper.cap(normalised, JsonCapper.DEFAULT_MAX_BYTES);
    return new EventRow(type.wire(), traceId, timestamp, env, feature, route, status, capped.json(), fp.fingerprint(), fp.summary());
  }

  public AccessRow access(Object raw, String at) {
    JsonObject in = JsonDepth.limit(object(raw, at), JsonDepth.MAX_DEPTH);
    String method = requiredString(in, "method", at).trim().toUpperCase(Locale.ROOT);
    if (method.isEmpty() || method.length() > 32) {
      throw new ValidationException(at + "method", "method must be an HTTP method name");
    }
    String path = requiredString(in, "path", at);
    Integer status = optionalStatus(in, "status", at);
    if (status == null) throw new ValidationException(at + "status", "status is required");
    Long duration = optionalDuration(in, at);
    Object rawInput = in.getValue("input");
    String input = rawInput == null ? null : cappedInput(redactor.redactValue(rawInput));
    return new AccessRow(
        timestamp(in, at),
        method,
        capped(path, SHORT_CAP_BYTES),
        status,
        duration,
        capped(optionalString(in, "ip", at), 256),
        capped(optionalString(in, "feature", at), SHORT_CAP_BYTES),
        optionalId(in, "requestId", at),
        input,
        capped(errorText(in, at), TEXT_CAP_BYTES),
        capped(optionalString(in, "userAgent", at), USER_AGENT_CAP_BYTES));
  }

  /** Objects are capped as they are; other JSON values inside a wrapper that is then taken off. */
  private static String cappedInput(Object value) {
    if (value instanceof JsonObject obj) return JsonCapper.cap(obj, TEXT_CAP_BYTES).json();
    JsonCapper.Capped capped = JsonCapper.cap(new JsonObject().put("input", value), TEXT_CAP_BYTES);
    Object inner = capped.truncated() ? new JsonObject(capped.json()).getValue("input") : value;
    return Json.encode(inner);
  }

  private static String errorText(JsonObject in, String at) {
    Object e = in.getValue("error");
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
    String s = optionalString(in, key, at);
    if (s == null || s.isBlank()) throw new ValidationException(at + key, key + " is required");
    return s;
  }

  private static String optionalString(JsonObject in, String key, String at) {
    Object v = in.getValue(key);
    if (v == null || v instanceof String) return (String) v;
    throw new ValidationException(at + key, key + " must be a string");
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
    Object v = in.getValue(key);
    if (v == null) return null;
    // compared as a double: longValue() of a huge BigInteger wraps around (2^64 + 200 would pass as 200)
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
        && n.doubleValue() >= 100 && n.doubleValue() <= 599) {
      return n.intValue();
    }
    throw new ValidationException(at + key, key + " must be an integer HTTP status from 100 to 599");
  }

  private static Long optionalDuration(JsonObject in, String at) {
    Object v = in.getValue("durationMs");
    if (v == null) return null;
    if (v instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() < 1e12) return Math.round(n.doubleValue());
    throw new ValidationException(at + "durationMs", "durationMs must be a number of milliseconds, 0 or more");
  }

  private static String timestamp(JsonObject in, String at) {
    Object v = in.getValue("timestamp");
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
