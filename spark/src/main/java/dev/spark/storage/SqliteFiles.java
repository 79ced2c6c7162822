package dev.spark.storage;

import dev.spark.event.Timestamps;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The database file: opening it with the writer's settings, moving a damaged one aside, creating and
 * upgrading the schema, and its size on disk.
 */
public final class SqliteFiles {
  private static final Logger LOG = Logger.getLogger(SqliteFiles.class.getName());
  private static final byte[] HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
  private static final Pattern ADD_COLUMN = Pattern.compile("(?is)\\s*ALTER\\s+TABLE\\s+(\\w+)\\s+ADD\\s+COLUMN\\s+(\\w+).*");

  private SqliteFiles() {}

  /**
   * Opens (creating if needed) the database at {@code path} and answers a connection with the schema
   * in place. A file that is not an SQLite database, or that SQLite finds corrupt, is moved aside
   * with its -wal/-shm, timestamped, and a fresh database is created; any other failure to open is
   * thrown as it is.
   */
  static Connection open(Path path, String synchronous) throws SQLException, IOException {
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
        String advice = IndexRepair.missingIndexEntry(e) ? "; an index is missing an entry: rebuild the indexes with"
            + " `sqlite3 " + path.toAbsolutePath() + " REINDEX` while Spark is stopped, and keep a copy of the file first" : "";
        throw new SQLException("Cannot open the database " + path.toAbsolutePath() + " (" + e.getMessage() + ")" + advice, e);
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
    // An index missing an entry is mended in place by REINDEX (IndexRepair): the rows are intact.
    if (!(e instanceof SQLiteException se) || IndexRepair.missingIndexEntry(e)) return false;
    int primary = se.getResultCode().code & 0xff;
    return primary == SQLiteErrorCode.SQLITE_CORRUPT.code || primary == SQLiteErrorCode.SQLITE_NOTADB.code;
  }

  private static Connection openOnce(Path path, String synchronous) throws SQLException {
    Connection conn = DriverManager.getConnection("jdbc:sqlite:" + path.toAbsolutePath());
    try {
      configure(conn, synchronous);
      try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master")) {
        rs.next();
      }
      createSchema(conn);
      RollupBuild.ensureBuilt(conn);
      return conn;
    } catch (SQLException e) {
      try {
        conn.close();
      } catch (SQLException ignored) {
        // already failing
      }
      throw e;
    }
  }

  /**
   * The WAL file's size on disk once a checkpoint has copied it all (SQLite cuts it back to this at
   * the writer's next commit). Without a limit, the WAL keeps the size of its largest transaction
   * until a cleanup or a restart truncates it: a vacuum beside a reader, the rollups' rebuild at
   * open, a reader holding a snapshot under load. Above the writer's own checkpoint bound (40 MB), so
   * steady ingest never pays for a WAL cut and grown again.
   */
  static final long WAL_SIZE_LIMIT_BYTES = 64L * 1024 * 1024;

  /** The writer connection's settings; the benchmark's plain-JDBC baseline uses the same. */
  public static void configure(Connection conn, String synchronous) throws SQLException {
    try (Statement st = conn.createStatement()) {
      st.execute("PRAGMA busy_timeout = 10000");
      try (ResultSet rs = st.executeQuery("PRAGMA journal_size_limit = " + WAL_SIZE_LIMIT_BYTES)) {
        rs.next();
      }
      // Only takes effect on a new, empty file; lets the janitor give space back in small steps.
      st.execute("PRAGMA auto_vacuum = INCREMENTAL");
      try (ResultSet rs = st.executeQuery("PRAGMA journal_mode = WAL")) {
        rs.next();
      }
      st.execute("PRAGMA synchronous = " + synchronous);
      st.execute("PRAGMA foreign_keys = OFF");
    }
  }

  /** Creates the tables and indexes of {@code sql/schema.sql} where missing, in one transaction. */
  public static void createSchema(Connection conn) throws SQLException {
    conn.setAutoCommit(false);
    try (Statement st = conn.createStatement()) {
      for (String ddl : Sql.statements(Sql.schema())) {
        if (!columnExists(conn, ddl)) st.execute(ddl);
      }
    }
    conn.commit();
  }

  /**
   * True when {@code ddl} adds a column the table already has: the schema's "ALTER TABLE ... ADD
   * COLUMN" lines upgrade a file written before the column existed and are skipped afterwards.
   */
  private static boolean columnExists(Connection conn, String ddl) throws SQLException {
    Matcher m = ADD_COLUMN.matcher(ddl);
    if (!m.matches()) return false;
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("PRAGMA table_info(" + m.group(1) + ")")) {
      while (rs.next()) if (m.group(2).equalsIgnoreCase(rs.getString("name"))) return true;
    }
    return false;
  }

  /** True for a missing or empty file (SQLite creates it) and for one with SQLite's header. */
  private static boolean looksLikeSqlite(Path path) throws IOException {
    if (!Files.exists(path) || Files.size(path) == 0) return true;
    try (InputStream in = Files.newInputStream(path)) {
      return Arrays.equals(in.readNBytes(HEADER.length), HEADER);
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
}
