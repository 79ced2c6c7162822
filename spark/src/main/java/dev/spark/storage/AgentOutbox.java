package dev.spark.storage;

import dev.spark.bus.OutboxOp;
import dev.spark.event.EventBatch;
import dev.spark.event.StoredEvent;
import io.vertx.core.json.JsonArray;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code agent_outbox} table: batches consumed for a held subscriber (Spark's own agent) that it
 * has not yet taken. {@link #hold} runs inside the consuming transaction, so a batch is either
 * consumed and recorded or neither; {@link #list} and {@link #release} run on the writer thread like
 * every other write, so a list made after a release never sees the released batch.
 */
final class AgentOutbox {
  private AgentOutbox() {}

  /** Records {@code batch} for each of {@code subscribers}, in the caller's transaction (no commit). */
  static void hold(SqliteDatabase db, List<String> subscribers, EventBatch batch, String at) throws SQLException {
    if (subscribers.isEmpty() || batch.isEmpty()) return;
    JsonArray ids = new JsonArray();
    for (StoredEvent e : batch.events()) ids.add(e.id());
    PreparedStatement st = db.statement("outbox_insert");
    for (String subscriber : subscribers) {
      st.setString(1, subscriber);
      st.setLong(2, batch.events().get(0).id());
      st.setString(3, ids.encode());
      st.setInt(4, batch.consumed());
      st.setLong(5, batch.consumedThroughId());
      st.setString(6, at);
      st.executeUpdate();
    }
  }

  /**
   * The subscriber's held batches, oldest first, rebuilt from the events as stored (with what each
   * event's issue delivery said). Events removed since (the janitor) are left out; a batch with none
   * left is removed. Answers {@code {"batches": [batch JSON with "firstId"]}}.
   */
  static OutboxOp.Held list(SqliteDatabase db, String subscriber) throws SQLException {
    // The commit takes the removals, if any; else it ends the transaction the writer's connection is always in.
    return db.inTransaction(() -> listAndPrune(db, subscriber));
  }

  private static OutboxOp.Held listAndPrune(SqliteDatabase db, String subscriber) throws SQLException {
    List<long[]> rows = new ArrayList<>();
    List<JsonArray> idLists = new ArrayList<>();
    PreparedStatement st = db.statement("outbox_list");
    st.setString(1, subscriber);
    try (ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        rows.add(new long[] {rs.getLong("first_id"), rs.getLong("consumed"), rs.getLong("through_id")});
        idLists.add(new JsonArray(rs.getString("event_ids")));
      }
    }
    List<OutboxOp.HeldBatch> batches = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      List<StoredEvent> events = new ArrayList<>();
      for (Object id : idLists.get(i)) {
        StoredEvent e = event(db, ((Number) id).longValue());
        if (e != null) events.add(e);
      }
      long[] row = rows.get(i);
      if (events.isEmpty()) {
        delete(db, subscriber, row[0]);
        continue;
      }
      batches.add(new OutboxOp.HeldBatch(row[0], new EventBatch(events, (int) row[1], row[2])));
    }
    return new OutboxOp.Held(batches);
  }

  /** Removes a batch the subscriber has taken; committed when this returns. */
  static OutboxOp.Released release(SqliteDatabase db, String subscriber, long firstId) throws SQLException {
    return db.inTransaction(() -> new OutboxOp.Released(delete(db, subscriber, firstId)));
  }

  /** Removes a held batch in the caller's transaction (no commit): e.g. with the fix recorded for it. */
  static int delete(SqliteDatabase db, String subscriber, long firstId) throws SQLException {
    PreparedStatement st = db.statement("outbox_delete");
    st.setString(1, subscriber);
    st.setLong(2, firstId);
    return st.executeUpdate();
  }

  static StoredEvent event(SqliteDatabase db, long id) throws SQLException {
    PreparedStatement st = db.statement("event_by_id");
    st.setLong(1, id);
    try (ResultSet rs = st.executeQuery()) {
      return rs.next() ? Rows.event(rs) : null;
    }
  }
}
