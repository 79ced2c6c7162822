package dev.spark.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Savepoint;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * The writer's single SQLite connection: its named statements, its transactions and its closing.
 * Not thread-safe: only the storage verticle's writer thread touches it. The connection is always
 * inside a transaction (autocommit off); {@link #inTransaction} ends one, {@link #outsideTransaction}
 * runs what SQLite refuses inside one (VACUUM, checkpoints).
 */
public final class SqliteDatabase implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SqliteDatabase.class.getName());
  /**
   * The spark_meta key that says the access-log rollups are built. Rows written into access_logs
   * behind the writer's back (a benchmark's or a test's bulk fill) must delete it, so that the next
   * open builds the rollups from the rows, as for a file written before rollups existed.
   */
  public static final String ACCESS_ROLLUPS_META_KEY = AccessRollups.META_KEY;

  private final Path path;
  private final Connection conn;
  private final AccessRollups rollups;
  private final Map<String, PreparedStatement> prepared = new HashMap<>();
  private final Lock checkpointLock = new ReentrantLock();
  private final IndexRepair indexRepair = new IndexRepair(this);

  /** Work on the connection that may throw what JDBC throws. */
  @FunctionalInterface
  interface SqlWork<T> {
    T run() throws SQLException;
  }

  /** Work with a plain statement, run outside any transaction. */
  @FunctionalInterface
  interface StatementWork<T> {
    T run(Statement st) throws SQLException;
  }

  private SqliteDatabase(Path path, Connection conn) throws SQLException {
    this.path = path;
    this.conn = conn;
    this.rollups = new AccessRollups(conn);
  }

  /** Opens (creating, upgrading or replacing a damaged file as {@link SqliteFiles#open} says) the database at {@code path}. */
  public static SqliteDatabase open(Path path, String synchronous) throws SQLException, IOException {
    Connection conn = SqliteFiles.open(path, synchronous);
    try {
      return new SqliteDatabase(path, conn);
    } catch (SQLException | RuntimeException e) {
      conn.close();
      throw e;
    }
  }

  public Path path() {
    return path;
  }

  /** The access-log rollups, kept in step with every insert and delete on this connection. */
  AccessRollups rollups() {
    return rollups;
  }

  /** Rebuilds the indexes after a failure that says one is missing an entry. */
  IndexRepair indexRepair() {
    return indexRepair;
  }

  /**
   * Held by whatever checkpoints this file in this process (storage's {@link Checkpointer}, the
   * writer's TRUNCATE checkpoints). SQLite runs one checkpoint at a time and answers any other
   * "busy" at once, without waiting: a cleanup's closing TRUNCATE that met the checkpointer's
   * PASSIVE did nothing, and left the file and its WAL at their size before the pass.
   */
  Lock checkpointLock() {
    return checkpointLock;
  }

  /** A named statement, prepared once on this connection. */
  PreparedStatement statement(String name) throws SQLException {
    PreparedStatement st = prepared.get(name);
    if (st == null) {
      st = conn.prepareStatement(Sql.get(name));
      prepared.put(name, st);
    }
    return st;
  }

  /**
   * Runs the named statement with {@code values} bound, on a statement prepared for this call and
   * closed after it (no commit). For the statements run now and then (the janitor's deletes, meta
   * values): kept prepared, {@code put_meta} left SQLite counting a statement in progress, and the
   * next VACUUM refused to run (JanitorVerticleTest).
   */
  int updateOnce(String name, Object... values) throws SQLException {
    try (PreparedStatement st = conn.prepareStatement(Sql.get(name))) {
      for (int i = 0; i < values.length; i++) st.setObject(i + 1, values[i]);
      return st.executeUpdate();
    }
  }

  /** Runs {@code work} and commits it, or rolls it all back and rethrows when any of it fails. */
  <T> T inTransaction(SqlWork<T> work) throws SQLException {
    try {
      T result = work.run();
      conn.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly();
      throw e;
    }
  }

  /**
   * Runs {@code work} inside the open transaction as a savepoint: when it fails, only what it changed
   * is undone, the exception is rethrown, and the rest of the transaction stays as it was.
   */
  <T> T inSavepoint(String name, SqlWork<T> work) throws SQLException {
    Savepoint savepoint = conn.setSavepoint(name);
    try {
      T result = work.run();
      conn.releaseSavepoint(savepoint);
      return result;
    } catch (SQLException | RuntimeException e) {
      conn.rollback(savepoint);
      conn.releaseSavepoint(savepoint);
      throw e;
    }
  }

  /**
   * Runs {@code work} in SQLite's autocommit mode (each statement its own transaction), for the
   * pragmas and VACUUM that cannot run inside a transaction; back inside one afterwards.
   */
  <T> T outsideTransaction(StatementWork<T> work) throws SQLException {
    conn.setAutoCommit(true);
    try (Statement st = conn.createStatement()) {
      return work.run(st);
    } finally {
      conn.setAutoCommit(false);
    }
  }

  long pragmaLong(String name) throws SQLException {
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("PRAGMA " + name)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  public void commit() throws SQLException {
    conn.commit();
  }

  /**
   * Rolls the open transaction back. On SQLITE_FULL (and some I/O errors) SQLite has already rolled
   * it back by itself, and sqlite-jdbc does not know: its rollback then fails with "no transaction is
   * active", and were it left so, every later statement would run in SQLite's autocommit mode
   * (committed on its own, a group commit no longer all-or-nothing, consumed marks made without the
   * batch) while every {@code commit()} failed. Beginning the next transaction here puts the two back
   * in step (FullDiskTest).
   */
  public void rollbackQuietly() {
    rollups.rolledBack();
    try {
      conn.rollback();
    } catch (SQLException e) {
      try (Statement st = conn.createStatement()) {
        st.execute("BEGIN");
      } catch (SQLException again) {
        LOG.warning("Rollback failed (" + e.getMessage() + "), and so did beginning a new transaction: " + again.getMessage());
      }
    }
  }

  /**
   * Closes the connection, checkpointing the WAL first when it can. Every write was committed when it
   * was made, so a failed commit or checkpoint here (a full disk) loses nothing: the WAL stays beside
   * the file and SQLite replays it at the next open.
   */
  @Override
  public void close() throws SQLException {
    try {
      try {
        rollups.flush();
        conn.commit();
      } catch (SQLException e) {
        // The rows are committed; their rollups are tallied again from them at the next open.
        rollbackQuietly();
      }
      try {
        outsideTransaction(st -> st.execute("PRAGMA wal_checkpoint(TRUNCATE)"));
      } catch (SQLException e) {
        LOG.warning("Could not checkpoint the WAL at close (" + e.getMessage() + "); it is replayed at the next start");
      }
    } finally {
      conn.close();
    }
  }
}
