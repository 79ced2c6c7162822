package dev.spark.bench;

import dev.spark.storage.SqliteFiles;

import dev.spark.event.Timestamps;
import dev.spark.storage.Sql;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Plain sqlite-jdbc, no Vert.x: the same schema (Spark's {@code sql/schema.sql}), the same pragmas
 * as {@code SqliteFiles.configure}, the same INSERT statement, rows with the same column values
 * Spark stores for the benchmark's access logs. One thread, one connection.
 */
final class SqliteBaseline {
  /** The pragmas the last {@link #run} ended up with, as SQLite reports them. */
  static volatile String lastPragmas = "?";

  private SqliteBaseline() {}

  /** Opens a fresh database exactly as Spark's writer does, and returns the pragmas it ended up with. */
  static Connection open(Path db, String synchronous) throws SQLException {
    Connection conn = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
    SqliteFiles.configure(conn, synchronous);
    SqliteFiles.createSchema(conn);
    return conn;
  }

  static String pragmas(Connection conn) throws SQLException {
    StringBuilder out = new StringBuilder();
    try (Statement st = conn.createStatement()) {
      for (String p : new String[] {"journal_mode", "synchronous", "auto_vacuum", "page_size"}) {
        try (ResultSet rs = st.executeQuery("PRAGMA " + p)) {
          rs.next();
          out.append(out.length() == 0 ? "" : ", ").append(p).append('=').append(rs.getString(1));
        }
      }
      try (ResultSet rs = st.executeQuery("SELECT sqlite_version()")) {
        rs.next();
        out.append(", sqlite ").append(rs.getString(1));
      }
    }
    conn.commit();
    return out.toString();
  }

  /**
   * Inserts rows for {@code seconds}, {@code txRows} rows per transaction (batched with
   * addBatch/executeBatch, then commit). With {@code txRows == 1}: one INSERT + COMMIT per row.
   */
  static RunStats run(RunStats stats, Path db, String synchronous, int txRows, double seconds) throws SQLException {
    return run(stats, db, synchronous, txRows, 0, seconds, () -> {});
  }

  /**
   * As {@link #run(RunStats, Path, String, int, double)}, after {@code leadInSeconds} of the same
   * inserts on the same connection and file, which count only in the data check (as Spark's lead-in);
   * {@code measuring} runs between the two (it starts the CPU sampler).
   */
  static RunStats run(RunStats stats, Path db, String synchronous, int txRows, double leadInSeconds, double seconds,
      Runnable measuring) throws SQLException {
    try (Connection conn = open(db, synchronous);
         PreparedStatement insert = conn.prepareStatement(Sql.get("insert_access"))) {
      lastPragmas = pragmas(conn);
      long n = 0;
      if (leadInSeconds > 0) {
        stats.leadIn = new RunStats(stats.key, "lead-in", "rows");
        n = insertFor(conn, insert, txRows, 0, leadInSeconds, stats.leadIn);
      }
      measuring.run();
      n = insertFor(conn, insert, txRows, n, seconds, stats);
      // A fresh AUTOINCREMENT table with one writer: the committed rows are ids 1..n.
      if (n > 0) stats.ackedIds.set(1, (int) n + 1);
    }
    return stats;
  }

  /** Inserts rows {@code from}, {@code from + 1}, ... for {@code seconds}; returns the next row's number. */
  private static long insertFor(Connection conn, PreparedStatement insert, int txRows, long from, double seconds, RunStats stats)
      throws SQLException {
    long n = from;
    stats.startNanos = System.nanoTime();
    long deadline = stats.startNanos + (long) (seconds * 1e9);
    while (System.nanoTime() < deadline) {
      long txStart = System.nanoTime();
      for (int i = 0; i < txRows; i++, n++) {
        // the values Spark stores for Payloads.accessLog(n)
        insert.setString(1, Timestamps.now());
        insert.setString(2, "GET");
        insert.setString(3, Payloads.path(n));
        insert.setInt(4, Payloads.status(n));
        insert.setLong(5, Payloads.durationMs(n));
        insert.setString(6, "127.0.0.1");
        insert.setString(7, "get-user");
        insert.setString(8, Payloads.requestId(n));
        insert.setNull(9, java.sql.Types.VARCHAR);
        insert.setNull(10, java.sql.Types.VARCHAR);
        insert.setString(11, "bench");
        if (txRows == 1) insert.executeUpdate();
        else insert.addBatch();
      }
      if (txRows > 1) insert.executeBatch();
      conn.commit();
      stats.requestsOk++;
      stats.ackLatencyNanos.add(System.nanoTime() - txStart);
    }
    stats.endNanos = System.nanoTime();
    stats.rowsOk = n - from;
    return n;
  }

  /** The schema script split into statements, comment lines dropped (it has no ';' inside statements). */
  static List<String> statements(String script) {
    StringBuilder clean = new StringBuilder();
    for (String line : script.split("\n")) if (!line.trim().startsWith("--")) clean.append(line).append('\n');
    List<String> out = new ArrayList<>();
    for (String s : clean.toString().split(";")) if (!s.isBlank()) out.add(s.trim());
    return out;
  }
}
