package dev.spark.ingest.sentry;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.Locale;
import java.util.Map;

/**
 * A Sentry {@code transaction} as one of Spark's access-log rows, when it is an HTTP server
 * transaction (its trace {@code op} is {@code http.server}, or it carries a request method): method,
 * path, status, duration ({@code timestamp - start_timestamp}), the trace id as {@code requestId}.
 * Anything else (a background job, a browser page load) has no row: null.
 */
final class TransactionMapper {
  /** Sentry's span statuses, for a transaction that names no HTTP status code. */
  private static final Map<String, Integer> SPAN_STATUS = Map.ofEntries(
      Map.entry("ok", 200), Map.entry("cancelled", 499), Map.entry("unknown", 500), Map.entry("unknown_error", 500),
      Map.entry("invalid_argument", 400), Map.entry("deadline_exceeded", 504), Map.entry("not_found", 404),
      Map.entry("already_exists", 409), Map.entry("permission_denied", 403), Map.entry("resource_exhausted", 429),
      Map.entry("failed_precondition", 400), Map.entry("aborted", 409), Map.entry("out_of_range", 400),
      Map.entry("unimplemented", 501), Map.entry("internal_error", 500), Map.entry("unavailable", 503),
      Map.entry("data_loss", 500), Map.entry("unauthenticated", 401));

  private TransactionMapper() {}

  static JsonObject toAccess(JsonObject tx) {
    JsonObject contexts = tx.getValue("contexts") instanceof JsonObject c ? c : new JsonObject();
    JsonObject trace = contexts.getValue("trace") instanceof JsonObject t ? t : new JsonObject();
    JsonObject data = trace.getValue("data") instanceof JsonObject d ? d : new JsonObject();
    JsonObject request = tx.getValue("request") instanceof JsonObject r ? r : new JsonObject();
    String name = SentryExceptions.text(tx.getValue("transaction"));
    String op = SentryExceptions.text(trace.getValue("op"));

    String method = first(request.getValue("method"), data.getValue("http.request.method"), data.getValue("http.method"));
    String path = path(first(request.getValue("url"), data.getValue("url.path"), data.getValue("http.target"), data.getValue("url")));
    if (name != null && name.indexOf(' ') > 0) {
      // "GET /orders/{id}": the name carries the method, and the path when nothing else does
      String named = name.substring(0, name.indexOf(' '));
      if (method == null && named.matches("[A-Za-z]{3,7}")) method = named;
      if (path == null) path = name.substring(name.indexOf(' ') + 1).strip();
    }
    boolean server = op != null ? op.startsWith("http.server") : method != null;
    if (!server || method == null) return null;
    if (path == null || path.isBlank()) path = name == null ? "/" : name;

    JsonObject tags = SentryEventMapper.tags(tx.getValue("tags"));
    Integer status = SentryEventMapper.httpStatus(contexts.getValue("response") instanceof JsonObject resp
        ? resp.getValue("status_code") : null);
    if (status == null) status = SentryEventMapper.httpStatus(data.getValue("http.response.status_code"));
    if (status == null) status = SentryEventMapper.httpStatus(data.getValue("http.status_code"));
    if (status == null && tags != null) status = SentryEventMapper.httpStatus(tags.getValue("http.status_code"));
    if (status == null) {
      String spanStatus = SentryExceptions.text(trace.getValue("status"));
      status = spanStatus == null ? 200 : SPAN_STATUS.getOrDefault(spanStatus.toLowerCase(Locale.ROOT), 500);
    }

    JsonObject out = new JsonObject().put("method", method).put("path", path).put("status", status);
    Object end = SentryEventMapper.timestamp(tx.getValue("timestamp"));
    Object start = tx.getValue("start_timestamp");
    if (tx.getValue("timestamp") instanceof Number e && start instanceof Number s && e.doubleValue() >= s.doubleValue()) {
      out.put("durationMs", (e.doubleValue() - s.doubleValue()) * 1000.0);
    }
    if (end != null) out.put("timestamp", end);
    if (trace.getValue("trace_id") instanceof String traceId) out.put("requestId", traceId);
    String feature = tags == null ? null : SentryExceptions.text(tags.getValue("feature"));
    if (feature == null) feature = name;
    if (feature != null) out.put("feature", feature);
    JsonObject headers = SentryEventMapper.tags(request.getValue("headers"));
    if (headers != null) {
      headers.forEach(h -> {
        if (h.getKey().equalsIgnoreCase("user-agent") && h.getValue() instanceof String ua) out.put("userAgent", ua);
      });
    }
    if (tx.getValue("user") instanceof JsonObject user && user.getValue("ip_address") instanceof String ip) out.put("ip", ip);
    return out;
  }

  private static String first(Object... values) {
    for (Object v : values) {
      String s = SentryExceptions.text(v);
      if (s != null) return s;
    }
    return null;
  }

  /** The path of a URL (a path alone stays as it is), without query string or fragment. */
  private static String path(String url) {
    if (url == null) return null;
    try {
      URI uri = URI.create(url.strip());
      if (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) return uri.getRawPath();
    } catch (IllegalArgumentException e) {
      // not a URL: cut at the query below
    }
    int q = url.indexOf('?');
    return q >= 0 ? url.substring(0, q) : url;
  }
}
