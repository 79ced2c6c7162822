package dev.spark.web;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Lets a request through when it carries {@code Authorization: Bearer <token>}; compared in constant time. */
public final class TokenAuth implements Handler<RoutingContext> {
  private final byte[] expected;

  /** An empty token means this route is open (only used for ingest without {@code ingest.token}). */
  public TokenAuth(String token) {
    this.expected = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
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
