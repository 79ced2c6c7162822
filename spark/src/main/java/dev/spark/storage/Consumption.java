package dev.spark.storage;

import dev.spark.config.SparkConfig;
import dev.spark.event.EventBatch;
import dev.spark.event.StoredEvent;
import dev.spark.event.Timestamps;
import dev.spark.issues.DeliveryPolicy;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Takes pending events, oldest first, and marks them consumed, atomically, deciding per issue what
 * is delivered ({@link DeliveryPolicy}; see README, "Issues"). With flood control each issue of the
 * batch is delivered at most once, as the event the policy picks; the other occurrences, and those
 * of issues the policy holds back, are consumed without delivery ({@code suppressed = 1}) and counted
 * on the issue. Events without a fingerprint (stored before issues existed) are delivered as they are.
 */
final class Consumption {
  private final SqliteDatabase db;
  private final IssueStore issues;

  Consumption(SqliteDatabase db) {
    this.db = db;
    this.issues = new IssueStore(db);
  }

  /**
   * Takes up to {@code limit} pending events in one transaction, and records the batch it delivers for
   * each of {@code holdFor} (held subscribers: Spark's own agent) in {@code agent_outbox} in the same
   * transaction: a consumed batch is never lost to them by a crash before they take it.
   */
  EventBatch consume(int limit, SparkConfig.Issues policy, Instant now, List<String> holdFor) throws SQLException {
    return db.inTransaction(() -> take(limit, policy, now, holdFor));
  }

  /** What {@link #consume} does, inside the transaction that is open, without committing it. */
  EventBatch take(int limit, SparkConfig.Issues policy, Instant now, List<String> holdFor) throws SQLException {
    String at = Timestamps.format(now);
    List<StoredEvent> pending = pending(limit, at);
    if (pending.isEmpty()) return new EventBatch(List.of(), 0, 0);
    long through = pending.get(pending.size() - 1).id();
    EventBatch batch = policy.floodControl()
        ? new EventBatch(deliveries(pending, through, policy.cooldownMs(), now, at), pending.size(), through)
        : everything(pending, through, at);
    AgentOutbox.hold(db, holdFor, batch, at);
    return batch;
  }

  private List<StoredEvent> pending(int limit, String at) throws SQLException {
    List<StoredEvent> pending = new ArrayList<>();
    PreparedStatement select = db.statement("select_pending");
    select.setInt(1, limit);
    try (ResultSet rs = select.executeQuery()) {
      while (rs.next()) pending.add(Rows.event(rs).asConsumed(at));
    }
    return pending;
  }

  private EventBatch everything(List<StoredEvent> pending, long through, String at) throws SQLException {
    markConsumed("mark_consumed", through, at);
    return new EventBatch(pending);
  }

  /** Marks the batch consumed and suppressed, then delivers (unmarks) one event per issue the policy lets through. */
  private List<StoredEvent> deliveries(List<StoredEvent> pending, long through, long cooldownMs, Instant now, String at)
      throws SQLException {
    markConsumed("mark_consumed_suppressed", through, at);
    Map<String, List<StoredEvent>> byIssue = new LinkedHashMap<>();
    List<StoredEvent> delivered = new ArrayList<>();
    for (StoredEvent e : pending) {
      if (e.fingerprint() == null) {
        markDelivered(e.id(), null);
        delivered.add(e);
      } else {
        byIssue.computeIfAbsent(e.fingerprint(), k -> new ArrayList<>()).add(e);
      }
    }
    for (Map.Entry<String, List<StoredEvent>> g : byIssue.entrySet()) {
      String fingerprint = g.getKey();
      Optional<DeliveryPolicy.Delivery> d = DeliveryPolicy.decide(fingerprint, issues.state(fingerprint), g.getValue(), now, cooldownMs);
      if (d.isEmpty()) {
        issues.suppressed(fingerprint, g.getValue().size());
        continue;
      }
      StoredEvent event = d.get().event();
      markDelivered(event.id(), d.get().issue().toJson().encode());
      issues.delivered(fingerprint, at, event.id());
      delivered.add(event.withIssue(d.get().issue()));
    }
    delivered.sort(Comparator.comparingLong(StoredEvent::id));
    return delivered;
  }

  private void markConsumed(String statement, long through, String at) throws SQLException {
    PreparedStatement mark = db.statement(statement);
    mark.setString(1, at);
    mark.setLong(2, through);
    mark.executeUpdate();
  }

  private void markDelivered(long id, String delivery) throws SQLException {
    PreparedStatement st = db.statement("mark_delivered");
    st.setString(1, delivery);
    st.setLong(2, id);
    st.executeUpdate();
  }
}
