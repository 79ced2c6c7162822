package dev.spark.storage;

import dev.spark.bus.Addresses;
import dev.spark.bus.WriteRequest;
import dev.spark.event.EventRow;
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

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An op (here a dashboard's "resolve") waits for the commit in progress, not for the writes queued
 * behind it: with the writer held inside a commit by another connection's write lock, an op sent
 * after a queued write is answered before that write.
 */
@ExtendWith(VertxExtension.class)
class OpsAheadOfWritesTest {
  @TempDir
  Path dir;

  private static WriteRequest.Events event(String fingerprint) {
    return new WriteRequest.Events(List.of(new EventRow("server-error", null, "2026-11-24T10:00:00.000Z", "test", null, null, 500,
        new JsonObject().put("error", new JsonObject().put("message", fingerprint)).encode(), fingerprint, null)));
  }

  /** Until storage says its writer is inside a commit (at most 10 s). */
  private static Future<Void> writerBusy(Vertx vertx, long until) {
    return vertx.eventBus().<JsonObject>request(Addresses.STORAGE_STATS, null).compose(m -> {
      if (m.body().getBoolean("busy")) return Future.succeededFuture();
      if (System.nanoTime() > until) return Future.failedFuture("the writer never started its commit");
      Promise<Void> later = Promise.promise();
      vertx.setTimer(5, t -> writerBusy(vertx, until).onComplete(later));
      return later.future();
    });
  }

  @Test
  void anOpSentAfterAQueuedWriteIsAnsweredBeforeIt(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path file = dir.resolve("spark.db");
    List<String> answers = new CopyOnWriteArrayList<>();
    AloneVerticles.deploy(vertx, new StorageVerticle(Clock.systemUTC()), AloneVerticles.config(file, null))
        .compose(id -> vertx.eventBus().request(Addresses.STORAGE_WRITE, event("fp-first")))
        .onComplete(ctx.succeeding(first -> {
          Connection other;
          try {
            other = DriverManager.getConnection("jdbc:sqlite:" + file);
            other.createStatement().execute("BEGIN IMMEDIATE");
          } catch (Exception e) {
            ctx.failNow(e);
            return;
          }
          Future<?> held = vertx.eventBus().request(Addresses.STORAGE_WRITE, event("fp-held")).onSuccess(m -> answers.add("held write"));
          writerBusy(vertx, System.nanoTime() + 10_000_000_000L).onComplete(ctx.succeeding(busy -> {
            Future<?> queued = vertx.eventBus().request(Addresses.STORAGE_WRITE, event("fp-queued")).onSuccess(m -> answers.add("queued write"));
            Future<?> op = vertx.eventBus().request(Addresses.ISSUE_STATUS, new JsonObject().put("fingerprint", "fp-first").put("action", "resolve"))
                .onSuccess(m -> answers.add("op"));
            // Answered on storage's context after both were handed to the writer (same sender, same context, in order).
            vertx.eventBus().request(Addresses.STORAGE_STATS, null).onComplete(ctx.succeeding(stats -> {
              try {
                other.createStatement().execute("ROLLBACK");
                other.close();
              } catch (Exception e) {
                ctx.failNow(e);
                return;
              }
              Future.all(held, queued, op).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
                assertEquals(List.of("held write", "op", "queued write"), answers);
                ctx.completeNow();
              })));
            }));
          }));
        }));
  }
}
