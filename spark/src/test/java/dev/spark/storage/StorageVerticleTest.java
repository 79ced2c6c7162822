package dev.spark.storage;

import dev.spark.bus.Addresses;
import dev.spark.bus.FixOp;
import dev.spark.bus.AlertOp;
import dev.spark.bus.OutboxOp;
import dev.spark.bus.RetentionOp;
import dev.spark.bus.WriteRequest;
import dev.spark.bus.WriteResult;
import dev.spark.event.AccessRow;
import dev.spark.event.EventBatch;
import dev.spark.event.EventRow;
import dev.spark.support.AloneVerticles;
import dev.spark.support.DbFile;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
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
import java.time.Clock;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The storage verticle alone on a real SQLite file: its bus contract, request by request. */
@ExtendWith(VertxExtension.class)
class StorageVerticleTest {
  @TempDir
  Path dir;

  private Future<String> deploy(Vertx vertx, JsonObject overrides) {
    return AloneVerticles.deploy(vertx, new StorageVerticle(Clock.systemUTC()), AloneVerticles.config(dir.resolve("spark.db"), overrides));
  }

  static EventRow event(String message, String timestamp) {
    return new EventRow("server-error", null, timestamp, "test", null, null, 500,
        new JsonObject().put("error", new JsonObject().put("message", message)).encode(), "fp-" + message, null);
  }

  static AccessRow access(String path, String timestamp) {
    return new AccessRow(timestamp, "GET", path, 200, 5.0, "127.0.0.1", null, null, null, null, null);
  }

