package dev.spark.web;

import dev.spark.bus.EventBusCodecs;
import dev.spark.config.AgentConfig;
import dev.spark.config.SparkConfig;
import dev.spark.ingest.Ingestor;
import dev.spark.ingest.sentry.SentryIngest;
import dev.spark.ingest.sentry.SentryKeys;
import dev.spark.metrics.SparkMetrics;
import dev.spark.query.ReadStore;
import dev.spark.stream.SseHub;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import dev.spark.config.AlertsConfig;

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

    Ingestor ingestor = new Ingestor(vertx, cfg);
    String scope = Path.of(cfg.db().path()).toAbsolutePath().toString();
    SentryKeys sentryKeys = new SentryKeys(cfg.ingest().token());
    root = SparkRouter.withIngest(vertx, cfg, r -> IngestRoutes.mount(r, SparkRouter.API, vertx, ingestor, ingestAuth, cfg.ingest(), scope))
        .readApi(vertx, reads, hub, readAuth)
        .api(AlertRoutes.router(vertx, AlertsConfig.fromJson(cfg.json(), System.getenv()), reads, readAuth))
        .api(AdminRoutes.router(vertx, reads, Path.of(cfg.db().path()), readAuth, AgentConfig.fromJson(cfg.json())))
        .root(SentryRoutes.router(vertx, new SentryIngest(ingestor, sentryKeys, SparkMetrics.of(vertx)), sentryKeys, cfg.ingest(), scope))
        .root(HealthRoutes.router(vertx, reads, hub, () -> IngestRoutes.inFlight(vertx, scope)))
        .build(dashboard);

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
}
