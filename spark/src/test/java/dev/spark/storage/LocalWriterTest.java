package dev.spark.storage;

import dev.spark.bus.WriteRequest;
import dev.spark.config.SparkConfig;
import dev.spark.event.AccessRow;
import dev.spark.ingest.IngestFailures;
import dev.spark.ingest.LocalWriter;
import dev.spark.metrics.SparkMetrics;
import dev.spark.support.AloneVerticles;
import dev.spark.support.DbFile;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ingest-to-storage hand-over without the event bus, against the storage verticle on a real file. */
@ExtendWith(VertxExtension.class)
class LocalWriterTest {
  @TempDir
  Path dir;

  private Future<String> deploy(Vertx vertx, JsonObject overrides) {
    return AloneVerticles.deploy(vertx, new StorageVerticle(Clock.systemUTC()), AloneVerticles.config(dir.resolve("spark.db"), overrides));
  }

  private static WriteRequest.Access rows(int n, String tag) {
    List<AccessRow> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) rows.add(new AccessRow("2026-11-24T10:00:00.000Z", "GET", "/" + tag + "/" + i, 200, 1.5, null, null, null, null, null, null));
    return new WriteRequest.Access(rows);
  }

  private long count(String sql) {
    return DbFile.count(dir.resolve("spark.db"), sql);
  }

  @Test
  void aWriteCompletesOnTheCallersContextOnceItsRowsAreCommitted(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, null).onComplete(ctx.succeeding(id -> {
      LocalWriter writer = LocalWriter.of(vertx);
      assertNotNull(writer, "storage registers its writer while it runs");
      Context caller = vertx.getOrCreateContext();
      caller.runOnContext(v -> writer.write(rows(2, "a")).onComplete(ctx.succeeding(ids -> ctx.verify(() -> {
        assertSame(caller, Vertx.currentContext(), "the caller's code goes on where it was");
        assertArrayEquals(new long[] {1, 2}, ids);
        assertEquals(2, count("SELECT count(*) FROM access_logs"), "committed before the answer");
        ctx.completeNow();
      }))));
    }));
  }

  @Test
  void aWritePastTheQueueBoundIsRefusedWith503AsOverTheBus(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("storage", new JsonObject().put("queueCapacity", 100))).onComplete(ctx.succeeding(id -> {
      LocalWriter writer = LocalWriter.of(vertx);
      // Taken however large, since nothing is queued; its rows stay counted until its commit ends, which
      // takes far longer than the next line.
      Future<long[]> large = writer.write(rows(50_000, "large"));
      Future<long[]> next = writer.write(rows(1, "next"));
      next.onComplete(ctx.failing(e -> ctx.verify(() -> {
        assertEquals(503, IngestFailures.status(e));
        assertTrue(e.getMessage().contains("queue is full"), e.getMessage());
        assertInstanceOf(ReplyException.class, e);
      })));
      large.onComplete(ctx.succeeding(ids -> ctx.verify(() -> {
        assertEquals(50_000, ids.length);
        assertEquals(50_000, count("SELECT count(*) FROM access_logs"), "the refused write stored nothing");
        ctx.completeNow();
      })));
    }));
  }

  /**
   * Writers on four event loops keep writing while storage is undeployed: every write is answered,
   * either committed (and then on disk, once) or refused with 503; none waits for ever behind the stop.
   */
  @Test
  void everyWriteRacingTheShutdownIsAnsweredAndWhatWasAcknowledgedIsOnDisk(Vertx vertx, VertxTestContext ctx) {
    ConcurrentLinkedQueue<Long> acked = new ConcurrentLinkedQueue<>();
    AtomicInteger refusedAtStop = new AtomicInteger();
    deploy(vertx, null).onComplete(ctx.succeeding(deployment -> {
      LocalWriter writer = LocalWriter.of(vertx);
      List<Future<Void>> chains = new ArrayList<>();
      AtomicInteger instance = new AtomicInteger();
      // Four instances of a verticle: four contexts, spread over the event loops.
      vertx.deployVerticle(() -> new VerticleBase() {
        @Override
        public Future<?> start() {
          Promise<Void> done = Promise.promise();
          synchronized (chains) {
            chains.add(done.future());
          }
          writeUntilRefused(writer, "c" + instance.incrementAndGet(), 0, acked, refusedAtStop, done);
          return Future.succeededFuture();
        }
      }, new DeploymentOptions().setInstances(4));
      AtomicInteger first = new AtomicInteger();
      vertx.setPeriodic(5, timer -> {
        if (acked.size() < 200 || instance.get() < 4 || first.getAndIncrement() > 0) return;
        vertx.cancelTimer(timer);
        vertx.undeploy(deployment)
            .compose(v -> Future.all(chains))
            .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
              assertNull(LocalWriter.of(vertx), "unregistered once stopped");
              assertEquals(4, refusedAtStop.get(), "each writer ended on a 503 from the stop");
              Set<Long> unique = new TreeSet<>(acked);
              assertEquals(acked.size(), unique.size(), "no id acknowledged twice");
              assertEquals(unique.size(), count("SELECT count(*) FROM access_logs"), "every acknowledged row, and only those");
              assertEquals(unique.size(), count("SELECT count(*) FROM access_logs WHERE id BETWEEN 1 AND " + unique.size()));
              ctx.completeNow();
            })));
      });
    }));
  }

  /**
   * A write the writer does not answer within a minute (here: another process holds the file's write
   * lock) is answered 503 "may still be stored", as an event-bus request to storage times out; it stays
   * queued, is committed once the lock is let go, and its late answer goes nowhere.
   */
  @Test
  void aWriteNotAnsweredWithinAMinuteIsAnsweredMayStillBeStoredAndIsStoredOnce(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path file = dir.resolve("spark.db");
    SparkConfig cfg = SparkConfig.fromJson(AloneVerticles.config(file, null));
    SqliteDatabase db = SqliteDatabase.open(file, "NORMAL");
    AtomicLong nanos = new AtomicLong();
    Context context = vertx.getOrCreateContext();
    // No agent registers here, so the feed never queues a job on the writer.
    AgentFeed feed = new AgentFeed(vertx, db, new Consumption(db), cfg.issues(), 100, Clock.systemUTC(), SparkMetrics.of(vertx), job -> {});
    WriterLoop writer = new WriterLoop(context, db, 100, SparkMetrics.of(vertx), Clock.systemUTC(),
        new AlertOutbox(List.of(), ""), feed, "test-writer");
    WriteAdmission admission = new WriteAdmission(writer, cfg.storage(), SparkMetrics.of(vertx), nanos::get);
    Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
    other.createStatement().execute("BEGIN IMMEDIATE");
    Future<long[]> held = admission.write(rows(1, "held"));
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(59));
    admission.expireWaiting();
    assertFalse(held.isComplete(), "59 s is not too long");
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
    admission.expireWaiting();
    held.onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertEquals(503, IngestFailures.status(e));
      assertTrue(IngestFailures.message(e).contains("may still be stored"), IngestFailures.message(e));
      other.createStatement().execute("ROLLBACK");
      other.close();
      admission.write(rows(1, "next")).compose(ids -> admission.close().map(ids)).onComplete(ctx.succeeding(next -> ctx.verify(() -> {
        assertArrayEquals(new long[] {2}, next, "the held write was committed first, once");
        assertEquals(2, count("SELECT count(*) FROM access_logs"));
        assertEquals(1, count("SELECT count(*) FROM access_logs WHERE path = '/held/0'"));
        ctx.completeNow();
      })));
    })));
  }

  private static void writeUntilRefused(LocalWriter writer, String tag, int n, ConcurrentLinkedQueue<Long> acked,
      AtomicInteger refusedAtStop, Promise<Void> done) {
    // Two writes in flight per writer, so some arrive while the stop is being queued.
    Future<long[]> a = writer.write(rows(3, tag + "-" + n));
    Future<long[]> b = writer.write(rows(2, tag + "-" + n + "b"));
    Future.join(a, b).onComplete(ar -> {
      for (Future<long[]> f : List.of(a, b)) {
        if (f.succeeded()) for (long id : f.result()) acked.add(id);
      }
      Future<long[]> failed = a.failed() ? a : b.failed() ? b : null;
      if (failed == null) {
        writeUntilRefused(writer, tag, n + 1, acked, refusedAtStop, done);
      } else if (IngestFailures.status(failed.cause()) == 503 && failed.cause().getMessage().contains("shutting down")) {
        refusedAtStop.incrementAndGet();
        done.complete();
      } else {
        done.fail(failed.cause());
      }
    });
  }
}
