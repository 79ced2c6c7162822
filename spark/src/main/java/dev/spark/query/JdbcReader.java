package dev.spark.query;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Plain JDBC reads on worker threads, for the few analytics queries whose results are folded while they
 * stream (the Vert.x SQL client would first build a row object for every one of tens of thousands of
 * rows). Connections are {@code query_only}: they cannot write, whatever they are asked. Each piece of
 * work runs in one read transaction, so all its statements see one snapshot of the file (the access
 * statistics read the fold watermark and the rollups it describes; a fold committed between two
 * statements would otherwise count its minutes twice or not at all).
 */
final class JdbcReader {
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private static final int THREADS = 2;

  private final WorkerExecutor worker;
  private final String url;
  private final ConcurrentLinkedQueue<Connection> idle = new ConcurrentLinkedQueue<>();
  private volatile boolean closed;

  JdbcReader(Vertx vertx, Path db) {
    this.url = "jdbc:sqlite:" + db.toAbsolutePath();
    this.worker = vertx.createSharedWorkerExecutor("spark-dashboard-analytics", THREADS, 5, TimeUnit.MINUTES);
  }

  <T> Future<T> query(Work<T> work) {
    return worker.executeBlocking(() -> {
      Connection c = idle.poll();
      if (c == null) c = open();
      try {
        T result = work.run(c);
        c.commit();
        release(c);
        return result;
      } catch (SQLException | RuntimeException e) {
        closeQuietly(c);
        throw e;
      }
    }, false);
  }

  private Connection open() throws SQLException {
    Connection c = DriverManager.getConnection(url);
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA busy_timeout = 5000");
      st.execute("PRAGMA query_only = 1");
      // Scans read the file through the OS page cache without copying each page into a private cache.
      st.execute("PRAGMA mmap_size = 268435456");
    }
    // A deferred transaction: the snapshot is taken at the work's first read and let go at its commit.
    c.setAutoCommit(false);
    return c;
  }

  private void release(Connection c) {
    if (closed || idle.size() >= THREADS) closeQuietly(c);
    else idle.offer(c);
  }

  Future<Void> close() {
    closed = true;
    Connection c;
    while ((c = idle.poll()) != null) closeQuietly(c);
    return worker.close();
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // closing anyway
    }
  }
}
