package dev.spark.web;

import dev.spark.Addresses;
import dev.spark.storage.ReadStore;
import dev.spark.stream.SseHub;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * {@code GET /health}: 200 with {"status": "UP"} when the database answers a read and the storage
 * and poller verticles answer on the bus; 503 with the failing part named otherwise.
 */
public final class HealthRoutes {
  private static final DeliveryOptions QUICK = new DeliveryOptions().setSendTimeout(2_000);

  private HealthRoutes() {}

  public static Router router(Vertx vertx, ReadStore reads, SseHub hub) {
    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> {
      Future<JsonObject> db = reads.counts();
      Future<JsonObject> storage = vertx.eventBus().<JsonObject>request(Addresses.STORAGE_STATS, new JsonObject(), QUICK).map(Message::body);
      Future<JsonObject> poller = vertx.eventBus().<JsonObject>request(Addresses.POLLER_STATS, new JsonObject(), QUICK).map(Message::body);
      Future.join(db, storage, poller).onComplete(ar -> {
        JsonObject body = new JsonObject()
            .put("db", part(db))
            .put("storage", part(storage))
            .put("poller", part(poller))
            .put("stream", new JsonObject().put("agents", hub.agentCount()).put("observers", hub.observerCount())
                .put("scope", "this web instance"));
        boolean up = db.succeeded() && storage.succeeded() && poller.succeeded()
            && !storage.result().getBoolean("closing", false);
        body.put("status", up ? "UP" : "DOWN");
        ApiResponses.json(ctx, up ? 200 : 503, body);
      });
    });
    return router;
  }

  private static JsonObject part(Future<JsonObject> f) {
    if (f.succeeded()) return f.result().copy().put("status", "UP");
    return new JsonObject().put("status", "DOWN").put("reason", String.valueOf(f.cause().getMessage()));
  }
}
