package dev.spark.web;

import dev.spark.metrics.SparkMetrics;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * {@code GET /metrics}: Prometheus text format, behind the web token like every read (Prometheus:
 * {@code authorization: {credentials: <token>}}). The gauges read from the database (rows, pending
 * events, file size) are refreshed just before each scrape.
 */
final class MetricsRoutes {
  private MetricsRoutes() {}

  static Router router(Dashboard d) {
    SparkMetrics metrics = SparkMetrics.of(d.vertx);
    Router router = Router.router(d.vertx);
    router.get("/metrics").handler(d.auth).handler(ctx -> refresh(d, metrics).onComplete(ar -> ctx.next()))
        .handler(PrometheusScrapingHandler.create(metrics.registry()));
    return router;
  }

  /** Reads row counts and the file size into the gauges; a failed read leaves the last values. */
  static Future<Void> refresh(Dashboard d, SparkMetrics metrics) {
    Future<JsonObject> counts = d.reads.counts();
    Future<JsonObject> sizes = d.dashboardReads.fileSizes();
    return Future.all(counts, sizes).map(v -> {
      JsonObject c = counts.result();
      JsonObject s = sizes.result();
      metrics.database(orZero(c.getLong("events")), orZero(c.getLong("pendingEvents")), orZero(c.getLong("accessLogs")),
          s.getLong("fileBytes") + s.getLong("walBytes"));
      return (Void) null;
    }).recover(e -> Future.succeededFuture());
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }
}
