package dev.spark.web;

import dev.spark.bus.Addresses;
import dev.spark.metrics.SparkMetrics;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * What the dashboard's health view and live feed poll.
 *
 * <ul>
 *   <li>{@code GET /dashboard/summary}: Spark's own health: database size against
 *   {@code db.cleanup.maxSizeMB}, row counts, pending events, the last cleanup report, the storage
 *   queue and connected subscribers (embedded mode), the row follower (sidecar mode).</li>
 *   <li>{@code GET /dashboard/pending?after=N}: ids of the events after N still pending, so the feed
 *   can show when an agent consumes them.</li>
 * </ul>
 */
final class DashboardApiRoutes {
  private static final DeliveryOptions QUICK = new DeliveryOptions().setSendTimeout(2_000);
  private static final int MAX_PENDING_IDS = 1_000;

  private DashboardApiRoutes() {}

  static Router router(Dashboard d) {
    Router router = Router.router(d.vertx);
    router.get("/dashboard/summary").handler(d.auth).handler(ctx -> QueryRoutes.answer(ctx, q -> summary(d)));
    router.get("/dashboard/pending").handler(d.auth).handler(ctx -> QueryRoutes.answer(ctx, q -> {
      long after = orZero(q.integer("after", 0, Long.MAX_VALUE));
      return d.dashboardReads.pendingIds(after, MAX_PENDING_IDS)
          .map(ids -> new JsonObject().put("after", after).put("ids", ids).put("complete", ids.size() < MAX_PENDING_IDS));
    }));
    return router;
  }

  private static Future<JsonObject> summary(Dashboard d) {
    SparkMetrics metrics = SparkMetrics.of(d.vertx);
    Future<JsonObject> counts = d.reads.counts();
    Future<JsonObject> sizes = d.dashboardReads.fileSizes();
    Future<JsonObject> cleanup = d.reads.meta("last_cleanup");
    boolean embedded = d.mode == Dashboard.Mode.EMBEDDED;
    Future<JsonObject> storage = embedded ? ask(d, Addresses.STORAGE_STATS) : Future.succeededFuture();
    Future<JsonObject> poller = embedded ? ask(d, Addresses.POLLER_STATS) : Future.succeededFuture();
    return Future.join(counts, sizes, cleanup, storage, poller).transform(ignored -> {
      if (counts.failed()) return Future.failedFuture(counts.cause());
      JsonObject c = counts.result();
      long maxBytes = d.cfg.db().cleanup().maxSizeMB() * 1024 * 1024;
      JsonObject db = new JsonObject().put("maxSizeMB", d.cfg.db().cleanup().maxSizeMB()).put("maxBytes", maxBytes);
      if (sizes.succeeded()) {
        long total = sizes.result().getLong("fileBytes") + sizes.result().getLong("walBytes");
        db.mergeIn(sizes.result()).put("totalBytes", total).put("usedPercent", Math.round(total * 1000.0 / maxBytes) / 10.0);
        metrics.database(orZero(c.getLong("events")), orZero(c.getLong("pendingEvents")), orZero(c.getLong("accessLogs")), total);
      }
      JsonObject body = new JsonObject()
          .put("mode", d.mode.wire())
          .put("environment", d.cfg.environment())
          .put("db", db)
          .put("rows", new JsonObject().put("events", c.getValue("events")).put("pendingEvents", c.getValue("pendingEvents"))
              .put("accessLogs", c.getValue("accessLogs")).put("lastEventId", c.getValue("lastEventId")))
          .put("lastCleanup", cleanup.succeeded() ? cleanup.result() : null)
          .put("metrics", new JsonObject().put("vertx", metrics.includesVertxMetrics()));
      JsonObject subscribers = new JsonObject().put("observers", metrics.observers());
      if (embedded) {
        body.put("storage", storage.succeeded() ? storage.result() : new JsonObject().put("status", "DOWN")
            .put("reason", String.valueOf(storage.cause().getMessage())));
        subscribers.put("agents", poller.succeeded() ? poller.result().getValue("agents") : null);
        if (poller.succeeded()) body.put("poller", poller.result());
      } else {
        body.put("storage", null).put("storageNote", "The writer runs in another process; this sidecar only reads the file.");
        subscribers.put("agents", null);
        if (d.followerStats != null) body.put("follower", d.followerStats.get());
      }
      body.put("subscribers", subscribers);
      return Future.succeededFuture(body);
    });
  }

  private static Future<JsonObject> ask(Dashboard d, String address) {
    return d.vertx.eventBus().<JsonObject>request(address, new JsonObject(), QUICK).map(Message::body);
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }
}
