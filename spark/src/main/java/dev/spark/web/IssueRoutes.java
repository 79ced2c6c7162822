package dev.spark.web;

import dev.spark.event.ValidationException;
import dev.spark.query.IssuesApi;
import dev.spark.query.ReadStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /issues}, {@code GET /issues/{fingerprint}} and
 * {@code POST /issues/{fingerprint}/resolve|mute|reopen} (the queries are {@link IssuesApi}'s).
 * Status changes go through the storage writer and are answered once committed.
 */
public final class IssueRoutes {
  private IssueRoutes() {}

  public static Router router(Vertx vertx, ReadStore reads, TokenAuth auth) {
    Router router = Router.router(vertx);
    router.get("/issues").handler(auth).handler(ctx -> QueryRoutes.answer(ctx, q -> IssuesApi.list(reads, q), "No such issue"));
    router.get("/issues/:fingerprint").handler(auth)
        .handler(ctx -> QueryRoutes.answer(ctx, q -> IssuesApi.get(reads, ctx.pathParam("fingerprint"), q), "No such issue"));
    router.post("/issues/:fingerprint/:action").handler(auth).handler(ctx -> change(vertx, ctx));
    return router;
  }

  private static void change(Vertx vertx, RoutingContext ctx) {
    String action = ctx.pathParam("action");
    Future<JsonObject> result = IssuesApi.setStatus(vertx, ctx.pathParam("fingerprint"), action);
    result.onComplete(ar -> {
      if (ar.succeeded() && ar.result() != null) {
        ApiResponses.json(ctx, 200, ar.result());
      } else if (ar.succeeded()) {
        ApiResponses.error(ctx, 404, "not_found", "No issue with fingerprint " + ctx.pathParam("fingerprint"));
      } else if (ar.cause() instanceof ValidationException e) {
        // An unknown action is an unknown endpoint.
        ApiResponses.error(ctx, 404, "not_found", "No such endpoint: POST " + ctx.request().path() + " (" + e.getMessage() + ")");
      } else if (ar.cause() instanceof ReplyException r && r.failureCode() == 503) {
        ctx.response().putHeader("Retry-After", "1");
        ApiResponses.error(ctx, 503, "unavailable", r.getMessage());
      } else {
        ApiResponses.error(ctx, 500, "internal_error", "Could not change the issue: " + ar.cause().getMessage());
      }
    });
  }
}
