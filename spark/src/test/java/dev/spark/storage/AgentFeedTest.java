package dev.spark.storage;

import dev.spark.bus.Addresses;
import dev.spark.bus.OutboxOp;
import dev.spark.bus.WriteRequest;
import dev.spark.bus.WriteResult;
import dev.spark.event.EventBatch;
import dev.spark.event.EventRow;
import dev.spark.event.StoredEvent;
import dev.spark.support.AloneVerticles;
import dev.spark.support.DbFile;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Storage's feed of agents, with the storage verticle alone on a real SQLite file: events stored
 * while an agent listens are consumed by the commit that stores them, a backlog is drained in
 * batches, batches are published in the order consumed, and a consume that fails costs no write.
 */
@ExtendWith(VertxExtension.class)
class AgentFeedTest {
  @TempDir
  Path dir;

  private Path file() {
    return dir.resolve("spark.db");
  }

  private Future<AgentFeed> deploy(Vertx vertx, int batchLimit) {
    JsonObject overrides = new JsonObject().put("stream", new JsonObject().put("batchLimit", batchLimit));
    return AloneVerticles.deploy(vertx, new StorageVerticle(Clock.systemUTC()), AloneVerticles.config(file(), overrides))
        .map(id -> assertNotNullFeed(AgentFeed.of(vertx)));
  }

  private static AgentFeed assertNotNullFeed(AgentFeed feed) {
    assertNotNull(feed, "storage registers its feed");
    return feed;
  }

