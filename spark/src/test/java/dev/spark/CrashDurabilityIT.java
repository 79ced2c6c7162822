package dev.spark;

import dev.spark.support.DbFile;
import dev.spark.support.Poll;
import dev.spark.support.ProcessApi;
import dev.spark.support.SparkProcess;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 7, item 1: an event Spark has acknowledged survives any crash of Spark's process. The fat
 * jar runs as a real process on real files; several HTTP clients ingest and record every id Spark
 * acknowledges (a 200 comes only after COMMIT); Spark is killed with {@code kill -KILL <pid>} while
 * they do, and restarted on the same files, six times over:
 *
 * <ol>
 *   <li>during group commits, with an SSE agent connected and consuming (three times, with requests of
 *   1, 20 and 100 events);</li>
 *   <li>during a cleanup ({@code POST /api/v1/admin/cleanup} deleting aged access logs), the agent
 *   gone, so new events stay pending;</li>
 *   <li>during a full {@code VACUUM} ({@code POST /api/v1/admin/vacuum}), with the rebuilt database
 *   in the WAL and not yet copied into the file (another process's reader holds the closing
 *   checkpoint back);</li>
 *   <li>then a last start: the agent resumes with {@code Last-Event-ID}, gets what it missed and the
 *   pending backlog, then new events (the poller resumes), and Spark is stopped with SIGTERM.</li>
 * </ol>
 * Then, from the file itself: the database passes {@code integrity_check}; every acknowledged id is
 * there with the trace id it was acknowledged for; the agent received every event in the database
 * exactly once, in id order; every stored JSON column parses. With {@code db.synchronous=NORMAL},
 * the default.
 */
class CrashDurabilityIT {
  static final String TOKEN = "crash-token";
  private static final String AGED = "2020-01-01T00:00:00.000Z";
  private static final int AGED_ROWS = 120_000;

