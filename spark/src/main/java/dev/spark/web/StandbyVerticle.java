package dev.spark.web;

import dev.spark.config.SparkConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

import java.util.logging.Logger;

/**
 * What a standby Spark serves on its HTTP port while another Spark in the cluster holds the writer lock:
 * {@code GET /health} answers 503 with {@code "role": "standby"} (it takes no ingest and serves no data,
 * so a load balancer keeps traffic on the writer); every other path answers 503 saying so. Replaced by
 * the full {@link WebVerticle} when this Spark takes over. A port already in use is logged, not fatal:
 * the standby keeps waiting for the lock.
 */
public final class StandbyVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(StandbyVerticle.class.getName());
  static final String REASON = "Standby: another Spark in the cluster holds the writer lock; this one takes over when it leaves";

  private HttpServer server;

  @Override
  public Future<?> start() {
    SparkConfig cfg = SparkConfig.fromJson(config());
    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> ApiResponses.json(ctx, 503, body()));
    router.route().handler(ctx -> ApiResponses.error(ctx, 503, ApiResponses.codeFor(503), REASON));
    server = vertx.createHttpServer(HttpLimits.options(cfg.web())).requestHandler(router);
    return server.listen()
        .onSuccess(s -> LOG.info("Standby: /health on http://" + cfg.web().host() + ":" + s.actualPort()))
        .recover(err -> {
          LOG.warning("Standby: no HTTP on " + cfg.web().host() + ":" + cfg.web().port() + " (" + err.getMessage() + ")");
          server = null;
          return Future.succeededFuture();
        });
  }

  static JsonObject body() {
    return new JsonObject().put("status", "STANDBY").put("role", "standby").put("reason", REASON);
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