  private static Future<long[]> store(Vertx vertx, int from, int count) {
    List<EventRow> rows = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      rows.add(new EventRow("server-error", null, "2026-11-24T10:00:00.000Z", "test", null, null, 500,
          new JsonObject().put("error", new JsonObject().put("message", "e" + i)).encode(), "fp-" + i, null));
    }
    return vertx.eventBus().<WriteResult>request(Addresses.STORAGE_WRITE, new WriteRequest.Events(rows)).map(m -> m.body().ids());
  }

  /** Answered by the writer after everything queued before it: every earlier drain has run and published. */
  private static Future<?> afterWriter(Vertx vertx) {
    return vertx.eventBus().request(Addresses.STORAGE_OUTBOX, new OutboxOp.ListHeld("nobody"));
  }

  private static Future<JsonObject> storageStats(Vertx vertx) {
    return vertx.eventBus().<JsonObject>request(Addresses.STORAGE_STATS, null).map(m -> m.body());
  }

  @Test
  void eventsStoredWhileAnAgentListensAreConsumedByTheCommitThatStoresThem(Vertx vertx, VertxTestContext ctx) {
    List<EventBatch> batches = new ArrayList<>();
    deploy(vertx, 500).onComplete(ctx.succeeding(feed -> {
      vertx.eventBus().<EventBatch>localConsumer(Addresses.EVENTS_BATCH, m -> batches.add(m.body()));
      feed.subscribers(List.of());
      afterWriter(vertx)
          .compose(v -> storageStats(vertx))
          .compose(before -> store(vertx, 1, 2).compose(ids -> storageStats(vertx).map(after -> {
            ctx.verify(() -> {
              assertEquals(before.getLong("commits") + 1, after.getLong("commits"), "stored and consumed by one commit");
              assertEquals(2, DbFile.count(file(), "SELECT count(*) FROM events WHERE consumed = 1 AND id IN (" + ids[0] + ", " + ids[1] + ")"),
                  "consumed when the write is acknowledged");
            });
            return ids;
          })))
          .compose(ids -> afterWriter(vertx).map(ids))
          .onComplete(ctx.succeeding(ids -> ctx.verify(() -> {
            assertEquals(1, batches.size());
            assertEquals(List.of(ids[0], ids[1]), batches.get(0).events().stream().map(StoredEvent::id).toList());
            assertEquals("new", batches.get(0).events().get(0).issue().kind());
            assertEquals(2, feed.stats().getLong("consumed"));
            ctx.completeNow();
          })));
    }));
  }

  @Test
  void nothingIsConsumedWhileNoAgentListensThenTheBacklogIsDrainedOnceInBatchesOfTheLimit(Vertx vertx, VertxTestContext ctx) {
    List<EventBatch> batches = new ArrayList<>();
    deploy(vertx, 2).onComplete(ctx.succeeding(feed -> {
      vertx.eventBus().<EventBatch>localConsumer(Addresses.EVENTS_BATCH, m -> batches.add(m.body()));
      store(vertx, 1, 5)
          .compose(ids -> afterWriter(vertx))
          .map(v -> {
            ctx.verify(() -> assertEquals(0, DbFile.count(file(), "SELECT count(*) FROM events WHERE consumed = 1"), "no agent, nothing consumed"));
            feed.subscribers(List.of());
            return v;
          })
          .compose(v -> afterWriter(vertx))
          .compose(v -> afterWriter(vertx))
          .compose(v -> afterWriter(vertx))
          .map(v -> {
            feed.drain();
            return v;
          })
          .compose(v -> afterWriter(vertx))
          .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
            assertEquals(List.of(2, 2, 1), batches.stream().map(EventBatch::consumed).toList(), "the limit per batch, each drain queueing the next");
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), batches.stream().flatMap(b -> b.events().stream()).map(StoredEvent::id).toList());
            assertEquals(5, feed.stats().getLong("consumed"), "a drain with nothing pending consumes nothing");
            assertEquals(3, feed.stats().getLong("batches"));
            ctx.completeNow();
          })));
    }));
  }

  @Test
  void batchesReachAgentsInTheOrderConsumedWhileABacklogDrainsBesideNewWrites(Vertx vertx, VertxTestContext ctx) {
    List<Long> delivered = new ArrayList<>();
    deploy(vertx, 7).onComplete(ctx.succeeding(feed -> {
      vertx.eventBus().<EventBatch>localConsumer(Addresses.EVENTS_BATCH, m -> {
        for (StoredEvent e : m.body().events()) delivered.add(e.id());
        if (delivered.size() < 150) return;
        ctx.verify(() -> assertEquals(LongStream.rangeClosed(1, 150).boxed().toList(), delivered, "every event once, in id order"));
        ctx.completeNow();
      });
      store(vertx, 1, 100).onComplete(ctx.succeeding(ids -> {
        feed.subscribers(List.of());
        for (int i = 0; i < 50; i++) store(vertx, 101 + i, 1).onFailure(ctx::failNow);
      }));
    }));
  }

  @Test
  void aConsumeThatFailsInTheCommitLeavesTheEventsStoredAndPendingForTheNextDrain(Vertx vertx, VertxTestContext ctx) throws Exception {
    List<EventBatch> batches = new ArrayList<>();
    Connection other = DriverManager.getConnection("jdbc:sqlite:" + file());
    deploy(vertx, 500).onComplete(ctx.succeeding(feed -> {
      vertx.eventBus().<EventBatch>localConsumer(Addresses.EVENTS_BATCH, m -> batches.add(m.body()));
      try (Statement st = other.createStatement()) {
        st.execute("CREATE TRIGGER refuse_consume BEFORE UPDATE OF consumed ON events BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
      } catch (Exception e) {
        ctx.failNow(e);
        return;
      }
      feed.subscribers(List.of());
      afterWriter(vertx)
          .compose(v -> store(vertx, 1, 3))
          .map(ids -> {
            ctx.verify(() -> {
              assertEquals(3, ids.length, "the write is acknowledged");
              assertEquals(3, DbFile.count(file(), "SELECT count(*) FROM events WHERE consumed = 0"), "stored, and still pending");
            });
            try (Statement st = other.createStatement()) {
              st.execute("DROP TRIGGER refuse_consume");
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
            feed.drain();
            return ids;
          })
          .compose(ids -> afterWriter(vertx))
          .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
            other.close();
            assertEquals(1, batches.size(), "nothing was published for the failed consume");
            assertEquals(List.of(1L, 2L, 3L), batches.get(0).events().stream().map(StoredEvent::id).toList());
            assertEquals(3, DbFile.count(file(), "SELECT count(*) FROM events WHERE consumed = 1"));
            ctx.completeNow();
          })));
    }));
  }
}
