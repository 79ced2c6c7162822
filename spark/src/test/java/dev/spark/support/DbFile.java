package dev.spark.support;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Reads of a Spark database file from outside Spark (plain sqlite-jdbc, beside the writer in WAL mode). */
public final class DbFile {
  private DbFile() {}

  /** The first column of the first row of {@code sql} (0 when there is no row). */
  public static long count(Path db, String sql) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      throw new IllegalStateException("Reading " + db + " failed: " + e.getMessage(), e);
    }
  }
}