  @Test
  void acknowledgedEventsSurviveKill9AnywhereAndPendingOnesReachTheResumingAgentExactlyOnce(@TempDir Path dir) throws Exception {
    int port = SparkUnderTest.freePort();
    Path db = dir.resolve("spark.db");
    Path conf = SparkProcess.writeConf(dir.resolve("spark.json"), new JsonObject()
        .put("db", new JsonObject().put("path", db.toString())
            // the janitor runs only when asked to, so the test knows when a cleanup is under way
            .put("cleanup", new JsonObject().put("intervalMs", 86_400_000).put("maxAgeDays", 7).put("maxSizeMB", 100_000)))
        .put("web", new JsonObject().put("port", port).put("token", TOKEN))
        .put("stream", new JsonObject().put("heartbeatMs", 1_000))
        // every event delivered on its own, so exactly-once can be checked event by event
        .put("issues", new JsonObject().put("floodControl", false)));
    Map<Long, String> acked = new ConcurrentHashMap<>();
    ResumingSseAgent agent = new ResumingSseAgent(port);
    List<String> figures = new ArrayList<>();
    SparkProcess spark = null;
    try {
      // 1. kill -9 under a continuous ingest load (the writer commits groups back to back), agent
      // consuming; three times, with different request sizes and at different points.
      int[][] shapes = {{4, 20, 3_000}, {8, 100, 6_000}, {2, 1, 300}}; // clients, events per request, kill after
      for (int k = 0; k < shapes.length; k++) {
        spark = start(dir, conf);
        long resumeFrom = agent.lastId();
        agent.connect(k == 0 ? null : resumeFrom);
        long newest = maxEventId(db);
        if (newest > 0) agent.awaitId(newest).get(60, TimeUnit.SECONDS);
        int before = agent.count();
        AckRecordingIngesters load = new AckRecordingIngesters(port, "r1" + (char) ('a' + k), shapes[k][0], shapes[k][1], acked);
        load.reached(shapes[k][2]).get(60, TimeUnit.SECONDS);
        agent.awaitCount(before + shapes[k][2] / 10).get(60, TimeUnit.SECONDS);
        assertEquals(137, kill(spark, load), "killed by SIGKILL");
        agent.awaitDisconnected().get(30, TimeUnit.SECONDS);
        figures.add("round 1" + (char) ('a' + k) + " (group commits, " + shapes[k][0] + " clients x " + shapes[k][1]
            + " events): " + (k == 0 ? "" : "the agent resumed after " + resumeFrom + " and caught up to " + newest + "; ")
            + load.summary() + ", the agent had received " + agent.count() + " in all");
        assertIntact(db, acked);
      }

      // 2. kill -9 during a cleanup, with new events pending (no agent).
      spark = start(dir, conf);
      ProcessApi api2 = new ProcessApi(port, TOKEN, Duration.ofMinutes(5));
      long resumed = agent.lastId();
      agent.connect(resumed);
      long newest = maxEventId(db);
      agent.awaitId(newest).get(60, TimeUnit.SECONDS);
      figures.add("round 2: the agent resumed after " + resumed + " and caught up to " + newest);
      seedAgedAccessLogs(api2, AGED_ROWS);
      agent.disconnect();
      Poll.until("the agent's disconnection to reach Spark", 30_000, () -> api2.getJson("/health").getJsonObject("poller").getInteger("agents") == 0);
      AckRecordingIngesters load = new AckRecordingIngesters(port, "r2", 4, 20, acked);
      load.reached(2_000).get(60, TimeUnit.SECONDS);
      long accessBefore = DbFile.count(db, "SELECT count(*) FROM access_logs");
      CompletableFuture<HttpResponse<String>> cleanup = api2.postAsync("/api/v1/admin/cleanup");
      long accessAtKill = Poll.until("the cleanup to start deleting", 60_000, () -> {
        long n = DbFile.count(db, "SELECT count(*) FROM access_logs");
        return n < accessBefore ? n : null;
      });
      assertFalse(cleanup.isDone(), "the cleanup is still running when Spark is killed");
      assertEquals(137, kill(spark, load));
      assertFailed(cleanup, "the cleanup never answered");
      long accessAfter = DbFile.count(db, "SELECT count(*) FROM access_logs");
      figures.add("round 2 (cleanup): " + load.summary() + "; access logs " + accessBefore + " before the cleanup, "
          + accessAtKill + " seen just before the kill, " + accessAfter + " after it");
      assertTrue(accessAfter > 0 && accessAfter < accessBefore, "killed part-way through the cleanup: " + accessAfter);
      assertIntact(db, acked);

      // 3. kill -9 during VACUUM, with the rebuilt database written into the WAL and not yet into the file.
      spark = start(dir, conf);
      ProcessApi api3 = new ProcessApi(port, TOKEN, Duration.ofMinutes(5));
      load = new AckRecordingIngesters(port, "r3", 4, 20, acked);
      load.reached(1_000).get(60, TimeUnit.SECONDS);
      long fileBefore = Files.size(db);
      Path wal = dir.resolve("spark.db-wal");
      // The vacuum checkpoints (TRUNCATE), rebuilds the file into the WAL and checkpoints again; ingest
      // waits behind it in the storage queue, so the WAL's growth after it starts is the rebuild. On its
      // own the window between the rebuild's commit and the answer is a few hundred milliseconds, too
      // short to land a kill in reliably on a loaded machine. A reader in another process (as a user's
      // sqlite3 shell would be) holds a snapshot that uses the WAL from before the vacuum, so both
      // checkpoints wait for it (the writer's busy_timeout, 10 s) and give up: the kill lands with the
      // rebuilt database in the WAL and not yet in the file. A vacuum that answers before the kill
      // anyway is reported and started again (three tries).
      CompletableFuture<HttpResponse<String>> vacuum = null;
      long walAtKill = 0;
      List<String> early = new ArrayList<>();
      for (int attempt = 0; attempt < 3 && walAtKill == 0; attempt++) {
        try (Connection reader = open(db)) {
          reader.setAutoCommit(false);
          Poll.until("ingest to write into the WAL", 60_000, () -> Files.size(wal) > 0);
          try (Statement st = reader.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM events")) {
            assertTrue(rs.next(), "the reader's snapshot");
          }
          long walBefore = Files.size(wal);
          CompletableFuture<HttpResponse<String>> call = api3.postAsync("/api/v1/admin/vacuum");
          vacuum = call;
          long wrote = Poll.until("the vacuum to write into the WAL", 60_000, () -> {
            long n = Files.size(wal);
            return call.isDone() ? Long.valueOf(-1) : n > walBefore + 16 * 1024 * 1024 ? Long.valueOf(n) : null;
          });
          if (wrote > 0 && !call.isDone()) {
            assertEquals(137, kill(spark, load));
            walAtKill = wrote;
          } else {
            early.add(answer(call));
          }
          reader.rollback();
        }
      }
      if (!early.isEmpty()) figures.add("round 3: vacuums that answered before the kill: " + early);
      assertTrue(walAtKill > 0, () -> "no vacuum was still running when the WAL held its rebuild; they answered " + early);
      assertFailed(vacuum, "the vacuum never answered");
      figures.add("round 3 (VACUUM): " + load.summary() + "; database file " + fileBefore + " bytes, WAL " + walAtKill
          + " bytes when killed");
      long pending = DbFile.count(db, "SELECT count(*) FROM events WHERE consumed = 0");
      assertTrue(pending >= 3_000, "events of rounds 2 and 3 are pending: " + pending);
      assertIntact(db, acked);

      // 4. The last start: the agent resumes by id, gets the backlog exactly once, then live events.
      spark = start(dir, conf);
      ProcessApi api = new ProcessApi(port, TOKEN, Duration.ofMinutes(5));
      assertEquals(200, api.get("/health").statusCode());
      long resumeFrom = agent.lastId();
      agent.connect(resumeFrom);
      load = new AckRecordingIngesters(port, "r4", 2, 10, acked);
      load.reached(500).get(60, TimeUnit.SECONDS);
      load.stopAndJoin();
      long last = maxEventId(db);
      agent.awaitId(last).get(120, TimeUnit.SECONDS);
      figures.add("round 4: the agent resumed after " + resumeFrom + " with " + pending + " pending and caught up to " + last);

      // Maintenance works on the crashed-and-recovered file.
      HttpResponse<String> cleaned = api.post("/api/v1/admin/cleanup", "");
      assertEquals(200, cleaned.statusCode(), cleaned.body());
      assertEquals(0, DbFile.count(db, "SELECT count(*) FROM access_logs WHERE timestamp < '2021'"), "the cleanup finished this time");
      HttpResponse<String> vacuumed = api.post("/api/v1/admin/vacuum", "");
      assertEquals(200, vacuumed.statusCode(), vacuumed.body());
      figures.add("after: cleanup " + new JsonObject(cleaned.body()).getLong("durationMs") + " ms, vacuum "
          + new JsonObject(vacuumed.body()).getLong("durationMs") + " ms");

      spark.terminate();
      agent.awaitDisconnected().get(30, TimeUnit.SECONDS);

      // The file itself.
      assertEquals("ok", string(db, "PRAGMA integrity_check"));
      assertIntact(db, acked);
      List<Long> ids = longs(db, "SELECT id FROM events ORDER BY id");
      assertEquals(0, DbFile.count(db, "SELECT count(*) FROM events WHERE consumed = 0"), "every event was delivered");
      List<ResumingSseAgent.Got> got = agent.received();
      Set<Long> unique = new HashSet<>();
      List<Long> duplicates = new ArrayList<>();
      for (ResumingSseAgent.Got g : got) {
        if (!unique.add(g.id())) duplicates.add(g.id());
      }
      assertEquals(List.of(), duplicates, "no event reached the agent twice");
      assertEquals(new TreeSet<>(ids), new TreeSet<>(unique), "the agent got every event in the database");
      Map<Long, String> traces = traceIds(db);
      for (ResumingSseAgent.Got g : got) assertEquals(traces.get(g.id()), g.traceId(), "the agent got event " + g.id() + " as stored");
      for (int c = 0; c < agent.connections(); c++) {
        long prev = 0;
        for (ResumingSseAgent.Got g : got) {
          if (g.connection() != c) continue;
          assertTrue(g.id() > prev, "in id order on connection " + c);
          prev = g.id();
        }
      }
      assertAllJsonParses(db);
      long unacknowledged = ids.size() - acked.size();
      figures.add("total: " + acked.size() + " acknowledged events, all present; " + ids.size() + " in the file ("
          + unacknowledged + " committed but never acknowledged: their answers were lost in the kills); "
          + got.size() + " delivered to the agent over " + agent.connections() + " connections, none twice");
      assertTrue(unacknowledged >= 0);
    } finally {
      agent.disconnect();
      if (spark != null) spark.close();
      System.out.println("CrashDurabilityIT figures:\n  " + String.join("\n  ", figures));
    }
  }

