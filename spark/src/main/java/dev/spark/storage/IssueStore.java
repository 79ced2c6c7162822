package dev.spark.storage;

import dev.spark.event.Timestamps;
import dev.spark.issues.IssueState;
import io.vertx.core.json.JsonObject;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * The {@code issues} rows on the writer's connection: their state for the delivery decision, what a
 * delivery or a suppression adds to them, and status changes (resolve, mute, reopen). Reads see the
 * current transaction.
 */
final class IssueStore {
  private final SqliteDatabase db;

  IssueStore(SqliteDatabase db) {
    this.db = db;
  }

  /** The issue's state as the delivery decision needs it, or null when there is no such issue. */
  IssueState state(String fingerprint) throws SQLException {
    try (ResultSet rs = byFingerprint(fingerprint)) {
      if (!rs.next()) return null;
      return new IssueState(
          IssueState.Status.of(rs.getString("status")),
          rs.getLong("regression") == 1,
          rs.getLong("count"),
          rs.getLong("suppressed"),
          rs.getString("first_seen"),
          rs.getString("last_seen"),
          rs.getString("last_delivered_at"),
          rs.getString("resolved_at"),
          IssueRows.number(rs.getObject("resolved_through_id")));
    }
  }

  /** The issue in the API's JSON shape, or null. */
  JsonObject json(String fingerprint) throws SQLException {
    try (ResultSet rs = byFingerprint(fingerprint)) {
      if (!rs.next()) return null;
      return IssueRows.json(col -> {
        try {
          return rs.getObject(col);
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      });
    }
  }

  private ResultSet byFingerprint(String fingerprint) throws SQLException {
    PreparedStatement st = db.statement("issue_by_fingerprint");
    st.setString(1, fingerprint);
    return st.executeQuery();
  }

  /** Counts {@code occurrences} consumed without delivery on the issue (no commit). */
  void suppressed(String fingerprint, int occurrences) throws SQLException {
    PreparedStatement st = db.statement("issue_suppressed");
    st.setLong(1, occurrences);
    st.setString(2, fingerprint);
    st.executeUpdate();
  }

  /** Records that the issue was delivered as event {@code eventId} at {@code at} (no commit). */
  void delivered(String fingerprint, String at, long eventId) throws SQLException {
    PreparedStatement st = db.statement("issue_delivered");
    st.setString(1, at);
    st.setLong(2, eventId);
    st.setString(3, fingerprint);
    st.executeUpdate();
  }

  /**
   * Resolves, mutes or reopens an issue ({@code action} is {@code resolve}, {@code mute} or
   * {@code reopen}) in its own transaction; answers the issue as it is afterwards, or null when
   * there is no such issue. Setting the status it already has changes nothing.
   */
  JsonObject setStatus(String fingerprint, String action, Instant now) throws SQLException {
    String at = Timestamps.format(now);
    return db.inTransaction(() -> {
      PreparedStatement st = db.statement(switch (action) {
        case "resolve" -> "issue_resolve";
        case "mute" -> "issue_mute";
        case "reopen" -> "issue_reopen";
        default -> throw new IllegalArgumentException("Unknown issue action " + action + "; one of resolve, mute, reopen");
      });
      int i = 1;
      st.setString(i++, at);
      if ("resolve".equals(action)) st.setString(i++, at);
      st.setString(i, fingerprint);
      st.executeUpdate();
      return json(fingerprint);
    });
  }
}
