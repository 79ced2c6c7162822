package dev.spark.web;

import dev.spark.alerts.AlertsVerticle;
import dev.spark.bus.Addresses;
import dev.spark.config.AlertsConfig;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * {@code GET /alerts} (rules and targets, secrets masked), {@code GET /alerts/deliveries} (the newest
 * deliveries with their status, attempts and last error) and {@code POST /alerts/targets/{name}/test}
 * (sends a test alert at once and says how it went).
 */
public final class AlertRoutes {
  private AlertRoutes() {}

  public static Router router(Vertx vertx, AlertsConfig alerts, TokenAuth auth) {
    Router router = Router.router(vertx);
    router.get("/alerts").handler(auth).handler(ctx -> ApiResponses.json(ctx, 200, alerts.toMaskedJson()));
    router.get("/alerts/deliveries").handler(auth).handler(ctx -> deliveries(vertx, ctx));
    router.post("/alerts/targets/:name/test").handler(auth).handler(ctx ->
        vertx.eventBus().<JsonObject>request(AlertsVerticle.TEST, new JsonObject().put("target", ctx.pathParam("name")))
            .onComplete(ar -> {
              if (ar.succeeded()) ApiResponses.json(ctx, 200, ar.result().body());
              else failed(ctx, ar.cause(), "Could not send the test alert");
            }));
    return router;
  }

  private static void deliveries(Vertx vertx, RoutingContext ctx) {
    String raw = ctx.request().getParam("limit", "100");
    int limit;
    try {
      limit = Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > 1_000) {
      ApiResponses.error(ctx, 400, "invalid_request", "limit must be an integer from 1 to 1000 (got \"" + raw + "\")");
      return;
    }
    vertx.eventBus().<JsonObject>request(Addresses.STORAGE_ALERTS, new JsonObject().put("action", "recent").put("limit", limit))
        .onComplete(ar -> {
          if (ar.succeeded()) ApiResponses.json(ctx, 200, ar.result().body());
          else failed(ctx, ar.cause(), "Could not read the deliveries");
        });
  }

  private static void failed(RoutingContext ctx, Throwable cause, String what) {
    if (cause instanceof ReplyException r && r.failureCode() == 404) {
      ApiResponses.error(ctx, 404, "not_found", r.getMessage());
    } else if (cause instanceof ReplyException r && (r.failureCode() == 503 || r.failureType() == ReplyFailure.NO_HANDLERS)) {
      ctx.response().putHeader("Retry-After", "1");
      ApiResponses.error(ctx, 503, "unavailable", what + ": " + r.getMessage());
    } else {
      ApiResponses.error(ctx, 500, "internal_error", what + ": " + cause.getMessage());
    }
  }
}
