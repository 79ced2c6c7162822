package dev.spark.storage;

import dev.spark.config.SparkConfig;
import dev.spark.event.AccessRow;
import dev.spark.event.EventBatch;
import dev.spark.event.EventRow;
import dev.spark.event.IssueDelivery;
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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
  private final PreparedStatement upsertIssue;
  private final AccessRollups rollups;
  /**
   * The spark_meta key that says the access-log rollups are built. Rows written into access_logs
   * behind the writer's back (a benchmark's or a test's bulk fill) must delete it, so that the next
   * open builds the rollups from the rows, as for a file written before rollups existed.
   */
  public static final String ACCESS_ROLLUPS_META_KEY = AccessRollups.META_KEY;
  private final Map<String, PreparedStatement> prepared = new java.util.HashMap<>();

  private SqliteDatabase(Path path, Connection conn) throws SQLException {
    this.path = path;
    this.conn = conn;
    this.insertEvent = conn.prepareStatement(Sql.get("insert_event"));
    this.insertAccess = conn.prepareStatement(Sql.get("insert_access"));
    this.lastInsertId = conn.prepareStatement(Sql.get("last_insert_id"));
    this.upsertIssue = conn.prepareStatement(Sql.get("upsert_issue"));
    this.rollups = new AccessRollups(conn);
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
      configure(conn, synchronous);
      try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master")) {
        rs.next();
      }
      createSchema(conn);
      AccessRollups.ensureBuilt(conn);
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

  private static final Pattern ADD_COLUMN = Pattern.compile("(?is)\\s*ALTER\\s+TABLE\\s+(\\w+)\\s+ADD\\s+COLUMN\\s+(\\w+).*");

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

  private static final byte[] HEADER = "SQLite format 3\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** True for a missing or empty file (SQLite creates it) and for one with SQLite's header. */
  private static boolean looksLikeSqlite(Path path) throws IOException {
    if (!Files.exists(path) || Files.size(path) == 0) return true;
    try (var in = Files.newInputStream(path)) {
      return java.util.Arrays.equals(in.readNBytes(HEADER.length), HEADER);
    }
  }

  /** The writer connection's settings; the benchmark's plain-JDBC baseline uses the same. */
  public static void configure(Connection conn, String synchronous) throws SQLException {
    try (Statement st = conn.createStatement()) {
      st.execute("PRAGMA busy_timeout = 10000");
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

  /**
   * Inserts the rows without committing; returns their ids in order. A row whose {@code eventId} is
   * already stored is not inserted again and gets the stored row's id ({@link InsertedEvents}).
   */
  public InsertedEvents insertEvents(List<EventRow> rows) throws SQLException {
    return InsertedEvents.insert(rows, insertEvent, statement("max_event_id"), statement("event_ids_after"),
        statement("event_by_event_id"), this::idsEndingAtLastInsert);
  }

  /**
   * Adds the occurrences of one commit to their issues (one upsert per fingerprint), without
   * committing: in the transaction that inserted the events. A resolved issue that occurs again is
   * reopened and marked as a regression.
   */
  void upsertIssues(IssueTally tally, Instant now) throws SQLException {
    if (tally.isEmpty()) return;
    String at = Timestamps.format(now);
    for (IssueTally.Issue i : tally.issues()) {
      upsertIssue.setString(1, i.fingerprint);
      upsertIssue.setString(2, i.type);
      upsertIssue.setString(3, i.summary == null ? null : i.summary.errorClass());
      upsertIssue.setString(4, i.summary == null ? null : i.summary.message());
      upsertIssue.setString(5, i.summary == null ? null : i.summary.culprit());
      upsertIssue.setString(6, i.firstSeen);
      upsertIssue.setString(7, i.lastSeen);
      upsertIssue.setLong(8, i.count);
      upsertIssue.setLong(9, i.firstId);
      upsertIssue.setLong(10, i.lastId);
      upsertIssue.setString(11, at);
      upsertIssue.addBatch();
    }
    upsertIssue.executeBatch();
  }

  /** Inserts the rows and adds them to the rollups, without committing; returns their ids in order. */
  public long[] insertAccess(List<AccessRow> rows) throws SQLException {
    for (AccessRow r : rows) {
      insertAccess.setString(1, r.timestamp());
      insertAccess.setString(2, r.method());
      insertAccess.setString(3, r.path());
      insertAccess.setInt(4, r.status());
      if (r.durationMs() == null) insertAccess.setNull(5, Types.REAL);
      else insertAccess.setDouble(5, r.durationMs());
      insertAccess.setString(6, r.ip());
      insertAccess.setString(7, r.feature());
      insertAccess.setString(8, r.requestId());
      insertAccess.setString(9, r.input());
      insertAccess.setString(10, r.error());
      insertAccess.setString(11, r.userAgent());
      insertAccess.addBatch();
    }
    insertAccess.executeBatch();
    rollups.add(rows);
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

  /** Takes up to {@code limit} pending events, oldest first, and marks them consumed, atomically (no flood control). */
  public List<StoredEvent> consumePending(int limit) throws SQLException {
    return consume(limit, new SparkConfig.Issues(0, false), Instant.now()).events();
  }

  /**
   * Takes up to {@code limit} pending events, oldest first, and marks them consumed, atomically,
   * deciding per issue what is delivered (see README, "Issues"). With flood control each issue of
   * the batch is delivered at most once, as its first occurrence in the batch, when it is new, a
   * regression, or its cooldown has passed since its last delivery; muted and resolved issues and
   * issues within their cooldown are consumed without delivery ({@code suppressed = 1}) and counted
   * on the issue. Events without a fingerprint (stored before issues existed) are delivered as they are.
   */
  public EventBatch consume(int limit, SparkConfig.Issues policy, Instant now) throws SQLException {
    return consume(limit, policy, now, List.of());
  }

  /**
   * As {@link #consume(int, SparkConfig.Issues, Instant)}, and records the batch it delivers for each
   * of {@code holdFor} (held subscribers: Spark's own agent) in {@code agent_outbox}, in the same
   * transaction: a consumed batch is never lost to them by a crash before they take it.
   */
  public EventBatch consume(int limit, SparkConfig.Issues policy, Instant now, List<String> holdFor) throws SQLException {
    String at = Timestamps.format(now);
    List<StoredEvent> pending = new ArrayList<>();
    try {
      PreparedStatement select = statement("select_pending");
      select.setInt(1, limit);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) pending.add(Rows.event(rs).asConsumed(at));
      }
      if (pending.isEmpty()) {
        conn.commit();
        return new EventBatch(List.of(), 0, 0);
      }
      long through = pending.get(pending.size() - 1).id();
      if (!policy.floodControl()) {
        PreparedStatement mark = statement("mark_consumed");
        mark.setString(1, at);
        mark.setLong(2, through);
        mark.executeUpdate();
        EventBatch batch = new EventBatch(pending);
        AgentOutbox.hold(this, holdFor, batch, at);
        conn.commit();
        return batch;
      }
      PreparedStatement mark = statement("mark_consumed_suppressed");
      mark.setString(1, at);
      mark.setLong(2, through);
      mark.executeUpdate();

      Map<String, List<StoredEvent>> byIssue = new LinkedHashMap<>();
      List<StoredEvent> delivered = new ArrayList<>();
      for (StoredEvent e : pending) {
        if (e.fingerprint() == null) {
          markDelivered(e.id(), null);
          delivered.add(e);
        } else {
          byIssue.computeIfAbsent(e.fingerprint(), k -> new ArrayList<>()).add(e);
        }
      }
      for (Map.Entry<String, List<StoredEvent>> g : byIssue.entrySet()) {
        List<StoredEvent> events = g.getValue();
        JsonObject issue = issue(g.getKey());
        IssueDelivery d = decide(g.getKey(), issue, events, now, policy.cooldownMs());
        if (d == null) {
          PreparedStatement st = statement("issue_suppressed");
          st.setLong(1, events.size());
          st.setString(2, g.getKey());
          st.executeUpdate();
          continue;
        }
        StoredEvent first = representative(d, issue, events);
        markDelivered(first.id(), d.toJson().encode());
        PreparedStatement st = statement("issue_delivered");
        st.setString(1, at);
        st.setLong(2, first.id());
        st.setString(3, g.getKey());
        st.executeUpdate();
        delivered.add(first.withIssue(d));
      }
      delivered.sort(Comparator.comparingLong(StoredEvent::id));
      EventBatch batch = new EventBatch(delivered, pending.size(), through);
      AgentOutbox.hold(this, holdFor, batch, at);
      conn.commit();
      return batch;
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly();
      throw e;
    }
  }

  /** Whether (and as what) an issue's occurrences in this batch are delivered; null when they are not. */
  static IssueDelivery decide(String fingerprint, JsonObject issue, List<StoredEvent> events, Instant now, long cooldownMs) {
    int n = events.size();
    if (issue == null) {
      // Only when the row is gone (an aged issue removed while its events waited): deliver as new.
      String first = events.get(0).row().timestamp();
      return new IssueDelivery(fingerprint, IssueDelivery.NEW, n, n, n, null, null, first, events.get(n - 1).row().timestamp());
    }
    String status = issue.getString("status");
    if ("muted".equals(status) || "resolved".equals(status)) return null;
    String previous = issue.getString("lastDeliveredAt");
    String kind;
    if (issue.getBoolean("regression", false)) {
      kind = IssueDelivery.REGRESSION;
    } else if (previous == null) {
      kind = IssueDelivery.NEW;
    } else {
      Instant last = Timestamps.parse(previous);
      if (last != null && now.toEpochMilli() - last.toEpochMilli() < cooldownMs) return null;
      kind = IssueDelivery.STILL_HAPPENING;
    }
    long since = issue.getLong("suppressedSinceDelivery", 0L) + n;
    return new IssueDelivery(fingerprint, kind, n, issue.getLong("count", (long) n), since, previous,
        IssueDelivery.REGRESSION.equals(kind) ? issue.getString("resolvedAt") : null,
        issue.getString("firstSeen"), issue.getString("lastSeen"));
  }

  /**
   * The event that stands for the issue in this batch: its first occurrence in the batch; for a
   * regression, its first occurrence after the resolve (older ones may wait in the same batch).
   */
  static StoredEvent representative(IssueDelivery d, JsonObject issue, List<StoredEvent> events) {
    Long through = issue == null ? null : issue.getLong("resolvedThroughEventId");
    if (IssueDelivery.REGRESSION.equals(d.kind()) && through != null) {
      for (StoredEvent e : events) if (e.id() > through) return e;
    }
    return events.get(0);
  }

  private void markDelivered(long id, String delivery) throws SQLException {
    PreparedStatement st = statement("mark_delivered");
    st.setString(1, delivery);
    st.setLong(2, id);
    st.executeUpdate();
  }

  /** The issue with this fingerprint in the API's JSON shape, or null. Reads inside the current transaction. */
  JsonObject issue(String fingerprint) throws SQLException {
    PreparedStatement st = statement("issue_by_fingerprint");
    st.setString(1, fingerprint);
    try (ResultSet rs = st.executeQuery()) {
      if (!rs.next()) return null;
      return IssueRows.json(col -> {
        try {
          return rs.getObject(col);
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      });
    }
  }

  /**
   * Resolves, mutes or reopens an issue ({@code action} is {@code resolve}, {@code mute} or
   * {@code reopen}) in its own transaction; answers the issue as it is afterwards, or null when
   * there is no such issue. Setting the status it already has changes nothing.
   */
  public JsonObject setIssueStatus(String fingerprint, String action, Instant now) throws SQLException {
    String at = Timestamps.format(now);
    try {
      PreparedStatement st = statement(switch (action) {
        case "resolve" -> "issue_resolve";
        case "mute" -> "issue_mute";
        case "reopen" -> "issue_reopen";
        default -> throw new IllegalArgumentException("Unknown issue action " + action + "; one of resolve, mute, reopen");
      });
      int i = 1;
      st.setString(i++, at);
      if ("resolve".equals(action)) st.setString(i++, at);
      st.setString(i, fingerprint);
      st.executeUpdate();
      JsonObject issue = issue(fingerprint);
      conn.commit();
      return issue;
    } catch (SQLException | RuntimeException e) {
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
   * Deletes about {@code chunk} access-log rows, oldest first: all of them, or only those with a
   * timestamp before {@code olderThan} when it is not null; and takes them out of the rollups in the
   * same transaction (an aged chunk also takes the aged rows among the ids it spans). Returns how many rows went.
   */
  public int deleteAccessChunk(String olderThan, int chunk) throws SQLException {
    String where = olderThan == null ? null : Sql.get("where_before_timestamp");
    Object[] values = olderThan == null ? new Object[0] : new Object[] {olderThan};
    try {
      PreparedStatement range = statement(olderThan == null ? "oldest_access_range" : "aged_access_range");
      if (olderThan == null) {
        range.setInt(1, chunk);
      } else {
        range.setString(1, olderThan);
        range.setInt(2, chunk);
      }
      long from;
      long through;
      try (ResultSet rs = range.executeQuery()) {
        rs.next();
        from = rs.getLong(1);
        if (rs.wasNull()) {
          conn.commit();
          return 0;
        }
        through = rs.getLong(2);
      }
      rollups.subtract(from, through, where, values);
      PreparedStatement delete = statement(olderThan == null ? "delete_access_range" : "delete_aged_access_range");
      delete.setLong(1, from);
      delete.setLong(2, through);
      if (olderThan != null) delete.setString(3, olderThan);
      int n = delete.executeUpdate();
      conn.commit();
      return n;
    } catch (SQLException | RuntimeException e) {
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

  /**
   * Gives up to {@code pages} free pages back to the file system (auto_vacuum=INCREMENTAL files;
   * 0 otherwise); returns how many went. A step of a big reclaim, so the writer is not held long.
   */
  public int incrementalVacuum(int pages) throws SQLException {
    if (pragmaLong("auto_vacuum") != 2) return 0;
    long before = freePages();
    conn.setAutoCommit(true);
    try (Statement st = conn.createStatement()) {
      st.executeUpdate("PRAGMA incremental_vacuum(" + Math.max(1, pages) + ")");
    } finally {
      conn.setAutoCommit(false);
    }
    return (int) (before - freePages());
  }

  /**
   * Copies what it can of the WAL into the file without waiting for anyone (readers keep their
   * snapshots). After each janitor step, so the WAL never grows to the automatic checkpoint's 1,000
   * pages, whose checkpoint (and fsync) then lands on whichever commit crosses the line, an ingest
   * commit as likely as not, and holds the writer 15-120 ms.
   */
  public void checkpointPassive() throws SQLException {
    conn.setAutoCommit(true);
    try (Statement st = conn.createStatement()) {
      st.execute("PRAGMA wal_checkpoint(PASSIVE)");
    } finally {
      conn.setAutoCommit(false);
    }
  }

  public long freePages() throws SQLException {
    return pragmaLong("freelist_count");
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
