package dev.spark.ingest.sentry;

import dev.spark.ingest.IngestValidator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns a Sentry event into Spark's event JSON, which then goes through the one validation path
 * (redaction, capping, fingerprinting) like any other. The mapping is the table in the README's
 * "Sentry SDKs" section; nothing else of the Sentry event is kept (frame-local variables, for one).
 */
public final class SentryEventMapper {
  private static final Set<String> DROPPED_HEADERS = Set.of("cookie", "set-cookie", "authorization", "proxy-authorization",
      "x-sentry-auth");
  private static final int FINGERPRINT_MAX_CHARS = 256;

  private SentryEventMapper() {}

  public static JsonObject toSpark(JsonObject event, int project) {
    JsonObject out = new JsonObject();
    List<JsonObject> chain = SentryExceptions.chain(event);
    JsonObject main = chain.isEmpty() ? null : chain.get(chain.size() - 1);
    out.put("type", main != null && !SentryExceptions.handled(main) ? "unhandled-error" : "server-error");

    JsonObject error = new JsonObject();
    String logged = logMessage(event);
    String message = main == null ? null : SentryExceptions.title(main);
    if (message == null) message = logged;
    else if (logged != null) out.put("logMessage", logged);
    error.put("message", message == null ? "(a Sentry event with no exception or message)" : message);
    if (main != null) {
      String type = SentryExceptions.text(main.getValue("type"));
      if (type != null) error.put("type", type);
      error.put("stack", SentryExceptions.stack(chain, "java".equals(event.getValue("platform"))));
    }
    out.put("error", error);

    JsonObject contexts = event.getValue("contexts") instanceof JsonObject c ? c : new JsonObject();
    if (contexts.getValue("trace") instanceof JsonObject trace && trace.getValue("trace_id") instanceof String id) {
      out.put("traceId", id);
    }
    Object timestamp = timestamp(event.getValue("timestamp"));
    if (timestamp != null) out.put("timestamp", timestamp);
    putText(out, "environment", event.getValue("environment"));
    String transaction = SentryExceptions.text(event.getValue("transaction"));
    if (transaction != null) out.put("route", transaction);
    JsonObject tags = tags(event.getValue("tags"));
    Integer status = status(contexts, tags);
    if (status != null) out.put("status", status);
    String feature = tags != null ? SentryExceptions.text(tags.getValue("feature")) : null;
    if (feature == null) feature = transaction;
    if (feature != null) out.put("feature", feature);
    if (event.getValue("request") instanceof JsonObject request) out.put("request", request(request));

    String eventId = SentryExceptions.text(event.getValue("event_id"));
    if (eventId != null) out.put("eventId", eventId);
    putText(out, "release", event.getValue("release"));
    putText(out, "level", event.getValue("level"));
    putText(out, "platform", event.getValue("platform"));
    if (event.getValue("sdk") instanceof JsonObject sdk) {
      out.put("sdk", new JsonObject().put("name", sdk.getValue("name")).put("version", sdk.getValue("version")));
    }
    if (event.getValue("user") instanceof JsonObject user) out.put("user", user);
    if (tags != null) out.put("tags", tags);
    if (event.getValue("extra") instanceof JsonObject extra && !extra.isEmpty()) out.put("extra", extra);
    JsonObject sentry = new JsonObject().put("event_id", eventId).put("project", project);
    putText(sentry, "logger", event.getValue("logger"));
    putText(sentry, "server_name", event.getValue("server_name"));
    out.put("sentry", sentry);

    String fingerprint = fingerprint(event.getValue("fingerprint"));
    if (fingerprint != null) out.put("fingerprint", fingerprint);
    return out;
  }

