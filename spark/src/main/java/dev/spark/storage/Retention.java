package dev.spark.storage;

import dev.spark.event.Timestamps;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * The janitor's deletes, each a small transaction of its own so ingest keeps flowing between them.
 * Pending events are never deleted (the statements take consumed events only).
 */
final class Retention {
  private final SqliteDatabase db;

  Retention(SqliteDatabase db) {
    this.db = db;
  }

  /** Consumed events older than {@code maxAgeDays}, up to {@code chunk}, oldest first. */
  int agedEvents(long maxAgeDays, int chunk) throws SQLException {
    return deleteChunk("delete_aged_events", cutoff(maxAgeDays), chunk);
  }

  /** Issues last seen before {@code maxAgeDays} ago, unless muted or with a pending event; up to {@code chunk}. */
  int agedIssues(long maxAgeDays, int chunk) throws SQLException {
    return deleteChunk("delete_aged_issues", cutoff(maxAgeDays), chunk);
  }

  /** About {@code chunk} access logs older than {@code maxAgeDays}, oldest first. */
  int agedAccess(long maxAgeDays, int chunk) throws SQLException {
    return deleteAccessChunk(cutoff(maxAgeDays), chunk);
  }

  /** The oldest {@code chunk} access logs, whatever their age. */
  int oldestAccess(int chunk) throws SQLException {
    return deleteAccessChunk(null, chunk);
  }

  /** The oldest {@code chunk} consumed events, whatever their age. */
  int oldestEvents(int chunk) throws SQLException {
    return deleteChunk("delete_oldest_consumed_events", chunk);
  }

  /** Runs one small delete (a named statement with its bound values) in its own transaction. */
  private int deleteChunk(String statement, Object... values) throws SQLException {
    return db.inTransaction(() -> db.updateOnce(statement, values));
  }

  /**
   * Deletes about {@code chunk} access-log rows, oldest first: all of them, or only those with a
   * timestamp before {@code olderThan} when it is not null; and takes them out of the rollups in the
   * same transaction (an aged chunk also takes the aged rows among the ids it spans). Returns how many rows went.
   */
  int deleteAccessChunk(String olderThan, int chunk) throws SQLException {
    String where = olderThan == null ? null : Sql.get("where_before_timestamp");
    Object[] values = olderThan == null ? new Object[0] : new Object[] {olderThan};
    return db.inTransaction(() -> {
      PreparedStatement range = db.statement(olderThan == null ? "oldest_access_range" : "aged_access_range");
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
        if (rs.wasNull()) return 0;
        through = rs.getLong(2);
      }
      db.rollups().subtract(from, through, where, values);
      PreparedStatement delete = db.statement(olderThan == null ? "delete_access_range" : "delete_aged_access_range");
      delete.setLong(1, from);
      delete.setLong(2, through);
      if (olderThan != null) delete.setString(3, olderThan);
      return delete.executeUpdate();
    });
  }

  static String cutoff(long maxAgeDays) {
    return Timestamps.format(Instant.now().minusSeconds(maxAgeDays * 86_400));
  }
}
