package dev.spark.storage;

import dev.spark.event.EventRows;
import dev.spark.event.StoredEvent;

import java.sql.ResultSet;
import java.sql.SQLException;

/** Maps an {@code events} row of a JDBC result set to a {@link StoredEvent} ({@link EventRows} does the mapping). */
final class Rows {
  private Rows() {}

  static StoredEvent event(ResultSet rs) throws SQLException {
    try {
      return EventRows.event(column -> {
        try {
          return rs.getObject(column);
        } catch (SQLException e) {
          throw new ColumnFailure(e);
        }
      });
    } catch (ColumnFailure e) {
      throw e.sql;
    }
  }

  private static final class ColumnFailure extends RuntimeException {
    final SQLException sql;

    ColumnFailure(SQLException sql) {
      super(sql);
      this.sql = sql;
    }
  }
}
