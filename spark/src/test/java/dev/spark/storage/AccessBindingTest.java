package dev.spark.storage;

import dev.spark.event.AccessRow;
import dev.spark.event.Timestamps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The writer binds an access row's status and duration with {@code setObject} and boxes made once
 * ({@link RowInserts#boxedStatus}) instead of {@code setInt} and {@code setDouble}, which box anew
 * per call: the stored values and their SQLite types are the same as those calls store, for every
 * status, out-of-range ones included, and for missing, whole and fractional durations.
 */
class AccessBindingTest {
  @Test
  void statusAndDurationAreStoredAsSetIntAndSetDoubleStoreThem(@TempDir Path dir) throws Exception {
    List<AccessRow> rows = new ArrayList<>();
    Random random = new Random(14);
    Double[] durations = {null, 0.0, 3.0, 2.5, 0.001, 1e9, 12345.678};
    for (int status = -1; status <= 1_000; status++) {
      Double duration = random.nextInt(5) == 0 ? durations[random.nextInt(durations.length)] : Double.valueOf(random.nextDouble() * 500);
      rows.add(new AccessRow(Timestamps.now(), "GET", "/s/" + status, status, duration, null, null, null, null, null, null));
    }
    Path writer = dir.resolve("writer.db");
    try (SqliteDatabase db = SqliteDatabase.open(writer, "NORMAL")) {
      new RowInserts(db).insertAccess(rows);
      db.commit();
    }
    Path reference = dir.resolve("reference.db");
    SqliteDatabase.open(reference, "NORMAL").close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + reference); PreparedStatement st = c.prepareStatement(Sql.get("insert_access"))) {
      for (AccessRow r : rows) {
        st.setString(1, r.timestamp());
        st.setString(2, r.method());
        st.setString(3, r.path());
        st.setInt(4, r.status());
        if (r.durationMs() == null) st.setNull(5, Types.REAL);
        else st.setDouble(5, r.durationMs());
        for (int i = 6; i <= 11; i++) st.setNull(i, Types.VARCHAR);
        st.addBatch();
      }
      st.executeBatch();
    }
    assertEquals(stored(reference), stored(writer));
  }

  @Test
  void eachHttpStatusHasOneBox() {
    for (int status = 100; status <= 599; status++) assertSame(RowInserts.boxedStatus(status), RowInserts.boxedStatus(status));
    assertEquals(Integer.valueOf(600), RowInserts.boxedStatus(600));
    assertEquals(Integer.valueOf(99), RowInserts.boxedStatus(99));
  }

  private static List<String> stored(Path file) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
         ResultSet rs = c.createStatement().executeQuery(
             "SELECT id, quote(status), typeof(status), quote(duration_ms), typeof(duration_ms), path FROM access_logs ORDER BY id")) {
      while (rs.next()) {
        out.add(rs.getLong(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4) + " " + rs.getString(5) + " " + rs.getString(6));
      }
    }
    return out;
  }
}
