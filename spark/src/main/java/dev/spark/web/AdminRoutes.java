package dev.spark.web;

import dev.spark.bus.Addresses;
import dev.spark.config.AgentConfig;
import dev.spark.query.ReadStore;
import dev.spark.query.StatusReport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.nio.file.Path;

/**
 * {@code GET /status}: the database, its counts, the last event and cleanup, the storage queue.
 * {@code POST /admin/cleanup}: runs the janitor now and answers with its report.
 * {@code POST /admin/vacuum}: checkpoints and fully vacuums the database, answering with the sizes.
 */
public final class AdminRoutes {
  private static final DeliveryOptions SLOW = new DeliveryOptions().setSendTimeout(15 * 60_000);
  private static final DeliveryOptions QUICK = new DeliveryOptions().setSendTimeout(2_000);

  private AdminRoutes() {}

  public static Router router(Vertx vertx, ReadStore reads, Path dbPath, TokenAuth auth) {
    return router(vertx, reads, dbPath, auth, null);
  }

  /** With {@code agent}, the status also says whether a coding agent is attached, and if not why and how to fix it. */
  public static Router router(Vertx vertx, ReadStore reads, Path dbPath, TokenAuth auth, AgentConfig agent) {
    Router router = Router.router(vertx);
    router.get("/status").handler(auth).handler(ctx -> {
      Future<JsonObject> storage = vertx.eventBus().<JsonObject>request(Addresses.STORAGE_STATS, new JsonObject(), QUICK)
          .map(Message::body)
          .recover(e -> Future.succeededFuture(new JsonObject().put("status", "DOWN").put("reason", String.valueOf(e.getMessage()))));
      Future<JsonObject> report = storage.compose(stats -> StatusReport.build(reads, dbPath, stats));
      if (agent != null) {
        report = report.compose(r -> AgentRoutes.state(vertx, Dashboard.Mode.EMBEDDED, agent, false)
            .map(a -> r.put("agent", new JsonObject().put("state", a.getString("state")).put("available", a.getBoolean("available"))
                .put("reason", a.getString("reason")).put("fix", a.getString("fix")).put("pid", a.getValue("pid"))
                .put("restarts", a.getValue("restarts")).put("batches", a.getValue("batches"))))
            .recover(e -> Future.succeededFuture(r)));
      }
      reply(ctx, report);
    });
    router.post("/admin/cleanup").handler(auth).handler(ctx ->
        reply(ctx, vertx.eventBus().<JsonObject>request(Addresses.JANITOR_RUN, new JsonObject(), SLOW).map(Message::body)));
    router.post("/admin/vacuum").handler(auth).handler(ctx ->
        reply(ctx, vertx.eventBus().<JsonObject>request(Addresses.JANITOR_VACUUM, new JsonObject(), SLOW).map(Message::body)));
    return router;
  }

  private static void reply(RoutingContext ctx, Future<JsonObject> answer) {
    answer.onComplete(ar -> {
      if (ar.succeeded()) ApiResponses.json(ctx, 200, ar.result());
      else ApiResponses.error(ctx, 500, "internal_error", String.valueOf(ar.cause().getMessage()));
    });
  }
}
