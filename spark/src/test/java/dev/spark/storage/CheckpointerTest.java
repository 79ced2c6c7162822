package dev.spark.storage;

import dev.spark.bus.Addresses;
import dev.spark.bus.WriteRequest;
import dev.spark.event.AccessRow;
import dev.spark.support.AloneVerticles;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The WAL is copied into the file by storage's checkpointer, beside the writer: after writes, a
 * checkpoint of its own copies every frame, and at undeploy the writer still truncates the WAL.
 */
@ExtendWith(VertxExtension.class)
class CheckpointerTest {
  @TempDir
  Path dir;

  private static Future<JsonObject> stats(Vertx vertx) {
    return vertx.eventBus().<JsonObject>request(Addresses.STORAGE_STATS, null).map(m -> m.body());
  }

  /** Until the checkpointer has copied a whole WAL (at most 10 s). */
  private static Future<JsonObject> checkpointed(Vertx vertx, long until) {
    return stats(vertx).compose(s -> {
      if (s.getLong("walCheckpoints") > 0) return Future.succeededFuture(s);
      if (System.nanoTime() > until) return Future.failedFuture("the checkpointer never copied the WAL: " + s.encode());
      Promise<JsonObject> later = Promise.promise();
      vertx.setTimer(Checkpointer.PERIOD_MS / 2, t -> checkpointed(vertx, until).onComplete(later));
      return later.future();
    });
  }

  @Test
  void theCheckpointerCopiesTheWalBesideTheWriterAndTheWriterTruncatesItAtClose(Vertx vertx, VertxTestContext ctx) {
    Path file = dir.resolve("spark.db");
    List<AccessRow> rows = new ArrayList<>();
    for (int i = 0; i < 500; i++) rows.add(new AccessRow("2026-11-24T10:00:00.000Z", "GET", "/r/" + i, 200, 3.0, null, null, "req-" + i, null, null, null));
    AloneVerticles.deploy(vertx, new StorageVerticle(Clock.systemUTC()), AloneVerticles.config(file, null))
        .compose(id -> vertx.eventBus().request(Addresses.STORAGE_WRITE, new WriteRequest.Access(rows)).map(id))
        .compose(id -> checkpointed(vertx, System.nanoTime() + 10_000_000_000L).map(id))
        .compose(vertx::undeploy)
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          Path wal = dir.resolve("spark.db-wal");
          assertEquals(0L, Files.exists(wal) ? Files.size(wal) : 0L, "the writer's close truncated the WAL");
          ctx.completeNow();
        })));
  }
}
