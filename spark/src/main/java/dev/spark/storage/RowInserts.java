package dev.spark.storage;

import dev.spark.event.AccessRow;
import dev.spark.event.EventRow;
import dev.spark.event.Timestamps;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;

/**
 * The writer's inserts: events, access logs (with their rollups) and the issues the events belong
 * to. None of them commits: the writer commits a whole group at once.
 */
final class RowInserts {
  private static final int FIRST_STATUS = 100;
  private static final Integer[] STATUSES = new Integer[500];

  static {
    for (int i = 0; i < STATUSES.length; i++) STATUSES[i] = FIRST_STATUS + i;
  }

  private final SqliteDatabase db;

  RowInserts(SqliteDatabase db) {
    this.db = db;
  }

  /**
   * Inserts the rows without committing; returns their ids in order. A row whose {@code eventId} is
   * already stored is not inserted again and gets the stored row's id ({@link InsertedEvents}).
   */
  InsertedEvents insertEvents(List<EventRow> rows) throws SQLException {
    return InsertedEvents.insert(rows, db.statement("insert_event"), db.statement("max_event_id"), db.statement("event_ids_after"),
        db.statement("event_by_event_id"), this::idsEndingAtLastInsert);
  }

  /**
   * Adds the occurrences of one commit to their issues (one upsert per fingerprint), without
   * committing: in the transaction that inserted the events. A resolved issue that occurs again is
   * reopened and marked as a regression.
   */
  void upsertIssues(IssueTally tally, Instant now) throws SQLException {
    if (tally.isEmpty()) return;
    String at = Timestamps.format(now);
    PreparedStatement upsert = db.statement("upsert_issue");
    for (IssueTally.Issue i : tally.issues()) {
      upsert.setString(1, i.fingerprint);
      upsert.setString(2, i.type);
      upsert.setString(3, i.summary == null ? null : i.summary.errorClass());
      upsert.setString(4, i.summary == null ? null : i.summary.message());
      upsert.setString(5, i.summary == null ? null : i.summary.culprit());
      upsert.setString(6, i.firstSeen);
      upsert.setString(7, i.lastSeen);
      upsert.setLong(8, i.count);
      upsert.setLong(9, i.firstId);
      upsert.setLong(10, i.lastId);
      upsert.setString(11, at);
      upsert.addBatch();
    }
    upsert.executeBatch();
  }

  /** Inserts the rows and adds them to the rollups, without committing; returns their ids in order. */
  long[] insertAccess(List<AccessRow> rows) throws SQLException {
    if (rows.isEmpty()) return new long[0];
    PreparedStatement insert = db.statement("insert_access");
    for (AccessRow r : rows) {
      insert.setString(1, r.timestamp());
      insert.setString(2, r.method());
      insert.setString(3, r.path());
      // sqlite-jdbc's setInt and setDouble box their value anew; setObject binds the box it is given.
      insert.setObject(4, boxedStatus(r.status()));
      insert.setObject(5, r.durationMs());
      insert.setString(6, r.ip());
      insert.setString(7, r.feature());
      insert.setString(8, r.requestId());
      insert.setString(9, r.input());
      insert.setString(10, r.error());
      insert.setString(11, r.userAgent());
      insert.addBatch();
    }
    insert.executeBatch();
    long[] ids = idsEndingAtLastInsert(rows.size());
    db.rollups().add(rows, ids[ids.length - 1]);
    return ids;
  }

  /**
   * This connection is the only writer and the tables are AUTOINCREMENT, so the rows of one batch
   * got consecutive ids ending at last_insert_rowid().
   */
  private long[] idsEndingAtLastInsert(int count) throws SQLException {
    long last;
    try (ResultSet rs = db.statement("last_insert_id").executeQuery()) {
      rs.next();
      last = rs.getLong(1);
    }
    long[] ids = new long[count];
    for (int i = 0; i < count; i++) ids[i] = last - count + 1 + i;
    return ids;
  }

  /** The box of a status: one per HTTP status (ingest takes 100 to 599), made once; any other boxed anew. */
  static Integer boxedStatus(int status) {
    return status >= FIRST_STATUS && status < FIRST_STATUS + STATUSES.length ? STATUSES[status - FIRST_STATUS] : Integer.valueOf(status);
  }

  private static void setInt(PreparedStatement st, int index, Integer value) throws SQLException {
    if (value == null) st.setNull(index, Types.INTEGER);
    else st.setInt(index, value);
  }
}
