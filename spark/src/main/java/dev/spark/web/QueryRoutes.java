package dev.spark.web;

import dev.spark.event.InputText;
import dev.spark.event.ValidationException;
import dev.spark.query.QueryApi;
import dev.spark.query.QueryParams;
import dev.spark.query.ReadStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Function;

/** The read side of the API: recent events, one event, access logs (the queries are {@link QueryApi}'s). Newest first. */
public final class QueryRoutes {
  private QueryRoutes() {}

  public static Router router(Vertx vertx, ReadStore reads, TokenAuth auth) {
    Router router = Router.router(vertx);
    router.get("/events").handler(auth).handler(ctx -> answer(ctx, q -> QueryApi.events(reads, q)));
    router.get("/events/:id").handler(auth).handler(ctx -> answer(ctx, q -> oneEvent(reads, ctx)));
    router.get("/access").handler(auth).handler(ctx -> answer(ctx, q -> QueryApi.access(reads, q)));
    return router;
  }

  private static Future<JsonObject> oneEvent(ReadStore reads, RoutingContext ctx) {
    long id;
    try {
      id = Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      throw new ValidationException("id", "id must be an integer (got " + InputText.echo(ctx.pathParam("id")) + ")");
    }
    return reads.event(id).map(e -> e == null ? null : e.toJson());
  }

  static void answer(RoutingContext ctx, Function<QueryParams, Future<JsonObject>> query) {
    answer(ctx, query, "No such event");
  }

  /** Runs the query and answers its JSON: 400 for a bad parameter, 404 (with {@code notFound}) for a null result. */
  static void answer(RoutingContext ctx, Function<QueryParams, Future<JsonObject>> query, String notFound) {
    Future<JsonObject> result;
    try {
      result = query.apply(new QueryParams(ctx));
    } catch (ValidationException e) {
      ApiResponses.json(ctx, 400, e.toJson());
      return;
    }
    result.onComplete(ar -> {
      if (ar.failed() && ar.cause() instanceof ValidationException e) ApiResponses.json(ctx, 400, e.toJson());
      else if (ar.failed()) ApiResponses.error(ctx, 500, "internal_error", "Query failed: " + ar.cause().getMessage());
      else if (ar.result() == null) ApiResponses.error(ctx, 404, "not_found", notFound);
      else ApiResponses.json(ctx, 200, ar.result());
    });
  }
}
