package dev.spark.storage;

import dev.spark.event.EventRow;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ids a group of events got, in order, and which of them were inserted now ({@code fresh}). An
 * event whose client-supplied {@code eventId} is already stored (by an earlier commit, or earlier in
 * the same group) is not inserted again: it gets the id it was stored under, and is not fresh.
 */
public record InsertedEvents(long[] ids, boolean[] fresh) {

  /** How many were inserted now. */
  public int freshCount() {
    int n = 0;
    for (boolean f : fresh) if (f) n++;
    return n;
  }

  /** The ids the last {@code count} inserted rows got (consecutive: one writer, AUTOINCREMENT). */
  @FunctionalInterface
  interface LastIds {
    long[] last(int count) throws SQLException;
  }

  /**
   * Inserts the rows whose {@code eventId} is not stored yet (one batch), without committing; the
   * others get the id they are stored under.
   */
  static InsertedEvents insert(List<EventRow> rows, PreparedStatement insert, PreparedStatement byEventId, LastIds lastIds)
      throws SQLException {
    long[] existing = existing(rows, byEventId);
    boolean[] fresh = new boolean[rows.size()];
    int inserted = 0;
    for (int i = 0; i < rows.size(); i++) {
      if (existing[i] != 0) continue;
      EventRow r = rows.get(i);
      fresh[i] = true;
      inserted++;
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
    long[] ids = new long[rows.size()];
    if (inserted > 0) {
      insert.executeBatch();
      long[] now = lastIds.last(inserted);
      for (int i = 0, next = 0; i < rows.size(); i++) if (fresh[i]) ids[i] = now[next++];
    }
    for (int i = 0; i < rows.size(); i++) {
      if (existing[i] > 0) ids[i] = existing[i];
      else if (existing[i] < 0) ids[i] = ids[(int) (-existing[i] - 1)];
    }
    return new InsertedEvents(ids, fresh);
  }

  /**
   * For each row, the id it is already stored under, or 0 when it is new: one lookup on the unique
   * index {@code idx_events_event_id} per row that carries an {@code eventId}; rows without one cost
   * nothing. A row repeating an id earlier in {@code rows} is marked with {@code -(index + 1)} of that row.
   */
  private static long[] existing(List<EventRow> rows, PreparedStatement byEventId) throws SQLException {
    long[] found = new long[rows.size()];
    Map<String, Integer> inGroup = null;
    for (int i = 0; i < rows.size(); i++) {
      String eventId = rows.get(i).eventId();
      if (eventId == null) continue;
      if (inGroup == null) inGroup = new HashMap<>();
      Integer earlier = inGroup.putIfAbsent(eventId, i);
      if (earlier != null) {
        found[i] = -(earlier + 1L);
        continue;
      }
      byEventId.setString(1, eventId);
      try (ResultSet rs = byEventId.executeQuery()) {
        if (rs.next()) found[i] = rs.getLong(1);
      }
    }
    return found;
  }
}
