package dev.spark.stream;

import dev.spark.bus.Addresses;
import dev.spark.bus.OutboxOp;
import dev.spark.bus.WriteRequest;
import dev.spark.event.EventBatch;
import dev.spark.event.EventRow;
import dev.spark.support.AloneVerticles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * The poller with only storage under it, on a real SQLite file: subscribers register and leave,
 * pending events wait for the first one, and consumed batches are published (and held for held ones).
 */
@ExtendWith(VertxExtension.class)
class PollerVerticleTest {
  @TempDir
  Path dir;

  private Future<String> deploy(Vertx vertx, JsonObject overrides) {
    return AloneVerticles.withStorage(vertx, AloneVerticles.config(dir.resolve("spark.db"), overrides), new PollerVerticle());
  }

  private static Future<?> store(Vertx vertx, String... messages) {
    List<EventRow> rows = new ArrayList<>();
    for (String m : messages) {
      rows.add(new EventRow("server-error", null, "2026-11-24T10:00:00.000Z", "test", null, null, 500,
          new JsonObject().put("error", new JsonObject().put("message", m)).encode(), "fp-" + m, null));
    }
    return vertx.eventBus().request(Addresses.STORAGE_WRITE, new WriteRequest.Events(rows));
  }

  private static List<String> messages(EventBatch batch) {
    return batch.events().stream().map(e -> new JsonObject(e.row().data()).getJsonObject("error").getString("message")).toList();
  }

  @Test
  void eventsStoredBeforeAnyAgentWaitAndAreDeliveredToTheFirstOneInOneBatch(Vertx vertx, VertxTestContext ctx) {
    Checkpoint delivered = ctx.checkpoint();
    Checkpoint counted = ctx.checkpoint();
    deploy(vertx, null).onComplete(ctx.succeeding(id -> {
      vertx.eventBus().<EventBatch>consumer(Addresses.EVENTS_BATCH, m -> ctx.verify(() -> {
        assertEquals(List.of("early", "also-early"), messages(m.body()), "nothing was consumed while no agent listened");
        assertEquals(2, m.body().consumed());
        delivered.flag();
        vertx.eventBus().<JsonObject>request(Addresses.POLLER_STATS, null).onComplete(ctx.succeeding(stats -> ctx.verify(() -> {
          assertEquals(1, stats.body().getInteger("batches"));
          assertEquals(2, stats.body().getLong("delivered"));
          assertEquals(2, stats.body().getLong("lastDeliveredId"));
          counted.flag();
        })));
      }));
      store(vertx, "early", "also-early")
          .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.SUBSCRIBER_REGISTER, new JsonObject().put("id", "agent-1")))
          .onComplete(ctx.succeeding(reply -> ctx.verify(() -> assertEquals(1, reply.body().getInteger("agents")))));
    }));
  }

  @Test
  void withFloodControlEachIssueIsDeliveredOncePerBatchAndTheRestConsumed(Vertx vertx, VertxTestContext ctx) {
    Checkpoint delivered = ctx.checkpoint();
    deploy(vertx, new JsonObject().put("issues", new JsonObject().put("floodControl", true))).onComplete(ctx.succeeding(id -> {
      vertx.eventBus().<EventBatch>consumer(Addresses.EVENTS_BATCH, m -> ctx.verify(() -> {
        assertEquals(List.of("same", "other"), messages(m.body()));
        assertEquals(4, m.body().consumed());
        assertEquals(3, m.body().events().get(0).issue().inBatch());
        delivered.flag();
      }));
      store(vertx, "same", "same", "other", "same")
          .compose(v -> vertx.eventBus().request(Addresses.SUBSCRIBER_REGISTER, new JsonObject().put("id", "agent-1")))
          .onFailure(ctx::failNow);
    }));
  }

  @Test
  void aHeldSubscribersBatchIsKeptInTheOutboxUntilReleased(Vertx vertx, VertxTestContext ctx) {
    Checkpoint held = ctx.checkpoint();
    deploy(vertx, null).onComplete(ctx.succeeding(id -> {
      vertx.eventBus().<EventBatch>consumer(Addresses.EVENTS_BATCH, m -> vertx.eventBus()
          .<OutboxOp.Held>request(Addresses.STORAGE_OUTBOX, new OutboxOp.ListHeld("spark-agent"))
          .onComplete(ctx.succeeding(list -> ctx.verify(() -> {
            List<OutboxOp.HeldBatch> batches = list.body().batches();
            assertEquals(1, batches.size(), "recorded in the consuming transaction");
            assertEquals(m.body().events().get(0).id(), batches.get(0).firstId());
            held.flag();
          }))));
      vertx.eventBus().request(Addresses.SUBSCRIBER_REGISTER, new JsonObject().put("id", "spark-agent").put("held", true))
          .compose(v -> store(vertx, "kept"))
          .onFailure(ctx::failNow);
    }));
  }

  @Test
  void registeringNeedsAnIdAndUnregisteringCountsDown(Vertx vertx, VertxTestContext ctx) {
    Checkpoint refused = ctx.checkpoint();
    Checkpoint left = ctx.checkpoint();
    deploy(vertx, null).onComplete(ctx.succeeding(id -> {
      vertx.eventBus().request(Addresses.SUBSCRIBER_REGISTER, new JsonObject().put("id", " "))
          .onComplete(ctx.failing(e -> ctx.verify(() -> {
            assertEquals(400, assertInstanceOf(ReplyException.class, e).failureCode());
            refused.flag();
          })));
      vertx.eventBus().request(Addresses.SUBSCRIBER_REGISTER, new JsonObject().put("id", "a"))
          .compose(v -> vertx.eventBus().request(Addresses.SUBSCRIBER_REGISTER, new JsonObject().put("id", "b")))
          .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.SUBSCRIBER_UNREGISTER, new JsonObject().put("id", "a")))
          .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
            assertEquals(1, reply.body().getInteger("agents"));
            left.flag();
          })));
    }));
  }
}
