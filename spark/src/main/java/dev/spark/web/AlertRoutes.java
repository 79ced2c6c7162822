package dev.spark.web;

import dev.spark.alerts.AlertsVerticle;
import dev.spark.config.AlertsConfig;
import dev.spark.config.ConfigException;
import dev.spark.query.AlertDeliveriesRead;
import dev.spark.query.ReadStore;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;

/**
 * {@code GET /alerts} (rules and targets, secrets masked), {@code GET /alerts/deliveries} (the newest
 * deliveries with their status, attempts and last error, read on the read pool) and
 * {@code POST /alerts/targets/{name}/test} (sends a test alert at once and says how it went). The
 * dashboard sidecar serves the first two from its own configuration and the shared file; it sends
 * nothing, so a test there is 409.
 */
public final class AlertRoutes {
  private AlertRoutes() {}

  /** The Spark that sends alerts: its configuration was checked at start. */
  public static Router router(Vertx vertx, AlertsConfig alerts, ReadStore reads, TokenAuth auth) {
    Router router = Router.router(vertx);
    JsonObject shown = alerts.toMaskedJson();
    router.get("/alerts").handler(auth).handler(ctx -> ApiResponses.json(ctx, 200, shown));
    router.get("/alerts/deliveries").handler(auth).handler(ctx -> deliveries(reads, ctx));
    router.post("/alerts/targets/:name/test").handler(auth).handler(ctx ->
        vertx.eventBus().<JsonObject>request(AlertsVerticle.TEST, new JsonObject().put("target", ctx.pathParam("name")))
            .onComplete(ar -> {
              if (ar.succeeded()) ApiResponses.json(ctx, 200, ar.result().body());
              else failed(ctx, ar.cause(), "Could not send the test alert");
            }));
    return router;
  }

  /**
   * The dashboard sidecar: the rules and targets of its configuration (when its environment lacks a
   * secret the targets name, or a {@code caFile}, 503 says which, and the deliveries are still served).
   */
  static Router sidecar(Vertx vertx, JsonObject config, Map<String, String> env, ReadStore reads, TokenAuth auth) {
    Router router = Router.router(vertx);
    JsonObject shown;
    String problem;
    try {
      shown = AlertsConfig.fromJson(config, env).toMaskedJson();
      problem = null;
    } catch (ConfigException e) {
      shown = null;
      problem = e.getMessage();
    }
    JsonObject finalShown = shown;
    String finalProblem = problem;
    router.get("/alerts").handler(auth).handler(ctx -> {
      if (finalShown != null) ApiResponses.json(ctx, 200, finalShown);
      else ApiResponses.error(ctx, 503, "unavailable", "This dashboard sidecar cannot show the alert rules: " + finalProblem);
    });
    router.get("/alerts/deliveries").handler(auth).handler(ctx -> deliveries(reads, ctx));
    router.post("/alerts/targets/:name/test").handler(auth).handler(ctx ->
        ApiResponses.error(ctx, 409, "conflict", "This is Spark's read-only dashboard sidecar: it sends no alerts. "
            + "Send the test from the Spark that writes the database."));
    return router;
  }

  private static void deliveries(ReadStore reads, RoutingContext ctx) {
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
    AlertDeliveriesRead.recent(reads, limit).onComplete(ar -> {
      if (ar.succeeded()) ApiResponses.json(ctx, 200, ar.result());
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
