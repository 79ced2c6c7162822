package dev.spark.storage;

import dev.spark.event.AccessRow;
import dev.spark.event.EventRow;
import dev.spark.event.StoredEvent;
import dev.spark.event.Timestamps;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * The writer's single SQLite connection. Not thread-safe: only the storage verticle's writer
 * thread touches it. Every method that writes runs in its own transaction unless it says otherwise.
 */
public final class SqliteDatabase implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SqliteDatabase.class.getName());

  private final Path path;
  private final Connection conn;
  private final PreparedStatement insertEvent;
  private final PreparedStatement insertAccess;
  private final PreparedStatement lastInsertId;

  private SqliteDatabase(Path path, Connection conn) throws SQLException {
    this.path = path;
    this.conn = conn;
    this.insertEvent = conn.prepareStatement(Sql.get("insert_event"));
    this.insertAccess = conn.prepareStatement(Sql.get("insert_access"));
    this.lastInsertId = conn.prepareStatement(Sql.get("last_insert_id"));
  }

  /**
   * Opens (creating if needed) the database at {@code path}. A file that is not an SQLite database,
   * or that SQLite finds corrupt, is moved aside with its -wal/-shm, timestamped, and a fresh
   * database is created; any other failure to open is thrown as it is.
   */
  public static SqliteDatabase open(Path path, String synchronous) throws SQLException, IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    if (Files.isDirectory(path)) throw new IOException("db.path " + path + " is a directory, not a database file");
    if (!looksLikeSqlite(path)) {
      // Checked before SQLite opens it: SQLite would discard a -wal it cannot use, and we keep it.
      Path aside = moveAside(path);
      LOG.warning("Database " + path + " is not an SQLite database; moved it aside to " + aside + " and started a fresh one");
    }
    try {
      return openOnce(path, synchronous);
    } catch (SQLException e) {
      if (!Files.exists(path) || !damaged(e)) {
        throw new SQLException("Cannot open the database " + path.toAbsolutePath() + " (" + e.getMessage() + ")", e);
      }
      Path aside = moveAside(path);
      LOG.warning("Database " + path + " could not be opened (" + e.getMessage() + "); moved it aside to " + aside
          + " and started a fresh one");
      return openOnce(path, synchronous);
    }
  }

  /**
   * Only a file SQLite itself calls damaged is moved aside. Anything else (a full or read-only disk,
   * a lock held too long) says nothing about the file: moving it aside would hide the user's events
   * behind a fresh, empty database (FullDiskTest).
   */
  static boolean damaged(SQLException e) {
    if (!(e instanceof org.sqlite.SQLiteException se)) return false;
    int primary = se.getResultCode().code & 0xff;
    return primary == org.sqlite.SQLiteErrorCode.SQLITE_CORRUPT.code || primary == org.sqlite.SQLiteErrorCode.SQLITE_NOTADB.code;
  }

  private static SqliteDatabase openOnce(Path path, String synchronous) throws SQLException {
    Connection conn = DriverManager.getConnection("jdbc:sqlite:" + path.toAbsolutePath());
    try {
      try (Statement st = conn.createStatement()) {
        st.execute("PRAGMA busy_timeout = 10000");
        // Only takes effect on a new, empty file; lets the janitor give space back in small steps.
        st.execute("PRAGMA auto_vacuum = INCREMENTAL");
        try (ResultSet rs = st.executeQuery("PRAGMA journal_mode = WAL")) {
          rs.next();
        }
        st.execute("PRAGMA synchronous = " + synchronous);
        st.execute("PRAGMA foreign_keys = OFF");
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master")) {
          rs.next();
        }
        conn.setAutoCommit(false);
        for (String ddl : Sql.statements(Sql.schema())) st.execute(ddl);
        conn.commit();
      }
      return new SqliteDatabase(path, conn);
    } catch (SQLException e) {
      try {
        conn.close();
      } catch (SQLException ignored) {
        // already failing
      }
      throw e;
    }
  }

  private static final byte[] HEADER = "SQLite format 3\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** True for a missing or empty file (SQLite creates it) and for one with SQLite's header. */
  private static boolean looksLikeSqlite(Path path) throws IOException {
    if (!Files.exists(path) || Files.size(path) == 0) return true;
    try (var in = Files.newInputStream(path)) {
      return java.util.Arrays.equals(in.readNBytes(HEADER.length), HEADER);
    }
  }

  static Path moveAside(Path path) throws IOException {
    String stamp = Timestamps.now().replace(":", "").replace("-", "").replace(".", "");
    Path aside = path.resolveSibling(path.getFileName() + ".corrupt-" + stamp);
    Files.move(path, aside, StandardCopyOption.REPLACE_EXISTING);
    for (String suffix : new String[] {"-wal", "-shm"}) {
      Path side = path.resolveSibling(path.getFileName() + suffix);
      if (Files.exists(side)) Files.move(side, aside.resolveSibling(aside.getFileName() + suffix), StandardCopyOption.REPLACE_EXISTING);
    }
    return aside;
  }

  public Path path() {
    return path;
  }

  /** Inserts the rows without committing; returns their ids in order. */
  public long[] insertEvents(List<EventRow> rows) throws SQLException {
    for (EventRow r : rows) {
      insertEvent.setString(1, r.type());
      insertEvent.setString(2, r.traceId());
      insertEvent.setString(3, r.timestamp());
      insertEvent.setString(4, r.environment());
      insertEvent.setString(5, r.feature());
      insertEvent.setString(6, r.route());
      setInt(insertEvent, 7, r.status());
      insertEvent.setString(8, r.data());
      insertEvent.addBatch();
    }
    insertEvent.executeBatch();
    return idsEndingAtLastInsert(rows.size());
  }

  /** Inserts the rows without committing; returns their ids in order. */
  public long[] insertAccess(List<AccessRow> rows) throws SQLException {
    for (AccessRow r : rows) {
      insertAccess.setString(1, r.timestamp());
      insertAccess.setString(2, r.method());
      insertAccess.setString(3, r.path());
      insertAccess.setInt(4, r.status());
      if (r.durationMs() == null) insertAccess.setNull(5, Types.INTEGER);
      else insertAccess.setLong(5, r.durationMs());
      insertAccess.setString(6, r.ip());
      insertAccess.setString(7, r.feature());
      insertAccess.setString(8, r.requestId());
      insertAccess.setString(9, r.input());
      insertAccess.setString(10, r.error());
      insertAccess.setString(11, r.userAgent());
      insertAccess.addBatch();
    }
    insertAccess.executeBatch();
    return idsEndingAtLastInsert(rows.size());
  }

  /**
   * This connection is the only writer and the tables are AUTOINCREMENT, so the rows of one batch
   * got consecutive ids ending at last_insert_rowid().
   */
  private long[] idsEndingAtLastInsert(int count) throws SQLException {
    long last;
    try (ResultSet rs = lastInsertId.executeQuery()) {
      rs.next();
      last = rs.getLong(1);
    }
    long[] ids = new long[count];
    for (int i = 0; i < count; i++) ids[i] = last - count + 1 + i;
    return ids;
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

  /** Takes up to {@code limit} pending events, oldest first, and marks them consumed, atomically. */
  public List<StoredEvent> consumePending(int limit) throws SQLException {
    String now = Timestamps.now();
    List<StoredEvent> out = new ArrayList<>();
    try {
      try (PreparedStatement st = conn.prepareStatement(Sql.get("select_pending"))) {
        st.setInt(1, limit);
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) out.add(Rows.event(rs).asConsumed(now));
        }
      }
      if (!out.isEmpty()) {
        try (PreparedStatement st = conn.prepareStatement(Sql.get("mark_consumed"))) {
          st.setString(1, now);
          st.setLong(2, out.get(out.size() - 1).id());
          st.executeUpdate();
        }
      }
      conn.commit();
      return out;
    } catch (SQLException e) {
      rollbackQuietly();
      throw e;
    }
  }

  /** Runs one small delete (a named statement with its bound values) in its own transaction. */
  public int deleteChunk(String statement, Object... values) throws SQLException {
    try (PreparedStatement st = conn.prepareStatement(Sql.get(statement))) {
      for (int i = 0; i < values.length; i++) st.setObject(i + 1, values[i]);
      int n = st.executeUpdate();
      conn.commit();
      return n;
    } catch (SQLException e) {
      rollbackQuietly();
      throw e;
    }
  }

  /**
   * Bytes the live data takes: pages in use, free pages excluded. The WAL is left out on purpose:
   * deleting rows grows it until the next checkpoint, which {@link #reclaim} runs.
   */
  public long usedBytes() throws SQLException {
    return (pragmaLong("page_count") - pragmaLong("freelist_count")) * pragmaLong("page_size");
  }

  public long fileBytes() {
    return fileBytes(path);
  }

  /** The database file plus its WAL, in bytes (0 for what does not exist); needs no connection. */
  public static long fileBytes(Path path) {
    return fileSize(path, "") + fileSize(path, "-wal");
  }

  /** The size of {@code path} with {@code suffix} appended ("" for the file, "-wal" for its WAL); 0 when missing. */
  public static long fileSize(Path path, String suffix) {
    try {
      Path p = path.resolveSibling(path.getFileName() + suffix);
      return Files.exists(p) ? Files.size(p) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** Gives free pages back to the file system and truncates the WAL. */
  public void reclaim() throws SQLException {
    conn.setAutoCommit(true);
    try (Statement st = conn.createStatement()) {
      if (pragmaLong("auto_vacuum") == 2) {
        // executeUpdate steps the pragma to the end; execute would free a single page.
        st.executeUpdate("PRAGMA incremental_vacuum");
      } else if (pragmaLong("freelist_count") > 0) {
        st.execute("VACUUM");
      }
      st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    } finally {
      conn.setAutoCommit(false);
    }
  }

  /**
   * Checkpoints the WAL, rebuilds the whole file with a full {@code VACUUM} (every free page given
   * back, tables and indexes defragmented), then truncates the WAL the rebuild went through.
   */
  public void vacuum() throws SQLException {
    conn.setAutoCommit(true);
    try (Statement st = conn.createStatement()) {
      st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      st.execute("VACUUM");
      st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    } finally {
      conn.setAutoCommit(false);
    }
  }

  public void checkpoint() throws SQLException {
    conn.setAutoCommit(true);
    try (Statement st = conn.createStatement()) {
      st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    } finally {
      conn.setAutoCommit(false);
    }
  }

  public void putMeta(String key, JsonObject value) throws SQLException {
    try (PreparedStatement st = conn.prepareStatement(Sql.get("put_meta"))) {
      st.setString(1, key);
      st.setString(2, value.encode());
      st.executeUpdate();
      conn.commit();
    } catch (SQLException e) {
      rollbackQuietly();
      throw e;
    }
  }

  private long pragmaLong(String name) throws SQLException {
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("PRAGMA " + name)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  private static void setInt(PreparedStatement st, int index, Integer value) throws SQLException {
    if (value == null) st.setNull(index, Types.INTEGER);
    else st.setInt(index, value);
  }

  static String cutoff(long maxAgeDays) {
    return Timestamps.format(Instant.now().minusSeconds(maxAgeDays * 86_400));
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
        conn.commit();
      } catch (SQLException e) {
        rollbackQuietly();
      }
      try {
        checkpoint();
      } catch (SQLException e) {
        LOG.warning("Could not checkpoint the WAL at close (" + e.getMessage() + "); it is replayed at the next start");
      }
    } finally {
      conn.close();
    }
  }
}
