package dev.spark.storage;

import dev.spark.bus.AlertOp;
import dev.spark.event.Timestamps;
import io.vertx.core.json.JsonObject;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The alert sender's side of {@code alert_outbox}, run on the writer thread like every other write:
 * what is due and what an attempt came to (the API lists deliveries on the read side:
 * {@code query.AlertDeliveriesRead}). Each call is its own transaction.
 */
final class AlertDeliveries {
  /** Finished deliveries kept for the API and the dashboard; older ones are removed as new ones finish. */
  static final int KEEP_FINISHED = 1_000;
  /** The longest {@code cooldownMinutes} a rule may have, in ms: older cooldown rows are removed. */
  static final long LONGEST_COOLDOWN_MS = 43_200L * 60_000;
  /** When cooldowns were last pruned (writer thread only). */
  private static long cooldownsPrunedAt;

  private AlertDeliveries() {}

  /**
   * Up to {@code limit} pending deliveries due by {@code nowMs}, leaving out {@code inFlight} (being
   * sent), and when the next one not yet due is (null for none).
   */
  static AlertOp.Due due(SqliteDatabase db, long nowMs, int limit, Set<Long> inFlight) throws SQLException {
    try {
      List<AlertOp.Outgoing> out = new ArrayList<>();
      PreparedStatement st = db.statement("alert_due");
      st.setLong(1, nowMs);
      st.setInt(2, limit + inFlight.size());
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next() && out.size() < limit) {
          long id = rs.getLong("id");
          if (inFlight.contains(id)) continue;
          out.add(new AlertOp.Outgoing(id, rs.getString("delivery_id"), rs.getString("rule"), rs.getString("target"),
              rs.getString("kind"), new JsonObject(rs.getString("payload")), rs.getInt("attempts")));
        }
      }
      Long next = null;
      try (ResultSet rs = db.statement("alert_next_due").executeQuery()) {
        if (rs.next()) {
          long v = rs.getLong(1);
          if (!rs.wasNull()) next = v;
        }
      }
      db.commit();
      return new AlertOp.Due(out, next);
    } catch (SQLException | RuntimeException e) {
      db.rollbackQuietly();
      throw e;
    }
  }

  /**
   * Records one attempt: delivered; dropped (a final refusal, or the {@code maxAttempts}-th failure,
   * with the reason); or pending again until {@code retryAtMs}. Answers the row's new status.
   */
  static AlertOp.Recorded attempted(SqliteDatabase db, long id, boolean delivered, boolean retry, String error, long retryAtMs,
      int maxAttempts) throws SQLException {
    try {
      int attempts;
      PreparedStatement get = db.statement("alert_attempts");
      get.setLong(1, id);
      try (ResultSet rs = get.executeQuery()) {
        if (!rs.next()) {
          db.commit();
          return new AlertOp.Recorded("gone", 0);
        }
        attempts = rs.getInt(1) + 1;
      }
      String status;
      String reason = error;
      if (delivered) status = "delivered";
      else if (!retry) status = "dropped";
      else if (attempts >= maxAttempts) {
        status = "dropped";
        reason = "gave up after " + attempts + " attempts: " + error;
      } else status = "pending";
      PreparedStatement st = db.statement("alert_attempted");
      st.setString(1, status);
      st.setLong(2, status.equals("pending") ? retryAtMs : 0);
      if (reason == null) st.setNull(3, Types.VARCHAR);
      else st.setString(3, reason);
      st.setString(4, Timestamps.now());
      st.setLong(5, id);
      st.executeUpdate();
      if (!status.equals("pending")) {
        PreparedStatement prune = db.statement("alert_prune");
        prune.setInt(1, KEEP_FINISHED);
        prune.executeUpdate();
        long now = System.currentTimeMillis();
        if (now - cooldownsPrunedAt > 3_600_000) {
          PreparedStatement cooldowns = db.statement("alert_cooldowns_prune");
          cooldowns.setLong(1, now - LONGEST_COOLDOWN_MS);
          cooldowns.executeUpdate();
          cooldownsPrunedAt = now;
        }
      }
      db.commit();
      return new AlertOp.Recorded(status, attempts);
    } catch (SQLException | RuntimeException e) {
      db.rollbackQuietly();
      throw e;
    }
  }
}
