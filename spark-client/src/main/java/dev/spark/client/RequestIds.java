package dev.spark.client;

import dev.spark.event.UuidV7;
import io.vertx.core.http.HttpServerRequest;

/**
 * Picks a request's id: a well-formed incoming {@code X-Request-Id}, else the trace-id of a valid
 * W3C {@code traceparent}, else a fresh UUIDv7.
 */
final class RequestIds {
  static final String REQUEST_ID = "X-Request-Id";
  static final String TRACEPARENT = "traceparent";
  /** Longest incoming id taken as it is (Spark accepts ids up to 256 characters). */
  static final int MAX_LENGTH = 128;

  private RequestIds() {}

  static String resolve(HttpServerRequest request) {
    String id = request.getHeader(REQUEST_ID);
    if (wellFormed(id)) return id;
    String trace = traceId(request.getHeader(TRACEPARENT));
    return trace != null ? trace : UuidV7.next();
  }

  /** 1 to 128 visible ASCII characters, none of them a quote, comma, semicolon or backslash. */
  static boolean wellFormed(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) return false;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\') return false;
    }
    return true;
  }

  /**
   * The trace-id of a {@code traceparent} header ({@code version-traceid-parentid-flags}, lower-case
   * hex), or null when it is not valid: version {@code ff}, an all-zero trace or parent id, wrong
   * lengths. Version 00 must have exactly four fields; later versions may append more.
   */
  static String traceId(String header) {
    if (header == null) return null;
    String h = header.trim();
    if (h.length() < 55) return null;
    if (!hex(h, 0, 2) || h.charAt(2) != '-' || !hex(h, 3, 35) || h.charAt(35) != '-' || !hex(h, 36, 52)
        || h.charAt(52) != '-' || !hex(h, 53, 55)) {
      return null;
    }
    String version = h.substring(0, 2);
    if (version.equals("ff")) return null;
    if (version.equals("00") ? h.length() != 55 : h.length() > 55 && h.charAt(55) != '-') return null;
    String trace = h.substring(3, 35);
    if (zeros(trace) || zeros(h.substring(36, 52))) return null;
    return trace;
  }

  private static boolean hex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
  }

  private static boolean zeros(String s) {
    for (int i = 0; i < s.length(); i++) if (s.charAt(i) != '0') return false;
    return true;
  }
}
