package dev.spark.janitor;

import dev.spark.bus.Addresses;
import dev.spark.bus.WriteRequest;
import dev.spark.event.AccessRow;
import dev.spark.event.EventBatch;
import dev.spark.event.EventRow;
import dev.spark.event.Timestamps;
import dev.spark.storage.AgentFeed;
import dev.spark.support.AloneVerticles;
import dev.spark.support.DbFile;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The janitor with only storage under it, on a real SQLite file: a run on request deletes what is
 * past {@code maxAgeDays} (never a pending event), reports it and records the report; a vacuum
 * reports the sizes.
 */
@ExtendWith(VertxExtension.class)
class JanitorVerticleTest {
  private static final String LONG_AGO = "2020-01-01T00:00:00.000Z";

  @TempDir
  Path dir;

  private Path db() {
    return dir.resolve("spark.db");
  }

  private Future<String> deploy(Vertx vertx) {
    JsonObject cleanup = new JsonObject().put("maxAgeDays", 1).put("maxSizeMB", 1024).put("intervalMs", 86_400_000);
    return AloneVerticles.withStorage(vertx, AloneVerticles.config(db(), new JsonObject().put("db", new JsonObject().put("cleanup", cleanup))),
        new JanitorVerticle());
  }

  private static Future<?> events(Vertx vertx, String timestamp, String... messages) {
    List<EventRow> rows = new ArrayList<>();
    for (String m : messages) {
      rows.add(new EventRow("server-error", null, timestamp, "test", null, null, 500,
          new JsonObject().put("error", new JsonObject().put("message", m)).encode(), "fp-" + m, null));
    }
    return vertx.eventBus().request(Addresses.STORAGE_WRITE, new WriteRequest.Events(rows));
  }

  private static Future<?> access(Vertx vertx, String timestamp, int n) {
    List<AccessRow> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) rows.add(new AccessRow(timestamp, "GET", "/r/" + i, 200, 3.0, null, null, null, null, null, null));
    return vertx.eventBus().request(Addresses.STORAGE_WRITE, new WriteRequest.Access(rows));
  }

  /** An agent comes, takes what is pending in one batch, and leaves: what is stored after it stays pending. */
  private static Future<?> consumeAllThenLeave(Vertx vertx) {
    Promise<Void> taken = Promise.promise();
    MessageConsumer<EventBatch> agent = vertx.eventBus().localConsumer(Addresses.EVENTS_BATCH, m -> {
      AgentFeed.of(vertx).subscribers(null);
      taken.tryComplete();
    });
    AgentFeed.of(vertx).subscribers(List.of());
    return taken.future().compose(v -> agent.unregister());
  }

  @Test
  void aRunDeletesWhatIsPastMaxAgeButNeverAPendingEventAndRecordsItsReport(Vertx vertx, VertxTestContext ctx) {
    Checkpoint reported = ctx.checkpoint();
    deploy(vertx)
        .compose(id -> events(vertx, LONG_AGO, "old-1", "old-2"))
        .compose(v -> events(vertx, Timestamps.now(), "fresh"))
        .compose(v -> consumeAllThenLeave(vertx))
        .compose(v -> events(vertx, LONG_AGO, "old-but-pending"))
        .compose(v -> access(vertx, LONG_AGO, 3))
        .compose(v -> access(vertx, Timestamps.now(), 1))
        .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.JANITOR_RUN, new JsonObject()))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          JsonObject report = reply.body();
          assertEquals(2, report.getInteger("agedEvents"), report.encode());
          assertEquals(2, report.getInteger("agedIssues"), "the fresh issue and the one with a pending event stay: " + report.encode());
          assertEquals(3, report.getInteger("agedAccessLogs"), report.encode());
          assertEquals(0, report.getLong("sizeAccessLogs"));
          assertEquals(0, report.getLong("sizeEvents"));
          assertNotNull(report.getLong("bytesBefore"));
          assertTrue(report.getLong("bytesAfter") > 0, report.encode());
          // Each delete phase ends with a short step: 2 events (one step), 2 issues (one), 3 access logs (one).
          JsonObject writer = report.getJsonObject("writer");
          assertEquals(1, writer.getJsonObject("agedEvents").getLong("steps"), report.encode());
          assertEquals(1, writer.getJsonObject("agedIssues").getLong("steps"), report.encode());
          assertEquals(1, writer.getJsonObject("agedAccessLogs").getLong("steps"), report.encode());
          assertEquals(1, DbFile.count(db(), "SELECT count(*) FROM events WHERE consumed = 0"), "the pending event stays");
          assertEquals(2, DbFile.count(db(), "SELECT count(*) FROM events"));
          assertEquals(1, DbFile.count(db(), "SELECT count(*) FROM access_logs"));
          assertEquals(2, DbFile.count(db(), "SELECT count(*) FROM issues"));
          assertEquals(1, DbFile.count(db(),
              "SELECT count(*) FROM spark_meta WHERE key = 'last_cleanup' AND json_extract(value, '$.agedEvents') = 2"));
          reported.flag();
        })));
  }

  @Test
  void runsAskedForWhileOneIsGoingGetThatRunsReport(Vertx vertx, VertxTestContext ctx) {
    Checkpoint same = ctx.checkpoint();
    deploy(vertx)
        .compose(id -> Future.all(
            vertx.eventBus().<JsonObject>request(Addresses.JANITOR_RUN, new JsonObject()),
            vertx.eventBus().<JsonObject>request(Addresses.JANITOR_RUN, new JsonObject())))
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          JsonObject first = both.<io.vertx.core.eventbus.Message<JsonObject>>resultAt(0).body();
          JsonObject second = both.<io.vertx.core.eventbus.Message<JsonObject>>resultAt(1).body();
          assertEquals(first, second, "one run, one report");
          same.flag();
        })));
  }

  @Test
  void aVacuumAnswersTheSizesBeforeAndAfter(Vertx vertx, VertxTestContext ctx) {
    Checkpoint vacuumed = ctx.checkpoint();
    deploy(vertx)
        .compose(id -> access(vertx, LONG_AGO, 500))
        .compose(v -> vertx.eventBus().request(Addresses.JANITOR_RUN, new JsonObject()))
        .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.JANITOR_VACUUM, new JsonObject()))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          JsonObject r = reply.body();
          assertEquals(List.of("bytesBefore", "bytesAfter", "usedBytes", "durationMs"), List.copyOf(r.fieldNames()));
          assertTrue(r.getLong("bytesAfter") <= r.getLong("bytesBefore"), r.encode());
          assertTrue(r.getLong("usedBytes") > 0 && r.getLong("usedBytes") <= r.getLong("bytesAfter"), r.encode());
          vacuumed.flag();
        })));
  }
}
