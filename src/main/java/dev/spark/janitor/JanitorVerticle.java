package dev.spark.janitor;

import dev.spark.Addresses;
import dev.spark.config.SparkConfig;
import dev.spark.event.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.logging.Logger;

/**
 * Keeps the database inside {@code db.cleanup}: every {@code intervalMs}, and on request at
 * {@code spark.janitor.run}, deletes consumed events and access logs older than
 * {@code maxAgeDays} (and issues last seen before then, unless muted or with a pending event); then, while live data exceeds {@code maxSizeMB}, deletes the oldest access
 * logs and consumed events; then gives free pages back and truncates the WAL. Pending events are
 * never deleted. Every delete is a small transaction of its own on the storage queue. On request at
 * {@code spark.janitor.vacuum}, also rebuilds the file with a full {@code VACUUM}.
 */
public final class JanitorVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(JanitorVerticle.class.getName());
  private static final int CHUNK = 2_000;
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
    return maintain(new JsonObject().put("op", "vacuum"))
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
    return maintain(new JsonObject().put("op", "sizes"))
        .compose(before -> {
          report.put("bytesBefore", before.getLong("fileBytes"));
          return deleteAll("deleteAgedEvents", 0);
        })
        .compose(n -> {
          report.put("agedEvents", n);
          return deleteAll("deleteAgedIssues", 0);
        })
        .compose(n -> {
          report.put("agedIssues", n);
          return deleteAll("deleteAgedAccess", 0);
        })
        .compose(n -> {
          report.put("agedAccessLogs", n);
          return shrink(maxBytes, 0, 0);
        })
        .compose(counts -> {
          report.put("sizeAccessLogs", counts[0]).put("sizeEvents", counts[1]);
          return maintain(new JsonObject().put("op", "reclaim"));
        })
        .compose(after -> {
          report.put("bytesAfter", after.getLong("fileBytes")).put("durationMs", System.currentTimeMillis() - started);
          if (after.getLong("usedBytes") > maxBytes) {
            report.put("warning", "Still above maxSizeMB: what is left is pending events, which are never deleted");
          }
          return maintain(new JsonObject().put("op", "putMeta").put("key", "last_cleanup").put("value", report));
        })
        .map(v -> {
          LOG.info("Cleanup: " + report.encode());
          return report;
        });
  }

  private Future<Integer> deleteAll(String op, int soFar) {
    return maintain(new JsonObject().put("op", op).put("maxAgeDays", limits.maxAgeDays()).put("chunk", CHUNK))
        .compose(r -> {
          int n = r.getInteger("deleted");
          return n < CHUNK ? Future.succeededFuture(soFar + n) : deleteAll(op, soFar + n);
        });
  }

  /** Deletes oldest access logs, then oldest consumed events, while live data exceeds the limit. */
  private Future<long[]> shrink(long maxBytes, long access, long events) {
    return maintain(new JsonObject().put("op", "sizes")).compose(sizes -> {
      if (sizes.getLong("usedBytes") <= maxBytes) return Future.succeededFuture(new long[] {access, events});
      return maintain(new JsonObject().put("op", "deleteOldestAccess").put("chunk", SIZE_CHUNK)).compose(a -> {
        int na = a.getInteger("deleted");
        if (na > 0) return shrink(maxBytes, access + na, events);
        return maintain(new JsonObject().put("op", "deleteOldestEvents").put("chunk", SIZE_CHUNK)).compose(e -> {
          int ne = e.getInteger("deleted");
          return ne > 0 ? shrink(maxBytes, access, events + ne) : Future.succeededFuture(new long[] {access, events});
        });
      });
    });
  }

  private Future<JsonObject> maintain(JsonObject op) {
    return vertx.eventBus().<JsonObject>request(Addresses.STORAGE_MAINTAIN, op, SLOW).map(m -> m.body());
  }
}
