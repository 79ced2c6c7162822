package dev.spark.storage;

import io.vertx.core.json.JsonObject;

/**
 * The maintenance steps the janitor asks storage for, one small step per request so ingest keeps
 * flowing between them (except {@code vacuum}, which rebuilds the whole file in one go and holds
 * the writer while it does). A step that deleted rows or gave pages back also checkpoints what it
 * wrote to the WAL. Runs on the writer thread.
 */
final class Janitorial {
  private final SqliteDatabase db;

  Janitorial(SqliteDatabase db) {
    this.db = db;
  }

  JsonObject run(JsonObject request) throws Exception {
    String op = request.getString("op", "");
    int chunk = request.getInteger("chunk", 1000);
    return switch (op) {
      case "deleteAgedEvents" -> deleted(db.deleteChunk("delete_aged_events", SqliteDatabase.cutoff(request.getLong("maxAgeDays")), chunk));
      case "deleteAgedIssues" -> deleted(db.deleteChunk("delete_aged_issues", SqliteDatabase.cutoff(request.getLong("maxAgeDays")), chunk));
      case "deleteAgedAccess" -> deleted(db.deleteAccessChunk(SqliteDatabase.cutoff(request.getLong("maxAgeDays")), chunk));
      case "deleteOldestAccess" -> deleted(db.deleteAccessChunk(null, chunk));
      case "deleteOldestEvents" -> deleted(db.deleteChunk("delete_oldest_consumed_events", chunk));
      case "reclaimStep" -> {
        int freed = db.incrementalVacuum(request.getInteger("pages", 1000));
        checkpoint(freed);
        yield new JsonObject().put("freed", freed).put("freePages", db.freePages());
      }
      case "sizes" -> sizes();
      case "reclaim" -> {
        db.reclaim();
        yield sizes();
      }
      case "vacuum" -> vacuum();
      case "putMeta" -> {
        db.putMeta(request.getString("key"), request.getJsonObject("value"));
        yield new JsonObject();
      }
      default -> throw new IllegalArgumentException("Unknown maintenance operation: " + op);
    };
  }

  /** A full VACUUM with the sizes (database plus WAL) before and after. */
  private JsonObject vacuum() throws Exception {
    long started = System.nanoTime();
    long before = db.fileBytes();
    db.vacuum();
    return new JsonObject()
        .put("bytesBefore", before)
        .put("bytesAfter", db.fileBytes())
        .put("usedBytes", db.usedBytes())
        .put("durationMs", (System.nanoTime() - started) / 1_000_000);
  }

  private JsonObject sizes() throws Exception {
    return new JsonObject().put("usedBytes", db.usedBytes()).put("fileBytes", db.fileBytes());
  }

  /** A step that changed pages checkpoints them at once (see {@link SqliteDatabase#checkpointPassive}). */
  private JsonObject deleted(int n) throws Exception {
    checkpoint(n);
    return new JsonObject().put("deleted", n);
  }

  private void checkpoint(int changed) throws Exception {
    if (changed > 0) db.checkpointPassive();
  }
}
