package dev.spark.storage;

import dev.spark.query.IssuesApi;
import dev.spark.query.QueryApi;
import dev.spark.query.ReadStore;
import dev.spark.support.Await;
import dev.spark.support.SparkUnderTest;
import dev.spark.support.SseTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A database written before issues existed: read as it is, then upgraded in place by the writer. */
@ExtendWith(VertxExtension.class)
class IssueSchemaTest {

  /** The seed's events table and indexes, with one consumed and two pending rows. */
  static void seedFile(Path db) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, trace_id TEXT, "
          + "timestamp TEXT NOT NULL, environment TEXT, feature TEXT, route TEXT, status INTEGER, data TEXT NOT NULL, "
          + "consumed INTEGER NOT NULL DEFAULT 0, consumed_at TEXT)");
      st.execute("CREATE INDEX idx_events_consumed ON events(consumed)");
      st.execute("CREATE INDEX idx_events_timestamp ON events(timestamp)");
      st.execute("CREATE INDEX idx_events_type ON events(type)");
      for (int i = 1; i <= 3; i++) {
        st.execute("INSERT INTO events (type, trace_id, timestamp, data, consumed, consumed_at) VALUES ('server-error', 't" + i
            + "', '2026-11-24T10:00:0" + i + ".000Z', '{\"type\":\"server-error\",\"error\":{\"message\":\"old " + i + "\"}}', "
            + (i == 1 ? "1, '2026-11-24T10:00:05.000Z'" : "0, NULL") + ")");
      }
    }
  }

  @Test
  void aFileFromBeforeIssuesIsReadAsItIsThenUpgradedInPlace(Vertx vertx, @TempDir Path dir) throws Exception {
    Path db = dir.resolve("spark.db");
    seedFile(db);

    // Read-only (the CLI with Spark stopped): it cannot upgrade the file, and reads it anyway.
    ReadStore readOnly = ReadStore.readOnly(vertx, db);
    JsonObject events = Await.result(QueryApi.events(readOnly, Map.of()));
    assertEquals(3, events.getInteger("count"));
    assertNull(events.getJsonArray("events").getJsonObject(0).getString("fingerprint"));
    assertEquals(0, Await.result(IssuesApi.list(readOnly, Map.of())).getInteger("count"));
    assertEquals(List.of(1L), Await.result(readOnly.eventsAfter(0, true, 10)).stream().map(e -> e.id()).toList());
    Await.result(readOnly.close());

    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    assertEquals(3, spark.count("SELECT count(*) FROM events"), "the rows are kept");
    assertEquals(1, spark.count("SELECT count(*) FROM pragma_table_info('events') WHERE name = 'fingerprint'"));
    assertEquals(1, spark.count("SELECT count(*) FROM pragma_table_info('events') WHERE name = 'suppressed'"));
    assertEquals(1, spark.count("SELECT count(*) FROM sqlite_master WHERE name = 'idx_events_fingerprint'"));
    assertEquals(0, spark.count("SELECT count(*) FROM events WHERE fingerprint IS NOT NULL"), "old rows get no fingerprint");

    // An agent gets the old pending rows one by one (they belong to no issue), then new ones grouped.
    SseTestClient agent = Await.result(SseTestClient.connect(vertx, spark.port, null, 1L));
    assertEquals(List.of(2L, 3L), Await.result(agent.awaitCount(2)).stream().map(SseTestClient.Received::id).toList());
    long id = spark.postNow("/api/v1/events", new JsonObject().put("type", "server-error")
        .put("error", new JsonObject().put("message", "new 4"))).bodyAsJsonObject().getJsonArray("ids").getLong(0);
    List<SseTestClient.Received> got = Await.result(agent.awaitId(id));
    assertEquals("new", got.get(2).data().getJsonObject("issue").getString("kind"));

    // A resumed stream replays old consumed rows and new delivered ones alike.
    SseTestClient resumed = Await.result(SseTestClient.connect(vertx, spark.port, null, 0L));
    assertEquals(List.of(1L, 2L, 3L, id), Await.result(resumed.awaitCount(4)).stream().map(SseTestClient.Received::id).toList());

    // Opening again skips the columns it already has.
    spark.restart();
    assertEquals(4, spark.count("SELECT count(*) FROM events"));
    assertTrue(spark.count("SELECT count(*) FROM issues") == 1);
  }
}