  // ---- the process ---------------------------------------------------------------------------

  private static SparkProcess start(Path dir, Path conf) throws Exception {
    return SparkProcess.startJar(dir, conf, "-Xmx512m");
  }

  /** kill -KILL by pid while the load runs; waits for the clients to notice. Returns the exit code. */
  private static int kill(SparkProcess spark, AckRecordingIngesters load) throws Exception {
    load.expectKill();
    int code = spark.kill9();
    load.join();
    assertEquals(List.of(), load.unexpected(), "the clients saw only 200s (and 503s) before the kill");
    return code;
  }

  /** What a finished call answered: its status and body, or how it failed. */
  private static String answer(CompletableFuture<HttpResponse<String>> call) {
    return call.handle((r, e) -> e != null ? "no answer: " + e : r.statusCode() + " " + r.body()).join();
  }

  private static void assertFailed(CompletableFuture<HttpResponse<String>> call, String what) throws Exception {
    try {
      HttpResponse<String> r = call.get(30, TimeUnit.SECONDS);
      fail(what + ", but it answered " + r.statusCode() + ": " + r.body());
    } catch (ExecutionException expected) {
      assertTrue(expected.getCause() instanceof IOException, what + ": " + expected.getCause());
    }
  }

  // ---- the file ------------------------------------------------------------------------------

