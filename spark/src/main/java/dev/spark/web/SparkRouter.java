package dev.spark.web;

import dev.spark.config.SparkConfig;
import dev.spark.event.InputText;
import dev.spark.query.ReadStore;
import dev.spark.stream.SseHub;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClosedException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Builds the router of Spark's HTTP server, the embedded one ({@link WebVerticle}) and the dashboard
 * sidecar ({@link DashboardVerticle}) alike: the API under {@code /api/v1}, routes at the root, the
 * dashboard last, and JSON errors for what no route answers. Routes are matched in the order added.
 * The first handler, for every route including ones added later, is the {@link RequestGuard}
 * (Host, Origin, request line, HEAD).
 */
final class SparkRouter {
  private static final Logger LOG = Logger.getLogger(SparkRouter.class.getName());

  private final Router api;
  private final Router root;

  static final String API = "/api/v1";

  private SparkRouter(Vertx vertx, SparkConfig cfg, Consumer<Router> first) {
    api = Router.router(vertx);
    root = Router.router(vertx);
    root.route().handler(new RequestGuard(cfg));
    first.accept(root);
    root.route(API + "/*").subRouter(api);
  }

  static SparkRouter create(Vertx vertx, SparkConfig cfg) {
    return new SparkRouter(vertx, cfg, r -> {});
  }

  /**
   * As {@link #create}, with routes that {@code ingest} adds to the root router itself, right after the
   * guard, under their full paths ({@code /api/v1/events}): the hottest routes, matched before any
   * sub-router (each sub-router a request passes through costs it a wrapping routing context, and a
   * wildcard mount a path-parameter map).
   */
  static SparkRouter withIngest(Vertx vertx, SparkConfig cfg, Consumer<Router> ingest) {
    return new SparkRouter(vertx, cfg, ingest);
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
    // Every failure status gets Spark's JSON error (Vert.x would log one without a handler at SEVERE).
    for (int status = 400; status < 600; status++) {
      int s = status;
      root.errorHandler(s, ctx -> failure(ctx, s));
    }
    return root;
  }

  /** A JSON error for a request that failed or that no route answered. */
  static void failure(RoutingContext ctx, int status) {
    if (ctx.failure() != null && clientGone(ctx.failure())) {
      endedEarly(ctx, ctx.failure());
      return;
    }
    String message = switch (status) {
      case 404 -> "No such endpoint: " + ctx.request().method() + " " + InputText.echo(ctx.request().path());
      case 405 -> "Method " + ctx.request().method() + " is not allowed on " + InputText.echo(ctx.request().path());
      case 413 -> BodyLimit.tooLarge(ctx);
      default -> ctx.failure() != null && status < 500 ? InputText.echo(ctx.failure().getMessage()) : "Request failed";
    };
    if (status >= 500 && ctx.failure() != null) LOG.warning("Request " + ctx.request().path() + " failed: " + ctx.failure());
    ApiResponses.error(ctx, status, ApiResponses.codeFor(status), message);
  }

  /** A client that went away mid-request, or sent broken framing: nothing of ours to fix, so FINE. */
  static void endedEarly(RoutingContext ctx, Throwable e) {
    LOG.fine(() -> "Request " + ctx.request().path() + " ended early: " + e);
    if (!ctx.response().ended() && !ctx.response().closed()) {
      ctx.response().putHeader("Connection", "close").endHandler(v -> ctx.request().connection().close());
      ApiResponses.error(ctx, 400, "invalid_input", "The request ended early or its framing is broken; nothing was done");
    }
  }

  /** True for the ways a connection ends under a request: closed, reset, or bytes that are not HTTP (a bad chunk size). */
  static boolean clientGone(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof IOException || t instanceof HttpClosedException || t instanceof NumberFormatException
          || t.getClass().getName().startsWith("io.netty.handler.codec.") || String.valueOf(t.getMessage()).contains("onnection was closed")) {
        return true;
      }
    }
    return false;
  }
}
