package dev.spark.storage;

import dev.spark.event.EventRow;
import dev.spark.event.IssueDelivery;
import dev.spark.event.StoredEvent;

import java.sql.ResultSet;
import java.sql.SQLException;

/** Maps an {@code events} row (the column order of the named SELECTs) to a {@link StoredEvent}. */
final class Rows {
  private Rows() {}

  static StoredEvent event(ResultSet rs) throws SQLException {
    int status = rs.getInt("status");
    Integer boxed = rs.wasNull() ? null : status;
    EventRow row = new EventRow(
        rs.getString("type"), rs.getString("trace_id"), rs.getString("timestamp"), rs.getString("environment"),
        rs.getString("feature"), rs.getString("route"), boxed, rs.getString("data"), rs.getString("fingerprint"), null);
    return new StoredEvent(rs.getLong("id"), row, rs.getInt("consumed") != 0, rs.getString("consumed_at"),
        IssueDelivery.parse(rs.getString("delivery")), rs.getInt("suppressed") != 0);
  }
}
