package dev.spark.storage;

import dev.spark.event.AccessRow;
import dev.spark.query.ReadStore;
import dev.spark.support.Await;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The writer applies access rows to the rollups per flush ({@link AccessRollups#FLUSH_ROWS}), not per
 * commit: readers add the rows after the mark, and a rollback or a crash, which lose what was tallied
 * in memory, lose nothing of the rollups: the rows after the mark are tallied again from the file.
 */
@ExtendWith(VertxExtension.class)
class DeferredRollupsTest {
  private final Instant now = Instant.now();
  private final RollupOracle oracle = new RollupOracle(23, now);

  @Test
  void readersAddTheRowsTheWriterHasNotAppliedYet(Vertx vertx, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("spark.db");
    List<AccessRow> rows = new ArrayList<>();
    try (SqliteDatabase db = SqliteDatabase.open(file, "NORMAL")) {
      for (int batch = 0; batch < 14; batch++) {
        if (batch == 5) db.rollups().fold(now);
        rows.addAll(insert(db, 700));
        db.commit();
        long lag = maxId(file) - through(file);
        assertTrue(lag >= 0 && lag < AccessRollups.FLUSH_ROWS, "batch " + batch + ": the rollups lag by less than a flush: " + lag);
      }
      AccessRow plain = row("/only/in/the/tail");
      new RowInserts(db).insertAccess(List.of(plain));
      db.commit();
      rows.add(plain);
      assertTrue(maxId(file) > through(file), "rows wait for the next flush");

      RollupOracle.assertFolded(file, rows, "with rows after the mark");
      oracle.assertSame(vertx, file, rows, "with rows after the mark");
      ReadStore store = new ReadStore(vertx, file);
      try {
        // A path that is its own route is looked up in the rollups before the table is read for it.
        assertEquals(1, Await.result(store.access(new ReadStore.Filter().where("where_path", "/only/in/the/tail"), 10)).size(),
            "a path whose only row is after the mark is found");
        assertEquals(0, Await.result(store.access(new ReadStore.Filter().where("where_path", "/never/stored"), 10)).size());
      } finally {
        Await.result(store.close());
      }
    }
    assertEquals(maxId(file), through(file), "closing applies every row");
    RollupOracle.assertFolded(file, rows, "after closing");
  }

  @Test
  void aRollbackOrACrashLosesNoRowOfTheRollups(Vertx vertx, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("spark.db");
    List<AccessRow> rows = new ArrayList<>();
    SqliteDatabase crashed = SqliteDatabase.open(file, "NORMAL");
    crashed.rollups().fold(now);
    rows.addAll(insert(crashed, 1_500));
    crashed.commit();
    // A group commit that fails after its rows and their tally: the rows are not on disk, nor in the rollups.
    insert(crashed, 800);
    crashed.rollbackQuietly();
    rows.addAll(insert(crashed, 900));
    crashed.commit();
    assertTrue(maxId(file) > through(file), "rows tallied in memory only when the process dies");
    // The process dies: what it had tallied in memory is gone, its connection with it.
    abandon(crashed);

    try (SqliteDatabase db = SqliteDatabase.open(file, "NORMAL")) {
      rows.addAll(insert(db, 600));
      db.commit();
      // The janitor's delete of the oldest rows applies what is due first, then takes the rows away.
      int deleted = new Retention(db).deleteAccessChunk(null, 1_000);
      assertEquals(1_000, deleted);
      rows.clear();
      rows.addAll(RollupOracle.onDisk(file));
      rows.addAll(insert(db, 300));
      db.commit();
      RollupOracle.assertFolded(file, rows, "after a rollback, a crash and a delete, writer open");
    }
    RollupOracle.assertFolded(file, rows, "after a rollback, a crash and a delete");
    oracle.assertSame(vertx, file, rows, "after a rollback, a crash and a delete");
  }

  @Test
  void rollupsOfTheVersionBeforeTheMarkAreKeptAndMarkedComplete(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("spark.db");
    List<AccessRow> rows = new ArrayList<>();
    try (SqliteDatabase db = SqliteDatabase.open(file, "NORMAL")) {
      rows.addAll(insert(db, 2_000));
      db.commit();
    }
    // As version 5 left it: every row applied in its own commit, no mark; a rebuild would reset builtFromRows.
    exec(file, "UPDATE spark_meta SET value = json_set(json_remove(value, '$.through'), '$.version', 5, '$.builtFromRows', -7)"
        + " WHERE key = '" + AccessRollups.META_KEY + "'");
    SqliteDatabase.open(file, "NORMAL").close();
    JsonObject meta = meta(file);
    assertEquals(AccessRollups.VERSION, meta.getInteger("version"));
    assertEquals(-7, meta.getInteger("builtFromRows"), "kept, not rebuilt");
    assertEquals(maxId(file), meta.getLong(AccessRollups.THROUGH));
    RollupOracle.assertFolded(file, rows, "after the upgrade");
  }

  private List<AccessRow> insert(SqliteDatabase db, int n) throws SQLException {
    List<AccessRow> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) batch.add(oracle.randomRow());
    batch.sort(Comparator.comparing(AccessRow::timestamp));
    new RowInserts(db).insertAccess(batch);
    return batch;
  }

  private AccessRow row(String path) {
    AccessRow r = oracle.randomRow();
    return new AccessRow(r.timestamp(), r.method(), path, r.status(), r.durationMs(), r.ip(), r.feature(), null, null, null, null);
  }

  /** Closes the connection under the database without flushing, as a killed process leaves it. */
  private static void abandon(SqliteDatabase db) throws Exception {
    Field conn = SqliteDatabase.class.getDeclaredField("conn");
    conn.setAccessible(true);
    ((Connection) conn.get(db)).close();
  }

  private static long maxId(Path file) throws SQLException {
    return Long.parseLong(value(file, "SELECT coalesce(max(id), 0) FROM access_logs"));
  }

  private static long through(Path file) throws SQLException {
    return meta(file).getLong(AccessRollups.THROUGH);
  }

  private static JsonObject meta(Path file) throws SQLException {
    return new JsonObject(value(file, "SELECT value FROM spark_meta WHERE key = '" + AccessRollups.META_KEY + "'"));
  }

  private static String value(Path file, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      assertTrue(rs.next(), sql);
      return rs.getString(1);
    }
  }

  private static void exec(Path file, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      st.executeUpdate(sql);
    }
  }
}
