package dev.spark.storage;

import dev.spark.event.EventRow;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;

/**
 * The ids a group of events got, in order, and which of them were inserted now ({@code fresh}). An
 * event whose client-supplied {@code eventId} is already stored (by an earlier commit, or earlier in
 * the same group) is not inserted again: it gets the id it was stored under, and is not fresh.
 */
public record InsertedEvents(long[] ids, boolean[] fresh) {

  /** The ids the last {@code count} inserted rows got (consecutive: one writer, AUTOINCREMENT). */
  @FunctionalInterface
  interface LastIds {
    long[] last(int count) throws SQLException;
  }

  /**
   * Inserts the rows in one batch, without committing. A row whose {@code eventId} is already stored
   * is skipped by the unique index ({@code ON CONFLICT DO NOTHING}: no lookup on the common path) and
   * gets the id it is stored under. {@code maxId}, {@code after} and {@code byEventId} are the named
   * statements {@code max_event_id}, {@code event_ids_after} and {@code event_by_event_id}.
   */
  static InsertedEvents insert(List<EventRow> rows, PreparedStatement insert, PreparedStatement maxId, PreparedStatement after,
      PreparedStatement byEventId, LastIds lastIds) throws SQLException {
    boolean anyEventId = false;
    for (EventRow r : rows) anyEventId |= r.eventId() != null;
    // Only a batch that may skip rows needs to know where it started (one seek to the end of the table).
    long before = anyEventId ? single(maxId) : 0;
    for (EventRow r : rows) {
      insert.setString(1, r.type());
      insert.setString(2, r.traceId());
      insert.setString(3, r.timestamp());
      insert.setString(4, r.environment());
      insert.setString(5, r.feature());
      insert.setString(6, r.route());
      if (r.status() == null) insert.setNull(7, Types.INTEGER);
      else insert.setInt(7, r.status());
      insert.setString(8, r.data());
      insert.setString(9, r.fingerprint());
      insert.setString(10, r.eventId());
      insert.addBatch();
    }
    int[] changed = insert.executeBatch();
    boolean[] fresh = new boolean[rows.size()];
    int inserted = 0;
    for (int i = 0; i < rows.size(); i++) {
      if (changed[i] < 0) throw new SQLException("The driver did not say whether event " + i + " of the batch was inserted");
      fresh[i] = changed[i] > 0;
      if (fresh[i]) inserted++;
    }
    if (inserted == rows.size()) return new InsertedEvents(lastIds.last(rows.size()), fresh);

    // A retry in the batch. A skipped insert may have used up an AUTOINCREMENT id, so the new rows'
    // ids are read back: this (only) writer's rows after the batch's start, in insertion order.
    long[] ids = new long[rows.size()];
    long[] now = new long[inserted];
    after.setLong(1, before);
    try (ResultSet rs = after.executeQuery()) {
      for (int n = 0; rs.next(); n++) {
        if (n >= inserted) throw new SQLException("More new events after id " + before + " than this batch inserted");
        now[n] = rs.getLong(1);
      }
    }
    for (int i = 0, next = 0; i < rows.size(); i++) {
      if (fresh[i]) {
        ids[i] = now[next++];
      } else {
        byEventId.setString(1, rows.get(i).eventId());
        ids[i] = single(byEventId);
      }
    }
    return new InsertedEvents(ids, fresh);
  }

  private static long single(PreparedStatement query) throws SQLException {
    try (ResultSet rs = query.executeQuery()) {
      if (!rs.next()) throw new SQLException("No row from " + query);
      return rs.getLong(1);
    }
  }
}