  /** A message event's text: {@code logentry.formatted}, else {@code logentry.message}, else {@code message}. */
  private static String logMessage(JsonObject event) {
    for (String key : new String[] {"logentry", "sentry.interfaces.Message", "message"}) {
      Object v = event.getValue(key);
      if (v instanceof JsonObject entry) {
        String s = SentryExceptions.text(entry.getValue("formatted"));
        if (s == null) s = SentryExceptions.text(entry.getValue("message"));
        if (s != null) return s;
      } else if (SentryExceptions.text(v) != null) {
        return SentryExceptions.text(v);
      }
    }
    return null;
  }

  /** Seconds since the epoch (a number) become epoch milliseconds; a date-time without a zone is UTC. */
  static Object timestamp(Object v) {
    if (v instanceof Number n) return Math.round(n.doubleValue() * 1000);
    if (v instanceof String s && !s.isBlank()) {
      boolean zoned = s.endsWith("Z") || s.endsWith("z") || s.matches(".*[+-]\\d\\d:?\\d\\d$");
      return zoned ? s : s + "Z";
    }
    return null;
  }

  /** Tags as an object ({@code {"k": "v"}}) or as pairs ({@code [["k", "v"]]}); null when none. */
  static JsonObject tags(Object raw) {
    if (raw instanceof JsonObject obj) return obj.isEmpty() ? null : obj;
    if (raw instanceof JsonArray arr) {
      JsonObject out = new JsonObject();
      for (Object o : arr) {
        if (o instanceof JsonArray pair && pair.size() == 2 && pair.getValue(0) instanceof String k) out.put(k, pair.getValue(1));
      }
      return out.isEmpty() ? null : out;
    }
    return null;
  }

  private static Integer status(JsonObject contexts, JsonObject tags) {
    Object v = contexts.getValue("response") instanceof JsonObject r ? r.getValue("status_code") : null;
    if (v == null && tags != null) v = tags.getValue("http.status_code");
    return httpStatus(v);
  }

  static Integer httpStatus(Object v) {
    try {
      int n = v instanceof Number num ? num.intValue() : v instanceof String s ? Integer.parseInt(s.strip()) : 0;
      return n >= 100 && n <= 599 ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** method and url; headers without cookies or credentials; {@code input} from the body and query string. */
  private static JsonObject request(JsonObject request) {
    JsonObject out = new JsonObject();
    putText(out, "method", request.getValue("method"));
    putText(out, "url", request.getValue("url"));
    JsonObject headers = tags(request.getValue("headers"));
    if (headers != null) {
      JsonObject kept = new JsonObject();
      headers.forEach(h -> {
        if (!DROPPED_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT))) kept.put(h.getKey(), h.getValue());
      });
      out.put("headers", kept);
    }
    JsonObject input = new JsonObject();
    if (request.getValue("data") != null) input.put("data", request.getValue("data"));
    Object query = request.getValue("query_string");
    if (query != null && !"".equals(query)) input.put("query", query);
    if (!input.isEmpty()) out.put("input", input);
    return out;
  }

  /**
   * Sentry's fingerprint (a list of strings) as one string; {@code {{ default }}} is left for the
   * validator to replace with the computed key. Null when absent or just {@code {{ default }}}.
   */
  static String fingerprint(Object raw) {
    if (!(raw instanceof JsonArray parts) || parts.isEmpty()) return null;
    StringBuilder joined = new StringBuilder();
    for (Object p : parts) {
      String s = p instanceof String str ? str.strip() : String.valueOf(p);
      if (s.replace(" ", "").equals("{{default}}")) s = IngestValidator.DEFAULT_FINGERPRINT;
      if (!joined.isEmpty()) joined.append(' ');
      joined.append(s.replaceAll("\\p{Cntrl}", " "));
    }
    String fp = joined.toString().strip();
    if (fp.isEmpty() || fp.equals(IngestValidator.DEFAULT_FINGERPRINT)) return null;
    if (fp.length() > FINGERPRINT_MAX_CHARS) return "sentry:" + sha256Hex(fp).substring(0, 32);
    return fp;
  }

  private static void putText(JsonObject out, String key, Object v) {
    String s = SentryExceptions.text(v);
    if (s != null) out.put(key, s);
  }

  private static String sha256Hex(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
