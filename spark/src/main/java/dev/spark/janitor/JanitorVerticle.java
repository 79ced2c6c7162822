package dev.spark.janitor;

import dev.spark.bus.Addresses;
import dev.spark.bus.RetentionOp;
import dev.spark.config.SparkConfig;
import dev.spark.event.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Keeps the database inside {@code db.cleanup}: every {@code intervalMs}, and on request at
 * {@code spark.janitor.run}, deletes consumed events and access logs older than
 * {@code maxAgeDays} (and issues last seen before then, unless muted or with a pending event);
 * then, while live data exceeds {@code maxSizeMB}, deletes the oldest access logs and consumed
 * events; then gives free pages back and truncates the WAL. Pending events are never deleted.
 * Every delete is a small transaction of its own on the storage queue, and so is every step giving
 * pages back; after each the janitor pauses as long as the writer spent on it, so ingest keeps at
 * least half of the writer during a big cleanup. On request at {@code spark.janitor.vacuum}, also rebuilds the
 * file with a full {@code VACUUM} (not paced: it holds the writer until it is done).
 */
public final class JanitorVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(JanitorVerticle.class.getName());
  /**
   * Rows per delete transaction. Each chunk holds the single writer, so ingest waits up to one
   * chunk's time; after each step the janitor leaves the writer alone for as long as the step held it
   * ({@link #paced}), so cleanup takes at most about half of it however many rows go.
   */
  private static final int CHUNK = 500;
  /**
   * Free pages given back to the file system per step (1 MB with 4 KB pages): a step moves up to
   * that many live pages from the end of the file into free slots, a few milliseconds' work (plus its
   * checkpoint), where giving back all 60,000 pages of a million-row cleanup at once took ~2.5 s.
   */
  private static final int RECLAIM_PAGES = 250;
  /** Smaller steps while shrinking, so the janitor stops close to maxSizeMB rather than far below it. */
  private static final int SIZE_CHUNK = 200;
  private static final DeliveryOptions SLOW = new DeliveryOptions().setSendTimeout(10 * 60_000);

  private SparkConfig.Cleanup limits;
  private Future<JsonObject> running;

  @Override
  public Future<?> start() {
    limits = SparkConfig.fromJson(config()).db().cleanup();
    vertx.setPeriodic(limits.intervalMs(), id -> run().onFailure(e -> LOG.warning("Cleanup failed: " + e.getMessage())));
    return Future.all(
        vertx.eventBus().<JsonObject>consumer(Addresses.JANITOR_RUN, msg -> run().onComplete(ar -> {
          if (ar.succeeded()) msg.reply(ar.result());
          else msg.fail(500, "Cleanup failed: " + ar.cause().getMessage());
        })).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.JANITOR_VACUUM, msg -> vacuum().onComplete(ar -> {
          if (ar.succeeded()) msg.reply(ar.result());
          else msg.fail(500, "Vacuum failed: " + ar.cause().getMessage());
        })).completion());
  }

  /** A full VACUUM through storage's queue (so it never races a write); the sizes before and after. */
  Future<JsonObject> vacuum() {
    return maintain(new RetentionOp.Vacuum()).map(RetentionOp.Vacuumed::toJson)
        .onSuccess(report -> LOG.info("Vacuum: " + report.encode()));
  }

  /** One cleanup at a time; a request that arrives while one runs gets that run's report. */
  Future<JsonObject> run() {
    if (running == null) {
      running = cleanup().onComplete(ar -> running = null);
    }
    return running;
  }

  private Future<JsonObject> cleanup() {
    long started = System.currentTimeMillis();
    JsonObject report = new JsonObject().put("startedAt", Timestamps.now()).put("maxAgeDays", limits.maxAgeDays())
        .put("maxSizeMB", limits.maxSizeMB());
    long maxBytes = limits.maxSizeMB() * 1024 * 1024;
    long maxAgeDays = limits.maxAgeDays();
    WriterTimes times = new WriterTimes();
    return maintain(new RetentionOp.MeasureSizes())
        .compose(before -> {
          report.put("bytesBefore", before.fileBytes());
          return deleteAll(new RetentionOp.DeleteAgedEvents(maxAgeDays, CHUNK), "agedEvents", times);
        })
        .compose(n -> {
          report.put("agedEvents", n);
          return deleteAll(new RetentionOp.DeleteAgedIssues(maxAgeDays, CHUNK), "agedIssues", times);
        })
        .compose(n -> {
          report.put("agedIssues", n);
          return deleteAll(new RetentionOp.DeleteAgedAccess(maxAgeDays, CHUNK), "agedAccessLogs", times);
        })
        .compose(n -> {
          report.put("agedAccessLogs", n);
          return shrink(maxBytes, times);
        })
        .compose(counts -> {
          report.put("sizeAccessLogs", counts[0]).put("sizeEvents", counts[1]);
          return reclaimSteps(times);
        })
        .compose(v -> maintain(new RetentionOp.Reclaim()))
        .compose(after -> {
          report.put("bytesAfter", after.fileBytes()).put("usedBytesAfter", after.usedBytes()).put("durationMs", System.currentTimeMillis() - started)
              .put("writer", times.toJson());
          if (after.usedBytes() > maxBytes) {
            report.put("warning", "Still above maxSizeMB after the pass: what is left is pending events (never deleted)"
                + " or rows stored while the pass ran (the next pass takes those)");
          }
          return maintain(new RetentionOp.PutMeta("last_cleanup", report));
        })
        .map(v -> {
          LOG.info("Cleanup: " + report.encode());
          return report;
        });
  }

  /*
   * The repeated steps below complete one promise at the end instead of nesting a compose per step:
   * a pass of thousands of steps completed thousands of nested futures at once and overflowed the
   * stack (StackOverflowError seen in JanitorUnderLoadIT's Spark).
   */

  /** Repeats a delete until a chunk comes back short; the rows deleted in all. */
  private Future<Integer> deleteAll(RetentionOp<RetentionOp.Deleted> delete, String phase, WriterTimes times) {
    Promise<Integer> done = Promise.promise();
    deleteStep(delete, phase, times, 0, done);
    return done.future();
  }

  private void deleteStep(RetentionOp<RetentionOp.Deleted> delete, String phase, WriterTimes times, int soFar, Promise<Integer> done) {
    paced(delete, phase, times).onComplete(ar -> {
      if (ar.failed()) done.fail(ar.cause());
      else if (ar.result().rows() < CHUNK) done.complete(soFar + ar.result().rows());
      else deleteStep(delete, phase, times, soFar + ar.result().rows(), done);
    });
  }

  /** Deletes oldest access logs, then oldest consumed events, while live data exceeds the limit. */
  private Future<long[]> shrink(long maxBytes, WriterTimes times) {
    Promise<long[]> done = Promise.promise();
    shrinkStep(maxBytes, times, new long[2], done);
    return done.future();
  }

  /** One step of {@link #shrink}; {@code counts} holds access logs and events deleted so far. */
  private void shrinkStep(long maxBytes, WriterTimes times, long[] counts, Promise<long[]> done) {
    maintain(new RetentionOp.MeasureSizes()).compose(sizes -> {
      if (sizes.usedBytes() <= maxBytes) return Future.succeededFuture(false);
      return paced(new RetentionOp.DeleteOldestAccess(SIZE_CHUNK), "size", times).compose(a -> {
        counts[0] += a.rows();
        if (a.rows() > 0) return Future.succeededFuture(true);
        return paced(new RetentionOp.DeleteOldestEvents(SIZE_CHUNK), "size", times).map(e -> {
          counts[1] += e.rows();
          return e.rows() > 0;
        });
      });
    }).onComplete(ar -> {
      if (ar.failed()) done.fail(ar.cause());
      else if (ar.result()) shrinkStep(maxBytes, times, counts, done);
      else done.complete(counts);
    });
  }

  /** Gives free pages back a few at a time (one big incremental_vacuum held the writer for seconds). */
  private Future<Void> reclaimSteps(WriterTimes times) {
    Promise<Void> done = Promise.promise();
    reclaimStep(times, done);
    return done.future();
  }

  private void reclaimStep(WriterTimes times, Promise<Void> done) {
    paced(new RetentionOp.ReclaimStep(RECLAIM_PAGES), "reclaim", times).onComplete(ar -> {
      if (ar.failed()) done.fail(ar.cause());
      else if (ar.result().freePages() > 0 && ar.result().freedPages() > 0) reclaimStep(times, done);
      else done.complete();
    });
  }

  /**
   * One step, then a pause as long as the writer spent on it before the next one may start: ingest
   * keeps at least half of the writer. The step's wait in the queue behind ingest's commits is not
   * paused for again (when it was, a writer kept busy by ingest made every step cost its wait twice,
   * and a million-row pass took over ten minutes on a loaded machine instead of one).
   * The step's writer time goes into {@code times} under {@code phase}.
   */
  private <R extends RetentionOp.Step> Future<R> paced(RetentionOp<R> op, String phase, WriterTimes times) {
    return maintain(op).compose(r -> {
      times.add(phase, r.writerNanos());
      return vertx.timer(Math.max(1, r.writerNanos() / 1_000_000), TimeUnit.MILLISECONDS).map(r);
    });
  }

  /** Storage answers each operation with its reply type (see {@link RetentionOp}). */
  private <R extends RetentionOp.Reply> Future<R> maintain(RetentionOp<R> op) {
    return vertx.eventBus().<R>request(Addresses.STORAGE_MAINTAIN, op, SLOW).map(Message::body);
  }
}
