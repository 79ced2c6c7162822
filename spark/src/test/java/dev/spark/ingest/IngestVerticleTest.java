package dev.spark.ingest;

import dev.spark.bus.Addresses;
import dev.spark.event.EventBatch;
import dev.spark.event.EventType;
import dev.spark.event.SparkEvent;
import dev.spark.support.AloneVerticles;
import dev.spark.support.DbFile;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ingest verticle with only storage under it, on a real SQLite file: its bus entry points. */
@ExtendWith(VertxExtension.class)
class IngestVerticleTest {
  @TempDir
  Path dir;

  private Path db() {
    return dir.resolve("spark.db");
  }

  private JsonObject config() {
    return AloneVerticles.config(db(), null);
  }

  @Test
  void aRequestedEventIsAnsweredWithItsCommittedIdAndStoredWithItsIssue(Vertx vertx, VertxTestContext ctx) {
    Checkpoint stored = ctx.checkpoint();
    Checkpoint answered = ctx.checkpoint();
    AloneVerticles.withStorage(vertx, config(), new IngestVerticle()).onComplete(ctx.succeeding(id -> {
      vertx.eventBus().<EventBatch>localConsumer(Addresses.EVENTS_STORED, m -> ctx.verify(() -> {
        assertEquals(1, m.body().events().size());
        assertNotNull(m.body().events().get(0).fingerprint(), "ingest gives every error its issue");
        assertEquals("test", m.body().events().get(0).row().environment(), "filled from config");
        stored.flag();
      }));
      vertx.eventBus().<JsonObject>request(Addresses.INGEST_EVENT, new JsonObject().put("type", "server-error")
              .put("error", new JsonObject().put("message", "Connection refused")))
          .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
            assertEquals(new JsonObject().put("ids", new JsonArray().add(1)).put("stored", 1).put("ignored", 0), reply.body());
            assertEquals(1, DbFile.count(db(), "SELECT count(*) FROM events WHERE data LIKE '%Connection refused%'"));
            answered.flag();
          })));
    }));
  }

  @Test
  void aSentEventObjectIsStoredWithoutAnAnswer(Vertx vertx, VertxTestContext ctx) {
    Checkpoint stored = ctx.checkpoint();
    AloneVerticles.withStorage(vertx, config(), new IngestVerticle()).onComplete(ctx.succeeding(id -> {
      vertx.eventBus().<EventBatch>localConsumer(Addresses.EVENTS_STORED, m -> ctx.verify(() -> {
        assertEquals("unhandled-error", m.body().events().get(0).row().type());
        stored.flag();
      }));
      vertx.eventBus().send(Addresses.INGEST_EVENT, SparkEvent.of(EventType.UNHANDLED_ERROR, "sent, not requested"));
    }));
  }

  @Test
  void accessLogsInABatchAreStoredTogetherAndABadOneRefusesTheBatchWith400(Vertx vertx, VertxTestContext ctx) {
    Checkpoint stored = ctx.checkpoint();
    Checkpoint refused = ctx.checkpoint();
    JsonObject ok = new JsonObject().put("method", "GET").put("path", "/ok").put("status", 200);
    AloneVerticles.withStorage(vertx, config(), new IngestVerticle())
        .compose(id -> vertx.eventBus().<JsonObject>request(Addresses.INGEST_ACCESS, new JsonArray().add(ok).add(ok.copy().put("path", "/two"))))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          assertEquals(2, reply.body().getInteger("stored"));
          assertEquals(2, DbFile.count(db(), "SELECT count(*) FROM access_logs"));
          stored.flag();
        })))
        .compose(v -> vertx.eventBus().request(Addresses.INGEST_ACCESS, new JsonArray().add(ok)
            .add(new JsonObject().put("method", "GET").put("path", "/bad").put("status", "two hundred"))))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertEquals(400, assertInstanceOf(ReplyException.class, e).failureCode());
          assertTrue(e.getMessage().startsWith("[1].status"), e.getMessage());
          assertEquals(2, DbFile.count(db(), "SELECT count(*) FROM access_logs"), "nothing of the bad batch");
          refused.flag();
        })));
  }

  @Test
  void withoutStorageARequestGets503SayingNothingWasStored(Vertx vertx, VertxTestContext ctx) {
    Checkpoint refused = ctx.checkpoint();
    AloneVerticles.deploy(vertx, new IngestVerticle(), config())
        .compose(id -> vertx.eventBus().request(Addresses.INGEST_EVENT, new JsonObject().put("type", "server-error")
            .put("error", new JsonObject().put("message", "nobody home"))))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertEquals(503, assertInstanceOf(ReplyException.class, e).failureCode());
          assertTrue(e.getMessage().contains("nothing was stored"), e.getMessage());
          refused.flag();
        })));
  }
}
