package dev.spark.web;

import dev.spark.bus.EventBusCodecs;
import dev.spark.config.SparkConfig;
import dev.spark.ingest.Ingestor;
import dev.spark.query.ReadStore;
import dev.spark.stream.SseHub;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Spark's one HTTP server (deployed as several instances that share the port): ingest, query API,
 * SSE stream, health, status and admin, and the dashboard ({@link Dashboard}), each from its own sub-router.
 */
public final class WebVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(WebVerticle.class.getName());

  private ReadStore reads;
  private SseHub hub;
  private HttpServer server;
  private Dashboard dashboard;
  private HttpLimits limits;
  private Router root;

  @Override
  public Future<?> start() {
    SparkConfig cfg = SparkConfig.fromJson(config());
    EventBusCodecs.register(vertx);
    reads = new ReadStore(vertx, Path.of(cfg.db().path()));
    hub = new SseHub(vertx, reads, cfg.stream());
    Sessions sessions = new Sessions(vertx, cfg.web().token());
    TokenAuth readAuth = TokenAuth.required(cfg.web().token(), "web.token", sessions);
    dashboard = new Dashboard(vertx, cfg, cfg.web().token(), reads, readAuth, sessions, Dashboard.Mode.EMBEDDED, null);
    TokenAuth ingestAuth = TokenAuth.optional(cfg.ingest().token());

    Router api = Router.router(vertx);
    String scope = Path.of(cfg.db().path()).toAbsolutePath().toString();
    api.route().subRouter(IngestRoutes.router(vertx, new Ingestor(vertx, cfg), ingestAuth, cfg.ingest(), scope));
    api.route().subRouter(QueryRoutes.router(vertx, reads, readAuth));
    api.route().subRouter(IssueRoutes.router(vertx, reads, readAuth));
    api.route().subRouter(StreamRoutes.router(vertx, hub, readAuth));
    api.route().subRouter(AdminRoutes.router(vertx, reads, Path.of(cfg.db().path()), readAuth,
        dev.spark.config.AgentConfig.fromJson(cfg.json())));
    dashboard.mountApi(api);

    root = guarded(vertx, cfg);
    root.route("/api/v1/*").subRouter(api);
    root.route().subRouter(HealthRoutes.router(vertx, reads, hub, () -> IngestRoutes.inFlight(vertx, scope)));
    root.route().subRouter(dashboard.router());
    errorHandlers(root);

    server = vertx.createHttpServer(HttpLimits.options(cfg.web()));
    limits = HttpLimits.install(vertx, server, cfg.web(), root);
    return hub.start()
        .compose(v -> server.listen())
        .onSuccess(s -> LOG.fine("HTTP listening on " + cfg.web().host() + ":" + s.actualPort()));
  }

  @Override
  public Future<?> stop() {
    // Streams end first; then requests already in flight get a few seconds to be answered.
    limits.stop();
    return hub.stop().compose(v -> server.shutdown(5, TimeUnit.SECONDS)).compose(v -> dashboard.close()).compose(v -> reads.close());
  }

  /** Every route this server serves (AccessControlTest walks it to check each one has an entry in its table). */
  Router routes() {
    return root;
  }

  /** A root router whose first handler is the {@link RequestGuard}: every route added to it after gets the guard. */
  static Router guarded(io.vertx.core.Vertx vertx, SparkConfig cfg) {
    Router root = Router.router(vertx);
    root.route().handler(new RequestGuard(cfg));
    return root;
  }

  /** Every failure status gets Spark's JSON error (Vert.x would log an unhandled one with its stack trace). */
  static void errorHandlers(Router root) {
    for (int status = 400; status < 600; status++) {
      int s = status;
      root.errorHandler(s, ctx -> failure(ctx, s));
    }
  }

  /** A client that went away mid-request, or sent broken framing: nothing of ours to fix, so FINE. */
  static void endedEarly(RoutingContext ctx, Throwable e) {
    LOG.fine(() -> "Request " + ctx.request().path() + " ended early: " + e);
    if (!ctx.response().ended() && !ctx.response().closed()) {
      ctx.response().putHeader("Connection", "close").endHandler(v -> ctx.request().connection().close());
      ApiResponses.error(ctx, 400, "invalid_input", "The request ended early or its framing is broken; nothing was done");
    }
  }

  static void failure(RoutingContext ctx, int status) {
    if (ctx.failure() != null && clientGone(ctx.failure())) {
      endedEarly(ctx, ctx.failure());
      return;
    }
    String message = switch (status) {
      case 404 -> "No such endpoint: " + ctx.request().method() + " " + ctx.request().path();
      case 405 -> "Method " + ctx.request().method() + " is not allowed on " + ctx.request().path();
      case 413 -> BodyLimit.tooLarge(ctx);
      default -> ctx.failure() != null && status < 500 ? dev.spark.event.InputText.echo(ctx.failure().getMessage()) : "Request failed";
    };
    if (status >= 500 && ctx.failure() != null) LOG.warning("Request " + ctx.request().path() + " failed: " + ctx.failure());
    if (status < 500 && message.length() > 300) message = message.substring(0, 300) + "…";
    ApiResponses.error(ctx, status, ApiResponses.codeFor(status), message);
  }

  /** True for the ways a connection ends under a request: closed, reset, or its bytes not HTTP. */
  static boolean clientGone(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String name = t.getClass().getName();
      if (t instanceof java.io.IOException || t instanceof io.vertx.core.http.HttpClosedException
          || name.startsWith("io.netty.handler.codec.") || t instanceof NumberFormatException || String.valueOf(t.getMessage()).contains("onnection was closed")) {
        return true;
      }
      if (t.getCause() == t) break;
    }
    return false;
  }
}
