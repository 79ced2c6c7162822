package dev.spark.storage;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.logging.Logger;

/**
 * Copies the WAL into the database file from a connection and a thread of its own, every
 * {@link #PERIOD_MS}, so the writer's commits do not. With SQLite's automatic checkpoint (every
 * 1,000 WAL pages) the copy and its fsyncs landed on whichever commit crossed the line: a sixth of
 * the writer's time per row in 100-row commits, and a stall of the acknowledgement it held
 * (BENCHMARKS.md, session 8). A {@code PASSIVE} checkpoint waits for no one: the writer keeps
 * committing and readers keep their snapshots while it runs. The writer keeps its own automatic
 * checkpoint at {@link #WRITER_BOUND_PAGES}, a bound the WAL reaches only if this falls behind or fails.
 */
final class Checkpointer {
  private static final Logger LOG = Logger.getLogger(Checkpointer.class.getName());
  static final long PERIOD_MS = 100;
  static final int WRITER_BOUND_PAGES = 10_000;

  private final Connection conn;
  private final Lock lock;
  private final ScheduledExecutorService thread;
  /** Checkpoints of this checkpointer that copied a WAL with new frames into the file, all of them. */
  final AtomicLong checkpoints = new AtomicLong();
  /** The WAL's frames at the last checkpoint (checkpointer thread only): the same count again is nothing new. */
  private long lastFrames;
  private volatile String lastError;

  private Checkpointer(Connection conn, Lock lock, String name) {
    this.conn = conn;
    this.lock = lock;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Opens its connection to {@code path} with the writer's {@code synchronous} (the fsyncs of a
   * checkpoint follow it) and starts; each checkpoint holds {@code lock} (see {@link SqliteDatabase#checkpointLock}).
   */
  static Checkpointer start(Path path, String synchronous, Lock lock, String name) throws SQLException {
    Connection conn = DriverManager.getConnection("jdbc:sqlite:" + path.toAbsolutePath());
    try (Statement st = conn.createStatement()) {
      st.execute("PRAGMA busy_timeout = 10000");
      st.execute("PRAGMA synchronous = " + synchronous);
      st.execute("PRAGMA wal_autocheckpoint = 0");
    } catch (SQLException e) {
      conn.close();
      throw e;
    }
    Checkpointer c = new Checkpointer(conn, lock, name);
    c.thread.scheduleWithFixedDelay(c::checkpoint, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    return c;
  }

  private void checkpoint() {
    lock.lock();
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
      // (busy, frames in the WAL, of them copied into the file): -1 when not in WAL mode.
      if (rs.next()) {
        long frames = rs.getLong(2);
        if (frames > 0 && rs.getLong(3) == frames && frames != lastFrames) checkpoints.incrementAndGet();
        lastFrames = frames;
      }
      if (lastError != null) LOG.info("Checkpoints work again (they failed: " + lastError + ")");
      lastError = null;
    } catch (SQLException | RuntimeException e) {
      // A full disk, say: the writer's own bound still applies, and the next period tries again.
      if (lastError == null) LOG.warning("Could not checkpoint the WAL (tried again every " + PERIOD_MS + " ms): " + e.getMessage());
      lastError = String.valueOf(e.getMessage());
    } finally {
      lock.unlock();
    }
  }

  /** Stops after the checkpoint in progress, if any, and closes the connection (before the writer closes the file). */
  void stop() {
    thread.shutdown();
    try {
      if (!thread.awaitTermination(30, TimeUnit.SECONDS)) LOG.warning("The checkpointer did not stop within 30 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      conn.close();
    } catch (SQLException e) {
      LOG.warning("Closing the checkpointer's connection failed: " + e.getMessage());
    }
  }
}
