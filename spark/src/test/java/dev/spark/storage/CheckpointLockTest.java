package dev.spark.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SQLite runs one checkpoint at a time and answers a second one "busy" at once, busy_timeout or not
 * (checked with two connections: a TRUNCATE beside a running PASSIVE answered (1, -1, -1) in no time):
 * a cleanup's closing TRUNCATE that met the checkpointer's PASSIVE truncated nothing (JanitorSizeTest
 * failed on it in CI). So every checkpoint of the file in this process holds the database's
 * checkpoint lock: the checkpointer's and the writer's TRUNCATE alike.
 */
class CheckpointLockTest {
  @TempDir
  Path dir;

  @Test
  void theWritersTruncateWaitsForTheCheckpointersLock() throws Exception {
    Path file = dir.resolve("spark.db");
    try (SqliteDatabase db = SqliteDatabase.open(file, "NORMAL")) {
      db.outsideTransaction(st -> {
        st.execute("CREATE TABLE pad (b BLOB)");
        for (int i = 0; i < 4; i++) st.execute("INSERT INTO pad VALUES (randomblob(1048576))");
        return null;
      });
      assertTrue(SqliteFiles.fileSize(file, "-wal") > 4 * 1048576, "the writes are in the WAL");
      ReentrantLock lock = (ReentrantLock) db.checkpointLock();
      Checkpointer checkpointer = Checkpointer.start(file, "NORMAL", lock, "test-checkpointer");
      try {
        lock.lock();
        CompletableFuture<Void> reclaim;
        try {
          awaitQueued(lock, 1, "the checkpointer waits for the lock");
          reclaim = CompletableFuture.runAsync(() -> {
            try {
              new Maintenance(db).reclaim();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
          awaitQueued(lock, 2, "the writer's reclaim queued for the lock beside the checkpointer");
          assertFalse(reclaim.isDone(), "the reclaim's TRUNCATE waits while the lock is held");
        } finally {
          lock.unlock();
        }
        reclaim.get(30, TimeUnit.SECONDS);
        assertEquals(0, SqliteFiles.fileSize(file, "-wal"), "the TRUNCATE ran once it had the lock");
      } finally {
        checkpointer.stop();
      }
    }
  }

  /** Until {@code threads} threads wait for {@code lock} (at most 10 s). */
  private static void awaitQueued(ReentrantLock lock, int threads, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (lock.getQueueLength() < threads) {
      assertTrue(System.nanoTime() < deadline, what + " within 10 s");
      Thread.onSpinWait();
    }
  }
}
