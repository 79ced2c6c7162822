package dev.spark.janitor;

import dev.spark.bus.Addresses;
import dev.spark.support.AloneVerticles;
import dev.spark.support.DbFile;
import dev.spark.support.OldRows;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A file whose indexes miss entries (SQLITE_CORRUPT_INDEX on a delete, as seen once in CI): the
 * cleanup rebuilds the indexes, deletes what it should and says so in storage's stats, instead of
 * failing every pass for ever. The damage is made the way SQLite can be made to show it: an index's
 * b-tree swapped for an empty one's, so every row is missing from it.
 */
@ExtendWith(VertxExtension.class)
class CorruptIndexCleanupTest {
  private static final int ACCESS = 2_000;
  private static final int EVENTS = 500;

  @TempDir
  Path dir;

  @Test
  void aCleanupOnAFileWithIndexesMissingEntriesRebuildsThemAndDeletesWhatIsOld(Vertx vertx) throws Exception {
    Path db = dir.resolve("spark.db");
    OldRows.seed(db, ACCESS, EVENTS, 7);
    emptyIndex(db, "idx_access_logs_status", "access_logs(status)");
    emptyIndex(db, "idx_events_type", "events(type)");
    assertTrue(!integrityCheck(db).equals("ok"), "the file is damaged before the test: " + integrityCheck(db));

    JsonObject cleanup = new JsonObject().put("maxAgeDays", 7).put("maxSizeMB", 1024).put("intervalMs", 86_400_000);
    String id = AloneVerticles.withStorage(vertx, AloneVerticles.config(db, new JsonObject().put("db", new JsonObject().put("cleanup", cleanup))),
        new JanitorVerticle()).await(30, TimeUnit.SECONDS);
    JsonObject report = vertx.eventBus().<JsonObject>request(Addresses.JANITOR_RUN, new JsonObject()).await(60, TimeUnit.SECONDS).body();
    JsonObject stats = vertx.eventBus().<JsonObject>request(Addresses.STORAGE_STATS, null).await(10, TimeUnit.SECONDS).body();
    vertx.undeploy(id).await(30, TimeUnit.SECONDS);

    assertEquals(EVENTS, report.getLong("agedEvents"), report.encode());
    assertEquals(ACCESS, report.getLong("agedAccessLogs"), report.encode());
    assertTrue(stats.getLong("indexRepairs") >= 1, "storage says it rebuilt the indexes: " + stats.encode());
    assertEquals(0, DbFile.count(db, "SELECT count(*) FROM access_logs") + DbFile.count(db, "SELECT count(*) FROM events"));
    assertEquals("ok", integrityCheck(db));
  }

  /** Swaps {@code index}'s b-tree with a new, empty index's on the same columns: every row goes missing from it. */
  private static void emptyIndex(Path db, String index, String on) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
      st.execute("CREATE INDEX empty_" + index + " ON " + on + " WHERE 0");
      long full = rootPage(st, index);
      long empty = rootPage(st, "empty_" + index);
      st.execute("PRAGMA writable_schema = ON");
      st.executeUpdate("UPDATE sqlite_master SET rootpage = " + empty + " WHERE name = '" + index + "'");
      st.executeUpdate("UPDATE sqlite_master SET rootpage = " + full + " WHERE name = 'empty_" + index + "'");
      st.execute("PRAGMA writable_schema = OFF");
    }
  }

  private static long rootPage(Statement st, String index) throws Exception {
    try (ResultSet rs = st.executeQuery("SELECT rootpage FROM sqlite_master WHERE name = '" + index + "'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String integrityCheck(Path db) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
