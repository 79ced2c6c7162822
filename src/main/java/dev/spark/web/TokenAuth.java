package dev.spark.web;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Lets a request through when it carries {@code Authorization: Bearer <token>}; compared in constant
 * time. Registered as a security-policy handler so Vert.x Web runs it before any body handler: an
 * unauthenticated request is refused before its body is read.
 */
public final class TokenAuth implements SecurityPolicyHandler {
  private final byte[] expected;

  private TokenAuth(String token) {
    this.expected = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
  }

  /** Reads, the stream and admin: never open. An empty token is a configuration error. */
  public static TokenAuth required(String token, String key) {
    if (token == null || token.isEmpty()) {
      throw new IllegalStateException(key + " is empty: set it (or SPARK_WEB_TOKEN) before serving the API");
    }
    return new TokenAuth(token);
  }

  /** Ingest: open when no {@code ingest.token} is set. */
  public static TokenAuth optional(String token) {
    return new TokenAuth(token);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (expected == null || matches(ctx.request().getHeader("Authorization"))) {
      ctx.next();
      return;
    }
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"spark\"");
    ApiResponses.error(ctx, 401, "unauthorized", "Send Authorization: Bearer <token> (web.token / SPARK_WEB_TOKEN)");
  }

  private boolean matches(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
    byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, expected);
  }
}
