package dev.spark.web;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON answers, and the one error shape every endpoint uses: {"error": code, "message": text}. */
public final class ApiResponses {
  private ApiResponses() {}

  public static void json(RoutingContext ctx, int status, JsonObject body) {
    send(ctx, status, body.encode());
  }

  public static void json(RoutingContext ctx, int status, JsonArray body) {
    send(ctx, status, body.encode());
  }

  /** {@code json}: JSON text already encoded. */
  public static void encoded(RoutingContext ctx, int status, String json) {
    send(ctx, status, json);
  }

  public static void error(RoutingContext ctx, int status, String code, String message) {
    json(ctx, status, new JsonObject().put("error", code).put("message", message));
  }

  public static String codeFor(int status) {
    return switch (status) {
      case 400 -> "invalid_input";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 413 -> "payload_too_large";
      case 415 -> "unsupported_media_type";
      case 429 -> "too_many_requests";
      case 503 -> "unavailable";
      default -> status >= 500 ? "internal_error" : "error";
    };
  }

  private static void send(RoutingContext ctx, int status, String body) {
    if (ctx.response().ended() || ctx.response().closed()) return;
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store").end(body);
  }
}
