package dev.spark.query;

import dev.spark.event.StoredEvent;
import dev.spark.storage.SqliteFiles;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code GET /api/v1/status} answers and {@code spark status} prints: the database file and
 * its size (WAL included), row counts, the newest event, the last cleanup report, and the storage
 * verticle's queue. The server builds it from its read pool; the CLI, when Spark is not running,
 * builds it from a read-only connection with {@code storage} null, so both modes agree.
 */
public final class StatusReport {
  private StatusReport() {}

  /**
   * @param storage the storage verticle's stats ({@code spark.storage.stats}), or null when no
   *     Spark is running and the report is read from the file
   */
  public static Future<JsonObject> build(ReadStore reads, Path dbPath, JsonObject storage) {
    Path path = dbPath.toAbsolutePath().normalize();
    Future<JsonObject> counts = reads.counts();
    Future<List<StoredEvent>> newest = reads.events(new ReadStore.Filter(), 1);
    Future<JsonObject> lastCleanup = reads.meta("last_cleanup");
    return Future.all(counts, newest, lastCleanup).map(v -> {
      long main = SqliteFiles.fileSize(path, "");
      long wal = SqliteFiles.fileSize(path, "-wal");
      List<StoredEvent> last = newest.result();
      return new JsonObject()
          .put("db", new JsonObject().put("path", path.toString()).put("bytes", main + wal)
              .put("fileBytes", main).put("walBytes", wal))
          .put("counts", counts.result())
          .put("lastEvent", last.isEmpty() ? null : last.get(0).toJson())
          .put("lastCleanup", lastCleanup.result())
          .put("storage", storage);
    });
  }
}
