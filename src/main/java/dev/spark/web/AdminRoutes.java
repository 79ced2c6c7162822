package dev.spark.web;

import dev.spark.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/** {@code POST /admin/cleanup}: runs the janitor now and answers with its report. */
public final class AdminRoutes {
  private static final DeliveryOptions SLOW = new DeliveryOptions().setSendTimeout(15 * 60_000);

  private AdminRoutes() {}

  public static Router router(Vertx vertx, TokenAuth auth) {
    Router router = Router.router(vertx);
    router.post("/admin/cleanup").handler(auth).handler(ctx ->
        vertx.eventBus().<JsonObject>request(Addresses.JANITOR_RUN, new JsonObject(), SLOW).onComplete(ar -> {
          if (ar.succeeded()) ApiResponses.json(ctx, 200, ar.result().body());
          else ApiResponses.error(ctx, 500, "internal_error", ar.cause().getMessage());
        }));
    return router;
  }
}