  /** Every acknowledged id is in the file with the trace id it was acknowledged for. */
  private static void assertIntact(Path db, Map<Long, String> acked) throws SQLException {
    Map<Long, String> stored = traceIds(db);
    List<Long> missing = new ArrayList<>();
    for (Map.Entry<Long, String> e : acked.entrySet()) {
      if (!e.getValue().equals(stored.get(e.getKey()))) missing.add(e.getKey());
    }
    Collections.sort(missing);
    assertEquals(List.of(), missing.subList(0, Math.min(20, missing.size())),
        missing.size() + " of " + acked.size() + " acknowledged events are missing or changed");
  }

  private static void assertAllJsonParses(Path db) throws SQLException {
    try (Connection c = open(db); Statement st = c.createStatement()) {
      for (String sql : List.of("SELECT id, data FROM events", "SELECT id, input FROM access_logs WHERE input IS NOT NULL")) {
        try (ResultSet rs = st.executeQuery(sql)) {
          while (rs.next()) {
            String json = rs.getString(2);
            try {
              io.vertx.core.json.Json.decodeValue(json);
            } catch (RuntimeException e) {
              fail(sql + ": row " + rs.getLong(1) + " does not parse: " + e.getMessage());
            }
          }
        }
      }
    }
  }

  private static Connection open(Path db) throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + db);
  }

  private static long maxEventId(Path db) throws SQLException {
    return DbFile.count(db, "SELECT coalesce(max(id), 0) FROM events");
  }

  private static String string(Path db, String sql) throws SQLException {
    try (Connection c = open(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static List<Long> longs(Path db, String sql) throws SQLException {
    List<Long> out = new ArrayList<>();
    try (Connection c = open(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) out.add(rs.getLong(1));
    }
    return out;
  }

  private static Map<Long, String> traceIds(Path db) throws SQLException {
    Map<Long, String> out = new HashMap<>();
    try (Connection c = open(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id, trace_id FROM events")) {
      while (rs.next()) out.put(rs.getLong(1), rs.getString(2));
    }
    return out;
  }

  /** Access logs older than maxAgeDays, with ~700-byte inputs: work for the cleanup and bulk for the vacuum. */
  private static void seedAgedAccessLogs(ProcessApi api, int rows) throws Exception {
    String filler = "x".repeat(700);
    int batch = 2_000;
    for (int done = 0; done < rows; done += batch) {
      JsonArray arr = new JsonArray();
      for (int i = 0; i < batch; i++) {
        arr.add(new JsonObject().put("method", "GET").put("path", "/aged/" + (done + i)).put("status", 200).put("timestamp", AGED)
            .put("durationMs", i % 100).put("input", new JsonObject().put("n", done + i).put("filler", filler)));
      }
      HttpResponse<String> r = api.post("/api/v1/access", arr.encode());
      assertEquals(200, r.statusCode(), r.body());
    }
  }
}
