package dev.spark.web;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The one check for Spark's token. A request gets through when it carries
 * {@code Authorization: Bearer <token>} (scripts, agents, the CLI) or, where {@link Sessions} are
 * given, the cookie of a dashboard session opened with the same token ({@code POST /auth}). A
 * state-changing request (anything but GET/HEAD/OPTIONS) that relies on the cookie must also carry
 * an {@code Origin} naming this server. Tokens are compared in constant time, as SHA-256 digests, so
 * neither their content nor their length leaks. Registered as a security-policy handler so Vert.x
 * Web runs it before any body handler: an unauthenticated request is refused before its body is read.
 */
public final class TokenAuth implements SecurityPolicyHandler {
  private final byte[] expected;
  private final Sessions sessions;

  private TokenAuth(String token, Sessions sessions) {
    this.expected = token == null || token.isEmpty() ? null : sha256(token);
    this.sessions = sessions;
  }

  /**
   * Reads, the stream, admin and the dashboard: never open. Bearer token or, with {@code sessions},
   * a dashboard session cookie. An empty token is a configuration error.
   */
  public static TokenAuth required(String token, String key, Sessions sessions) {
    if (token == null || token.isEmpty()) {
      throw new IllegalStateException(key + " is empty: set it (or SPARK_WEB_TOKEN) before serving the API");
    }
    return new TokenAuth(token, sessions);
  }

  /** Ingest: open when no {@code ingest.token} is set. */
  public static TokenAuth optional(String token) {
    return new TokenAuth(token, null);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (expected == null || bearerMatches(ctx.request().getHeader("Authorization"))) {
      ctx.next();
      return;
    }
    String session = sessions == null ? null : sessions.valid(ctx.request());
    if (session != null) {
      if (!isSafe(ctx.request().method()) && !sameOrigin(ctx.request())) {
        ApiResponses.error(ctx, 403, "forbidden",
            "A state-changing request with the session cookie must come from this dashboard (Origin header)");
        return;
      }
      ctx.next();
      return;
    }
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"spark\"");
    ApiResponses.error(ctx, 401, "unauthorized",
        "Send Authorization: Bearer <token> (web.token / SPARK_WEB_TOKEN), or log in to the dashboard at /login");
  }

  /** True when {@code candidate} is the token (constant time). Used by the login form too. */
  public boolean matches(String candidate) {
    if (expected == null) return true;
    return candidate != null && MessageDigest.isEqual(sha256(candidate), expected);
  }

  private boolean bearerMatches(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
    return matches(header.substring(7).trim());
  }

  static boolean isSafe(HttpMethod method) {
    return method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS;
  }

  /**
   * True when the request's {@code Origin} names the host and port it was sent to. Compared on host
   * and port (not scheme), so it also holds behind a TLS-terminating proxy that keeps the Host header.
   */
  static boolean sameOrigin(HttpServerRequest request) {
    String origin = request.getHeader("Origin");
    HostAndPort authority = request.authority();
    if (origin == null || authority == null || origin.equals("null")) return false;
    try {
      URI uri = new URI(origin);
      if (uri.getHost() == null || uri.getScheme() == null) return false;
      int defaultPort = uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
      int originPort = uri.getPort() < 0 ? defaultPort : uri.getPort();
      int requestPort = authority.port() < 0 ? (request.isSSL() ? 443 : defaultPort) : authority.port();
      return stripBrackets(uri.getHost()).equalsIgnoreCase(stripBrackets(authority.host())) && originPort == requestPort;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static String stripBrackets(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
