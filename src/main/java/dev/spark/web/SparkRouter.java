package dev.spark.web;

import dev.spark.query.ReadStore;
import dev.spark.stream.SseHub;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.logging.Logger;

/**
 * Builds the router of Spark's HTTP server, the embedded one ({@link WebVerticle}) and the dashboard
 * sidecar ({@link DashboardVerticle}) alike: the API under {@code /api/v1}, routes at the root, the
 * dashboard last, and JSON errors for what no route answers. Routes are matched in the order added.
 */
final class SparkRouter {
  private static final Logger LOG = Logger.getLogger(SparkRouter.class.getName());
  private static final int[] ERROR_STATUSES = {400, 401, 403, 404, 405, 413, 415, 500};

  private final Router api;
  private final Router root;

  private SparkRouter(Vertx vertx) {
    api = Router.router(vertx);
    root = Router.router(vertx);
    root.route("/api/v1/*").subRouter(api);
  }

  static SparkRouter create(Vertx vertx) {
    return new SparkRouter(vertx);
  }

  /** The router under {@code /api/v1}, for routes of one server only. */
  Router api() {
    return api;
  }

  /** The root router, for routes of one server only (after the API). */
  Router root() {
    return root;
  }

  /** Adds a sub-router under {@code /api/v1}. */
  SparkRouter api(Router routes) {
    api.route().subRouter(routes);
    return this;
  }

  /** Adds the read side both servers serve under {@code /api/v1}: queries, issues and the event stream. */
  SparkRouter readApi(Vertx vertx, ReadStore reads, SseHub hub, TokenAuth auth) {
    return api(QueryRoutes.router(vertx, reads, auth))
        .api(IssueRoutes.router(vertx, reads, auth))
        .api(StreamRoutes.router(vertx, hub, auth));
  }

  /** Adds a sub-router at the root. */
  SparkRouter root(Router routes) {
    root.route().subRouter(routes);
    return this;
  }

  /** Adds the dashboard (its API and its pages) and the error handlers: the router is complete. */
  Router build(Dashboard dashboard) {
    dashboard.mountApi(api);
    root.route().subRouter(dashboard.router());
    for (int status : ERROR_STATUSES) {
      root.errorHandler(status, ctx -> failure(ctx, status));
    }
    return root;
  }

  /** A JSON error for a request that failed or that no route answered. */
  static void failure(RoutingContext ctx, int status) {
    String message = switch (status) {
      case 404 -> "No such endpoint: " + ctx.request().method() + " " + ctx.request().path();
      case 405 -> "Method " + ctx.request().method() + " is not allowed on " + ctx.request().path();
      case 413 -> BodyLimit.tooLarge(ctx);
      default -> ctx.failure() != null && status < 500 ? String.valueOf(ctx.failure().getMessage()) : "Request failed";
    };
    if (status >= 500 && ctx.failure() != null) LOG.warning("Request " + ctx.request().path() + " failed: " + ctx.failure());
    ApiResponses.error(ctx, status, ApiResponses.codeFor(status), message);
  }
}
