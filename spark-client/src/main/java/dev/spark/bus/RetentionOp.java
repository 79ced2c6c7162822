package dev.spark.bus;

import io.vertx.core.json.JsonObject;

/**
 * What the janitor asks storage to do at {@link Addresses#STORAGE_MAINTAIN}, one small step per
 * request so ingest keeps flowing between them (except {@link Vacuum}, which rebuilds the whole file
 * in one go). Each operation is answered with its reply type {@code R}. Both travel within one JVM
 * only (local codecs, see {@link EventBusCodecs}).
 *
 * @param <R> the reply storage answers with
 */
public sealed interface RetentionOp<R extends RetentionOp.Reply> {

  /** Consumed events older than {@code maxAgeDays}, up to {@code chunk} of them. */
  record DeleteAgedEvents(long maxAgeDays, int chunk) implements RetentionOp<Deleted> {}

  /** Issues last seen before {@code maxAgeDays} ago (unless muted or with a pending event), up to {@code chunk}. */
  record DeleteAgedIssues(long maxAgeDays, int chunk) implements RetentionOp<Deleted> {}

  /** About {@code chunk} access logs older than {@code maxAgeDays}, oldest first, with their rollups. */
  record DeleteAgedAccess(long maxAgeDays, int chunk) implements RetentionOp<Deleted> {}

  /** The oldest {@code chunk} access logs, whatever their age (over the size limit). */
  record DeleteOldestAccess(int chunk) implements RetentionOp<Deleted> {}

  /** The oldest {@code chunk} consumed events, whatever their age (over the size limit). */
  record DeleteOldestEvents(int chunk) implements RetentionOp<Deleted> {}

  /** Gives up to {@code pages} free pages back to the file system. */
  record ReclaimStep(int pages) implements RetentionOp<Reclaimed> {}

  /** The database's sizes, changing nothing. */
  record MeasureSizes() implements RetentionOp<Sizes> {}

  /** Gives every free page back and truncates the WAL; answers the sizes afterwards. */
  record Reclaim() implements RetentionOp<Sizes> {}

  /** Checkpoints, rebuilds the whole file with a full VACUUM, truncates the WAL. */
  record Vacuum() implements RetentionOp<Vacuumed> {}

  /** Stores {@code value} in {@code spark_meta} under {@code key} (a copy: the sender may go on changing its own). */
  record PutMeta(String key, JsonObject value) implements RetentionOp<MetaStored> {
    public PutMeta {
      value = value.copy();
    }
  }

  /** What storage answers. */
  sealed interface Reply {}

  /** The answer to one paced step: how long storage's writer spent on it (not counting its wait in the queue). */
  sealed interface Step extends Reply {
    long writerNanos();
  }

  /** Rows deleted by one step; fewer than the chunk means nothing more to delete. */
  record Deleted(int rows, long writerNanos) implements Step {}

  /** Pages one reclaim step gave back, and the free pages left. */
  record Reclaimed(int freedPages, long freePages, long writerNanos) implements Step {}

  /** Bytes the live data takes (free pages and WAL excluded), and the file plus its WAL on disk. */
  record Sizes(long usedBytes, long fileBytes) implements Reply {}

  /** A full VACUUM's report: database plus WAL before and after, the live data, and how long it took. */
  record Vacuumed(long bytesBefore, long bytesAfter, long usedBytes, long durationMs) implements Reply {
    public JsonObject toJson() {
      return new JsonObject().put("bytesBefore", bytesBefore).put("bytesAfter", bytesAfter).put("usedBytes", usedBytes)
          .put("durationMs", durationMs);
    }
  }

  /** The meta value is committed. */
  record MetaStored(String key) implements Reply {}
}
