package dev.spark.storage;

import dev.spark.bus.OutboxOp;
import dev.spark.config.SparkConfig;
import dev.spark.event.EventBatch;
import dev.spark.event.EventRow;
import dev.spark.event.IssueDelivery;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The agent outbox on the writer's connection: held with the consume, rebuilt as sent, released, pruned. */
class AgentOutboxTest {
  private static final SparkConfig.Issues FLOOD_CONTROL = new SparkConfig.Issues(600_000, true);

  @Test
  void aConsumedBatchIsHeldForHeldSubscribersOnlyAndRebuiltAsItWasSent(@TempDir Path dir) throws Exception {
    try (SqliteDatabase db = SqliteDatabase.open(dir.resolve("spark.db"), "NORMAL")) {
      long[] ids = insert(db, "same-bug", "same-bug", "other-bug");
      EventBatch sent = new Consumption(db).consume(100, FLOOD_CONTROL, Instant.now(), List.of("spark-agent"));
      assertEquals(2, sent.events().size(), "one event per issue");
      assertEquals(0, new Consumption(db).consume(100, FLOOD_CONTROL, Instant.now(), List.of("spark-agent")).consumed(), "nothing left");

      List<OutboxOp.HeldBatch> held = AgentOutbox.list(db, "spark-agent").batches();
      assertEquals(1, held.size());
      assertEquals(ids[0], held.get(0).firstId());
      EventBatch rebuilt = held.get(0).batch();
      assertEquals(2, rebuilt.events().size());
      assertEquals(List.of(ids[0], ids[2]), rebuilt.events().stream().map(e -> e.id()).toList());
      assertEquals(3, rebuilt.consumed());
      assertEquals(ids[2], rebuilt.consumedThroughId());
      IssueDelivery issue = rebuilt.events().get(0).issue();
      assertNotNull(issue, "what the agent was told about the issue comes back with the event");
      assertEquals(2, issue.inBatch());
      assertEquals(0, AgentOutbox.list(db, "someone-else").batches().size(), "only held subscribers");

      assertEquals(1, AgentOutbox.release(db, "spark-agent", ids[0]).batches());
      assertEquals(0, AgentOutbox.list(db, "spark-agent").batches().size());
    }
  }

  @Test
  void aHeldBatchWhoseEventsWereDeletedIsPrunedAndOneWithSomeLeftKeepsThem(@TempDir Path dir) throws Exception {
    try (SqliteDatabase db = SqliteDatabase.open(dir.resolve("spark.db"), "NORMAL")) {
      long[] first = insert(db, "a-bug");
      new Consumption(db).consume(100, FLOOD_CONTROL, Instant.now(), List.of("spark-agent"));
      long[] second = insert(db, "b-bug", "c-bug");
      new Consumption(db).consume(100, FLOOD_CONTROL, Instant.now(), List.of("spark-agent"));
      delete(db, first[0]);
      delete(db, second[0]);

      List<OutboxOp.HeldBatch> held = AgentOutbox.list(db, "spark-agent").batches();
      assertEquals(1, held.size(), "the batch with nothing left is gone");
      assertEquals(second[0], held.get(0).firstId());
      assertEquals(second[1], held.get(0).batch().events().get(0).id());
      assertEquals(0, AgentOutbox.release(db, "spark-agent", first[0]).batches(), "pruned already");
    }
  }

  private static long[] insert(SqliteDatabase db, String... messages) throws Exception {
    List<EventRow> rows = new java.util.ArrayList<>();
    for (String m : messages) {
      rows.add(new EventRow("server-error", null, "2026-11-24T10:00:00.000Z", "test", null, null, 500,
          new JsonObject().put("error", new JsonObject().put("message", m)).encode(), "fp-" + m, null));
    }
    RowInserts inserts = new RowInserts(db);
    long[] ids = inserts.insertEvents(rows).ids();
    var tally = new IssueTally();
    tally.add(rows, ids);
    inserts.upsertIssues(tally, Instant.now());
    db.commit();
    return ids;
  }

  private static void delete(SqliteDatabase db, long id) throws Exception {
    try (PreparedStatement st = db.statement("event_by_id").getConnection().prepareStatement("DELETE FROM events WHERE id = ?")) {
      st.setLong(1, id);
      st.executeUpdate();
    }
    db.commit();
  }
}
