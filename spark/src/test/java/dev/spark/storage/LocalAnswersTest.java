package dev.spark.storage;

import dev.spark.bus.WriteRequest;
import dev.spark.event.AccessRow;
import dev.spark.ingest.LocalWriter;
import dev.spark.support.AloneVerticles;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A committed group's local writes are answered together ({@link LocalAnswers}): writes handed over
 * from bus consumers on two event loops (each message on a context of its own), from a worker verticle
 * and from a thread with no context, many of them in one group, each still get exactly their own rows'
 * ids, on the context they were handed over from.
 */
@ExtendWith(VertxExtension.class)
class LocalAnswersTest {
  private static final int WRITES_PER_SOURCE = 300;

  @TempDir
  Path dir;

  /** One write as handed over: its tag, how many rows, the context it came from, and what it was answered. */
  private record Handed(String tag, int rows, Context caller, long[] ids, Context answeredOn) {}

  private static WriteRequest.Access rows(int n, String tag) {
    List<AccessRow> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) rows.add(new AccessRow("2026-11-24T10:00:00.000Z", "GET", "/" + tag + "/" + i, 200, 1.5, null, null, null, null, null, null));
    return new WriteRequest.Access(rows);
  }

  /** Hands a write over from the current context (or none) and records its answer. */
  private static Future<Void> handOver(LocalWriter writer, String tag, int n, ConcurrentLinkedQueue<Handed> answered) {
    Context caller = Vertx.currentContext();
    return writer.write(rows(n, tag)).map(ids -> {
      answered.add(new Handed(tag, n, caller, ids, Vertx.currentContext()));
      return null;
    });
  }

  @Test
  void eachWriteOfAGroupGetsItsOwnIdsOnItsOwnContext(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path file = dir.resolve("spark.db");
    ConcurrentLinkedQueue<Handed> answered = new ConcurrentLinkedQueue<>();
    Random random = new Random(42);
    int[] sizes = new int[4 * WRITES_PER_SOURCE];
    for (int i = 0; i < sizes.length; i++) sizes[i] = 1 + random.nextInt(random.nextInt(10) == 0 ? 40 : 3);
    AloneVerticles.deploy(vertx, new StorageVerticle(Clock.systemUTC()), AloneVerticles.config(file, null))
        .compose(id -> {
          LocalWriter writer = LocalWriter.of(vertx);
          // Two instances of a bus consumer (two event loops; each message runs on a context of its own) ...
          Future<String> consumers = vertx.deployVerticle(() -> new VerticleBase() {
            @Override
            public Future<?> start() {
              return vertx.eventBus().<String>localConsumer("test.hand-over", m -> {
                String[] parts = m.body().split(":");
                handOver(writer, parts[0], Integer.parseInt(parts[1]), answered).onComplete(ar -> m.reply(ar.succeeded()));
              }).completion();
            }
          }, new DeploymentOptions().setInstances(2));
          return consumers.compose(c -> {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 2 * WRITES_PER_SOURCE; i++) {
              all.add(vertx.eventBus().request("test.hand-over", "bus" + i + ":" + sizes[i]));
            }
            // ... a worker verticle ...
            Promise<Void> worker = Promise.promise();
            all.add(worker.future());
            vertx.deployVerticle(new VerticleBase() {
              @Override
              public Future<?> start() {
                List<Future<Void>> writes = new ArrayList<>();
                for (int i = 0; i < WRITES_PER_SOURCE; i++) writes.add(handOver(writer, "worker" + i, sizes[2 * WRITES_PER_SOURCE + i], answered));
                Future.all(writes).<Void>mapEmpty().onComplete(worker);
                return Future.succeededFuture();
              }
            }, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER));
            // ... and a thread with no Vert.x context.
            Promise<Void> plain = Promise.promise();
            all.add(plain.future());
            new Thread(() -> {
              List<Future<Void>> writes = new ArrayList<>();
              for (int i = 0; i < WRITES_PER_SOURCE; i++) writes.add(handOver(writer, "plain" + i, sizes[3 * WRITES_PER_SOURCE + i], answered));
              Future.all(writes).<Void>mapEmpty().onComplete(plain);
            }).start();
            return Future.all(all);
          });
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertEquals(4 * WRITES_PER_SOURCE, answered.size(), "every write answered once");
          Map<String, String> rowsOnDisk = rowsById(file);
          long expectedRows = 0;
          for (Handed h : answered) {
            expectedRows += h.rows();
            if (h.caller() != null) assertTrue(h.caller() == h.answeredOn(), h.tag() + " was answered on another context");
            assertEquals(h.rows(), h.ids().length, h.tag());
            for (int i = 0; i < h.rows(); i++) {
              assertEquals("/" + h.tag() + "/" + i, rowsOnDisk.get(String.valueOf(h.ids()[i])), h.tag() + ": id " + h.ids()[i]);
            }
          }
          assertEquals(expectedRows, rowsOnDisk.size(), "every row stored once");
          ctx.completeNow();
        })));
    assertTrue(ctx.awaitCompletion(60, TimeUnit.SECONDS));
  }

  private static Map<String, String> rowsById(Path file) throws Exception {
    Map<String, String> rows = new ConcurrentHashMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        PreparedStatement st = c.prepareStatement("SELECT id, path FROM access_logs");
        ResultSet rs = st.executeQuery()) {
      while (rs.next()) rows.put(String.valueOf(rs.getLong(1)), rs.getString(2));
    }
    return rows;
  }
}