  @Test
  void aWriteIsAnsweredWithItsIdsOnceCommittedPublishedAsStoredAndConsumedOnceAnAgentListens(Vertx vertx, VertxTestContext ctx) {
    Checkpoint published = ctx.checkpoint();
    Checkpoint answered = ctx.checkpoint();
    Checkpoint consumed = ctx.checkpoint();
    deploy(vertx, null).onComplete(ctx.succeeding(id -> {
      vertx.eventBus().<EventBatch>localConsumer(Addresses.EVENTS_STORED, m -> ctx.verify(() -> {
        assertEquals(List.of("fp-a", "fp-b"), m.body().events().stream().map(e -> e.fingerprint()).toList());
        published.flag();
      }));
      vertx.eventBus().<WriteResult>request(Addresses.STORAGE_WRITE,
              new WriteRequest.Events(List.of(event("a", "2026-11-24T10:00:00.000Z"), event("b", "2026-11-24T10:00:01.000Z"))))
          .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
            assertArrayEquals(new long[] {1, 2}, reply.body().ids());
            assertEquals(2, DbFile.count(dir.resolve("spark.db"), "SELECT count(*) FROM events"), "committed before the answer");
            answered.flag();
          })))
          .compose(v -> {
            // An agent listening now: the two pending events are drained in one batch.
            Promise<EventBatch> batch = Promise.promise();
            vertx.eventBus().<EventBatch>localConsumer(Addresses.EVENTS_BATCH, m -> batch.tryComplete(m.body()));
            AgentFeed.of(vertx).subscribers(List.of());
            return batch.future();
          })
          .onComplete(ctx.succeeding(batch -> ctx.verify(() -> {
            assertEquals(2, batch.consumed());
            assertEquals(2, batch.events().size(), "two issues, each delivered once");
            assertEquals("new", batch.events().get(0).issue().kind());
            consumed.flag();
          })));
    }));
  }

  @Test
  void accessRowsAreWrittenAndTheQueueBoundRefusesWhatDoesNotFit(Vertx vertx, VertxTestContext ctx) {
    Checkpoint written = ctx.checkpoint();
    Checkpoint stats = ctx.checkpoint();
    deploy(vertx, new JsonObject().put("storage", new JsonObject().put("queueCapacity", 1000)))
        .compose(id -> vertx.eventBus().<WriteResult>request(Addresses.STORAGE_WRITE,
            new WriteRequest.Access(List.of(access("/a", "2026-11-24T10:00:00.000Z"), access("/b", "2026-11-24T10:00:00.000Z")))))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          assertEquals(2, reply.body().ids().length);
          written.flag();
        })))
        .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.STORAGE_STATS, null))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          JsonObject s = reply.body();
          assertEquals(dir.resolve("spark.db").toAbsolutePath().toString(), s.getString("path"));
          assertEquals(2, s.getLong("committedRows"));
          assertEquals(1000, s.getInteger("queueCapacity"));
          assertEquals(0, s.getInteger("queueRows"));
          stats.flag();
        })));
  }

  @Test
  void issueStatusAnswersTheIssueAfterTheChangeAnd404And400ForWhatItCannotDo(Vertx vertx, VertxTestContext ctx) {
    Checkpoint badRequest = ctx.checkpoint();
    Checkpoint unknown = ctx.checkpoint();
    Checkpoint resolved = ctx.checkpoint();
    deploy(vertx, null).onComplete(ctx.succeeding(id -> {
      vertx.eventBus().request(Addresses.ISSUE_STATUS, new JsonObject().put("fingerprint", "fp-a").put("action", "delete"))
          .onComplete(ctx.failing(e -> ctx.verify(() -> {
            assertEquals(400, assertInstanceOf(ReplyException.class, e).failureCode());
            badRequest.flag();
          })));
      vertx.eventBus().request(Addresses.ISSUE_STATUS, new JsonObject().put("fingerprint", "fp-nothing").put("action", "mute"))
          .onComplete(ctx.failing(e -> ctx.verify(() -> {
            assertEquals(404, assertInstanceOf(ReplyException.class, e).failureCode());
            assertTrue(e.getMessage().contains("fp-nothing"), e.getMessage());
            unknown.flag();
          })));
      vertx.eventBus().request(Addresses.STORAGE_WRITE, new WriteRequest.Events(List.of(event("a", "2026-11-24T10:00:00.000Z"))))
          .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.ISSUE_STATUS,
              new JsonObject().put("fingerprint", "fp-a").put("action", "resolve")))
          .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
            assertEquals("resolved", reply.body().getString("status"));
            assertEquals(1, reply.body().getLong("resolvedThroughEventId"));
            resolved.flag();
          })));
    }));
  }

  @Test
  void maintenanceOperationsAreAnsweredWithTheirTypedReplies(Vertx vertx, VertxTestContext ctx) {
    Checkpoint sizes = ctx.checkpoint();
    Checkpoint meta = ctx.checkpoint();
    Checkpoint deleted = ctx.checkpoint();
    deploy(vertx, null)
        .compose(id -> vertx.eventBus().<RetentionOp.Sizes>request(Addresses.STORAGE_MAINTAIN, new RetentionOp.MeasureSizes()))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          assertTrue(reply.body().usedBytes() > 0 && reply.body().fileBytes() > 0, reply.body().toString());
          sizes.flag();
        })))
        .compose(v -> vertx.eventBus().<RetentionOp.MetaStored>request(Addresses.STORAGE_MAINTAIN,
            new RetentionOp.PutMeta("test_key", new JsonObject().put("n", 7))))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          assertEquals("test_key", reply.body().key());
          assertEquals(1, DbFile.count(dir.resolve("spark.db"),
              "SELECT count(*) FROM spark_meta WHERE key = 'test_key' AND value = '{\"n\":7}'"));
          meta.flag();
        })))
        .compose(v -> vertx.eventBus().request(Addresses.STORAGE_WRITE, new WriteRequest.Access(List.of(
            access("/1", "2026-11-24T10:00:00.000Z"), access("/2", "2026-11-24T10:00:01.000Z"), access("/3", "2026-11-24T10:00:02.000Z")))))
        .compose(v -> vertx.eventBus().<RetentionOp.Deleted>request(Addresses.STORAGE_MAINTAIN, new RetentionOp.DeleteOldestAccess(2)))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          assertEquals(2, reply.body().rows());
          assertEquals(3, DbFile.count(dir.resolve("spark.db"), "SELECT min(id) FROM access_logs"), "the oldest went");
          deleted.flag();
        })));
  }

  @Test
  void maintenanceRefusesAnythingButARetentionOpWith400(Vertx vertx, VertxTestContext ctx) {
    Checkpoint refused = ctx.checkpoint();
    deploy(vertx, null)
        .compose(id -> vertx.eventBus().request(Addresses.STORAGE_MAINTAIN, new JsonObject().put("op", "vacuum")))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertEquals(400, assertInstanceOf(ReplyException.class, e).failureCode());
          assertTrue(e.getMessage().contains("RetentionOp"), e.getMessage());
          refused.flag();
        })));
  }

  @Test
  void fixRecordsRefuseTheOldJsonActionsWith400AndAnswerFixOpsWithTypedReplies(Vertx vertx, VertxTestContext ctx) {
    Checkpoint refused = ctx.checkpoint();
    Checkpoint missing = ctx.checkpoint();
    Checkpoint listed = ctx.checkpoint();
    deploy(vertx, null).onComplete(ctx.succeeding(id -> {
      vertx.eventBus().request(Addresses.STORAGE_FIXES, new JsonObject().put("action", "list"))
          .onComplete(ctx.failing(e -> ctx.verify(() -> {
            assertEquals(400, assertInstanceOf(ReplyException.class, e).failureCode(), "an untyped request is refused");
            assertTrue(e.getMessage().contains("FixOp"), e.getMessage());
            refused.flag();
          })));
      vertx.eventBus().request(Addresses.STORAGE_FIXES, new FixOp.Get(42))
          .onComplete(ctx.failing(e -> ctx.verify(() -> {
            assertEquals(404, assertInstanceOf(ReplyException.class, e).failureCode());
            missing.flag();
          })));
      vertx.eventBus().<FixOp.Fixes>request(Addresses.STORAGE_FIXES, new FixOp.Record(new JsonObject().put("fingerprint", "fp")
              .put("events", new JsonArray().add(1)).put("status", "no-change"), null))
          .compose(r -> vertx.eventBus().<FixOp.Fixes>request(Addresses.STORAGE_FIXES, new FixOp.Find("no-change", "fp", 10)))
          .map(Message::body)
          .onComplete(ctx.succeeding(found -> ctx.verify(() -> {
            assertEquals(1, found.fixes().size());
            assertEquals("fp", found.fixes().getJsonObject(0).getString("fingerprint"));
            assertEquals(found.fixes(), found.toJson().getJsonArray("fixes"), "as GET /api/v1/fixes shows it");
            listed.flag();
          })));
    }));
  }

  @Test
  void theOutboxRefusesARequestItCannotReadAndListsNothingForAStranger(Vertx vertx, VertxTestContext ctx) {
    Checkpoint refused = ctx.checkpoint();
    Checkpoint listed = ctx.checkpoint();
    deploy(vertx, null).onComplete(ctx.succeeding(id -> {
      vertx.eventBus().request(Addresses.STORAGE_OUTBOX, new JsonObject().put("action", "release").put("subscriber", "x"))
          .onComplete(ctx.failing(e -> ctx.verify(() -> {
            assertEquals(400, assertInstanceOf(ReplyException.class, e).failureCode(), "an untyped request is refused");
            refused.flag();
          })));
      vertx.eventBus().<OutboxOp.Held>request(Addresses.STORAGE_OUTBOX, new OutboxOp.ListHeld("x"))
          .map(Message::body)
          .onComplete(ctx.succeeding(body -> ctx.verify(() -> {
            assertEquals(List.of(), body.batches());
            listed.flag();
          })));
    }));
  }

  @Test
  void theAlertOutboxRefusesAnythingButAnAlertOpWith400AndAnswersTypedReplies(Vertx vertx, VertxTestContext ctx) {
    Checkpoint refused = ctx.checkpoint();
    Checkpoint listed = ctx.checkpoint();
    Checkpoint recorded = ctx.checkpoint();
    deploy(vertx, null).onComplete(ctx.succeeding(id -> {
      vertx.eventBus().request(Addresses.STORAGE_ALERTS, new JsonObject().put("action", "due").put("limit", 5))
          .onComplete(ctx.failing(e -> ctx.verify(() -> {
            assertEquals(400, assertInstanceOf(ReplyException.class, e).failureCode(), "the old JSON action is refused");
            assertTrue(e.getMessage().contains("AlertOp"), e.getMessage());
            refused.flag();
          })));
      vertx.eventBus().<AlertOp.Due>request(Addresses.STORAGE_ALERTS, new AlertOp.ListDue(System.currentTimeMillis(), 5, Set.of()))
          .map(Message::body)
          .onComplete(ctx.succeeding(due -> ctx.verify(() -> {
            assertEquals(List.of(), due.deliveries());
            assertNull(due.nextAt());
            listed.flag();
          })));
      vertx.eventBus().<AlertOp.Recorded>request(Addresses.STORAGE_ALERTS, new AlertOp.RecordAttempt(42, true, false, null, 0, 3))
          .map(Message::body)
          .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertEquals(new AlertOp.Recorded("gone", 0), r, "no such row: nothing recorded");
            recorded.flag();
          })));
    }));
  }
}
