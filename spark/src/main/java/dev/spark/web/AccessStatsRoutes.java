package dev.spark.web;

import dev.spark.query.AccessStatsApi;
import dev.spark.query.DashboardReads;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * Access-log analytics for the dashboard, the CLI and agents.
 *
 * <ul>
 *   <li>{@code GET /access/stats}: per route (method and path) in the window: requests, server errors
 *   (status 500 and up), client errors, error rate, p50/p95/p99 and mean duration (nearest rank:
 *   the smallest duration with at least p% of the timed requests at or below it), busiest first;
 *   plus the same over all routes.</li>
 *   <li>{@code GET /access/timeline}: requests and server errors per minute.</li>
 * </ul>
 * The window is {@code since} (default: an hour ago) to {@code until} (default: now); the other
 * parameters are the access query's ({@code status}, {@code feature}, {@code path}, {@code method},
 * {@code requestId}).
 */
public final class AccessStatsRoutes {
  private AccessStatsRoutes() {}

  public static Router router(Vertx vertx, DashboardReads reads, TokenAuth auth) {
    Router router = Router.router(vertx);
    router.get("/access/stats").handler(auth).handler(ctx -> QueryRoutes.answer(ctx, q -> AccessStatsApi.stats(reads, q)));
    router.get("/access/timeline").handler(auth).handler(ctx -> QueryRoutes.answer(ctx, q -> AccessStatsApi.timeline(reads, q)));
    return router;
  }
}
