package dev.spark.web;

import dev.spark.bus.Addresses;
import dev.spark.metrics.SparkMetrics;
import dev.spark.query.ReadStore;
import dev.spark.stream.SseHub;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

import java.util.function.Supplier;

/**
 * {@code GET /health}: 200 with {"status": "UP"} when the database answers a read, the storage and
 * poller verticles answer on the bus and storage can write; 503 with the failing part named and a
 * top-level {@code reason} otherwise. {@code role} is "writer" (a standby answers from {@link StandbyVerticle}).
 */
public final class HealthRoutes {
  private static final DeliveryOptions QUICK = new DeliveryOptions().setSendTimeout(2_000);

  private HealthRoutes() {}

  /** @param ingest the ingest bodies in flight and stalled ({@link IngestRoutes#inFlight}) */
  public static Router router(Vertx vertx, ReadStore reads, SseHub hub, Supplier<JsonObject> ingest) {
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
            .put("stream", stream(vertx, poller, hub))
            .put("ingest", ingest.get());
        String writeError = storage.succeeded() ? storage.result().getString("writeError") : null;
        boolean up = db.succeeded() && storage.succeeded() && poller.succeeded()
            && !storage.result().getBoolean("closing", false) && writeError == null;
        body.put("status", up ? "UP" : "DOWN").put("role", "writer");
        if (writeError != null) {
          body.put("reason", "Storage cannot write the database since " + storage.result().getString("writeErrorSince") + ": "
              + writeError + ". Ingest answers 503 until it can; Spark retries every second by itself.");
          body.getJsonObject("storage").put("status", "DOWN");
        } else if (!up) {
          body.put("reason", firstDown(body));
        }
        ApiResponses.json(ctx, up ? 200 : 503, body);
      });
    });
    return router;
  }

  /**
   * Subscribers of the whole process, whichever web instance answers: agents as the poller counts them
   * (SSE and event-bus), observers from the metrics every instance's hub updates; plus this instance's own.
   */
  private static JsonObject stream(Vertx vertx, Future<JsonObject> poller, SseHub hub) {
    JsonObject stream = new JsonObject()
        .put("agents", poller.succeeded() ? poller.result().getInteger("agents") : null)
        .put("observers", SparkMetrics.of(vertx).observers());
    return stream.put("thisInstance", new JsonObject().put("sseAgents", hub.agentCount()).put("observers", hub.observerCount()));
  }

  private static String firstDown(JsonObject body) {
    for (String name : new String[] {"db", "storage", "poller"}) {
      JsonObject part = body.getJsonObject(name);
      if (!"UP".equals(part.getString("status"))) return name + ": " + part.getString("reason", "down");
    }
    return "storage: shutting down";
  }

  private static JsonObject part(Future<JsonObject> f) {
    if (f.succeeded()) return f.result().copy().put("status", "UP");
    return new JsonObject().put("status", "DOWN").put("reason", String.valueOf(f.cause().getMessage()));
  }
}
