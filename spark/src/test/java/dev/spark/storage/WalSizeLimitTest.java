package dev.spark.storage;

import dev.spark.bus.Addresses;
import dev.spark.bus.WriteRequest;
import dev.spark.event.AccessRow;
import dev.spark.support.AloneVerticles;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A WAL grown by one big transaction (here another connection's 80 MB; in use a vacuum beside a
 * reader, or the rollups' rebuild) does not keep that size on disk: once the checkpointer has
 * copied it, the writer's next commit cuts it back to {@link SqliteFiles#WAL_SIZE_LIMIT_BYTES}.
 * Without the limit SQLite reuses the file and it stays at 80 MB until a cleanup or a restart.
 */
@ExtendWith(VertxExtension.class)
class WalSizeLimitTest {
  private static final int BLOB_MB = 80;

  @TempDir
  Path dir;

  @Test
  void theWriterCutsABigWalBackToTheLimitAfterItIsCheckpointed(Vertx vertx) throws Exception {
    Path file = dir.resolve("spark.db");
    AloneVerticles.deploy(vertx, new StorageVerticle(Clock.systemUTC()), AloneVerticles.config(file, null)).await(30, TimeUnit.SECONDS);
    long copiesBefore = stats(vertx).getLong("walCheckpoints");

    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath()); Statement st = c.createStatement()) {
      st.execute("PRAGMA busy_timeout = 10000");
      c.setAutoCommit(false);
      st.execute("CREATE TABLE pad (b BLOB)");
      for (int i = 0; i < BLOB_MB; i++) st.execute("INSERT INTO pad VALUES (randomblob(1048576))");
      c.commit();
    }
    long grown = SqliteFiles.fileSize(file, "-wal");
    assertTrue(grown > SqliteFiles.WAL_SIZE_LIMIT_BYTES, "the big transaction grew the WAL past the limit: " + grown);

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (stats(vertx).getLong("walCheckpoints") == copiesBefore) {
      assertTrue(System.nanoTime() < deadline, "the checkpointer copied the big WAL within 20 s");
      vertx.timer(Checkpointer.PERIOD_MS, TimeUnit.MILLISECONDS).await(5, TimeUnit.SECONDS);
    }
    vertx.eventBus().request(Addresses.STORAGE_WRITE, new WriteRequest.Access(List.of(
        new AccessRow("2026-12-07T10:00:00.000Z", "GET", "/after", 200, 1.0, null, null, "req-1", null, null, null))))
        .await(30, TimeUnit.SECONDS);

    long after = SqliteFiles.fileSize(file, "-wal");
    assertTrue(after <= SqliteFiles.WAL_SIZE_LIMIT_BYTES, "the WAL is back under the limit after the writer's next commit: "
        + after + " bytes (it was " + grown + ")");
  }

  private static JsonObject stats(Vertx vertx) throws Exception {
    return vertx.eventBus().<JsonObject>request(Addresses.STORAGE_STATS, null).await(10, TimeUnit.SECONDS).body();
  }
}
