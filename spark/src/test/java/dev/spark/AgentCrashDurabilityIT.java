package dev.spark;

import dev.spark.support.AgentConsole;
import dev.spark.support.AgentSetup;
import dev.spark.support.Await;
import dev.spark.support.DbFile;
import dev.spark.support.Pi;
import dev.spark.support.Poll;
import dev.spark.support.ProcessApi;
import dev.spark.support.ScriptedModel;
import dev.spark.support.ScriptedModel.Reply;
import dev.spark.support.SparkProcess;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 5, "nothing lost": a batch Spark consumed for its own agent but Pi never took survives a
 * crash of Spark itself. The fat jar runs as a real process with the real Pi against a scripted
 * model the test serves. The model stalls on the first event, so the two batches after it wait in
 * Pi's follow-up queue (consumed in the database, not taken); Spark is killed with
 * {@code kill -KILL}, and Pi with it. The restarted Spark sends its new Pi exactly those two batches,
 * once each, and not the one the dead Pi was working on. A second {@code kill -KILL} once they are
 * taken, and a third start: nothing is sent again.
 */
class AgentCrashDurabilityIT {
  private static final String STALL = "stall-on-this";
  /** The Pi process of the last agent state read ({@link #agent}), -1 before any. */
  private long lastPid = -1;

  @Test
  void batchesConsumedButNotTakenByPiSurviveKill9AndReachTheRestartedAgentOnce(@TempDir Path dir) throws Exception {
    Path pi = Pi.executable();
    Vertx vertx = Vertx.vertx();
    Promise<Void> never = Promise.promise();
    ScriptedModel model = Await.result(ScriptedModel.start(vertx, request ->
        ScriptedModel.lastUserText(request).contains(STALL) ? Reply.hold(never.future()) : Reply.text("Noted.")));
    int port = SparkUnderTest.freePort();
    Path db = dir.resolve("spark.db");
    Path project = Files.createDirectories(dir.resolve("project"));
    JsonObject agent = AgentSetup.agentConfig(pi, project, new JsonObject(new HashMap<>(model.piEnvironment(dir.resolve("pi-agent")))));
    Path conf = SparkProcess.writeConf(dir.resolve("spark.json"), new JsonObject()
        .put("db", new JsonObject().put("path", db.toString()))
        .put("web", new JsonObject().put("port", port).put("token", SparkUnderTest.TOKEN))
        .put("agent", agent));
    ProcessApi api = new ProcessApi(port, SparkUnderTest.TOKEN, Duration.ofSeconds(30));
    SparkProcess spark = null;
    try {
      // 1. The first batch stalls Pi mid-run; the next two are queued behind it, consumed but not taken.
      spark = SparkProcess.startJar(dir, conf, "-Xmx512m");
      AgentConsole console = Await.result(AgentConsole.connect(vertx, port));
      long firstPid = Await.result(console.awaitState(AgentConsole::ready)).getLong("pid");
      api.ingest(STALL + ": the run that never ends");
      Await.result(model.await(r -> ScriptedModel.lastUserText(r).contains(STALL)));
      long b = api.ingest("held-b: queued behind the stalled run");
      long c = api.ingest("held-c: queued behind the stalled run too");
      Await.result(console.awaitState(s -> s.getJsonObject("batches").getInteger("queued") == 2));
      assertEquals(0, DbFile.count(db, "SELECT count(*) FROM events WHERE consumed = 0"), "all three are consumed");
      // Held in the database: the two Pi has not taken; the one it took was released.
      Poll.until("the held batches to be exactly b and c", 30_000, () -> List.of(b, c).equals(held(db)));
      Await.result(console.close());

      assertEquals(137, spark.kill9(), "Spark killed by SIGKILL");
      ProcessHandle.of(firstPid).ifPresent(p -> {
        p.destroyForcibly();
        p.onExit().join();
      });

      // 2. Restarted: the new Pi gets b and c, once each, and not the batch the dead one was working on.
      spark = SparkProcess.startJar(dir, conf, "-Xmx512m");
      console = Await.result(AgentConsole.connect(vertx, port));
      Await.result(console.awaitState(s -> AgentConsole.ready(s) && s.getJsonObject("batches").getInteger("delivered") == 2
          && s.getJsonObject("batches").getInteger("pending") == 0));
      assertEquals(List.of(List.of(b), List.of(c)), sentBatches(agent(api)), "exactly the two batches Pi never took, oldest first");
      JsonObject last = Await.result(model.await(r -> ScriptedModel.lastUserText(r).contains("held-c")
          && ScriptedModel.allText(r).contains("held-b")));
      assertEquals(1, userMessagesWith(last, "held-b"), "b reached the model once");
      assertEquals(1, userMessagesWith(last, "held-c"), "c reached the model once");
      assertEquals(0, userMessagesWith(last, STALL), "the batch the dead Pi was working on is not sent again");
      assertTrue(ScriptedModel.lastUserText(last).contains("\"id\" : " + c), "c whole, with its spark-events block");
      Poll.until("the taken batches to be released", 30_000, () -> held(db).isEmpty());
      Await.result(console.close());
      assertEquals(137, spark.kill9());
      ProcessHandle.of(lastPid).ifPresent(p -> {
        p.destroyForcibly();
        p.onExit().join();
      });

      // 3. Taken batches are not sent again after a crash: the next start sends only what is new.
      spark = SparkProcess.startJar(dir, conf, "-Xmx512m");
      console = Await.result(AgentConsole.connect(vertx, port));
      Await.result(console.awaitState(AgentConsole::ready));
      long d = api.ingest("fresh-d: after the second crash");
      Await.result(console.awaitState(s -> s.getJsonObject("batches").getInteger("delivered") == 1));
      assertEquals(List.of(List.of(d)), sentBatches(agent(api)), "only the new event");
      Await.result(console.close());
      spark.terminate();
      ProcessHandle.of(lastPid).ifPresent(p -> p.onExit().orTimeout(30, TimeUnit.SECONDS).join());
    } finally {
      if (spark != null) spark.close();
      never.tryComplete();
      Await.result(model.close());
      Await.result(vertx.close());
    }
  }

  /** Spark's agent state over HTTP; remembers its Pi process. */
  private JsonObject agent(ProcessApi api) {
    JsonObject state = api.getJson("/api/v1/agent");
    if (state.getValue("pid") instanceof Number n) lastPid = n.longValue();
    return state;
  }

  /** The event ids of each batch Spark sent its agent in this run, from the console's transcript. */
  private static List<List<Long>> sentBatches(JsonObject state) {
    List<List<Long>> out = new ArrayList<>();
    for (Object o : state.getJsonArray("transcript")) {
      JsonObject e = (JsonObject) o;
      if (!"batch".equals(e.getString("kind"))) continue;
      List<Long> ids = new ArrayList<>();
      for (Object id : e.getJsonArray("eventIds")) ids.add(((Number) id).longValue());
      out.add(ids);
    }
    return out;
  }

  /** User messages in the conversation sent to the model that mention {@code text}. */
  private static long userMessagesWith(JsonObject request, String text) {
    long n = 0;
    for (Object o : request.getJsonArray("messages", new JsonArray())) {
      JsonObject m = (JsonObject) o;
      if ("user".equals(m.getString("role")) && String.valueOf(m.getValue("content")).contains(text)) n++;
    }
    return n;
  }

  /** First event ids of the batches held for Spark's agent, read from the database file. */
  private static List<Long> held(Path db) throws Exception {
    List<Long> ids = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT first_id FROM agent_outbox WHERE subscriber = 'spark-agent' ORDER BY first_id")) {
      while (rs.next()) ids.add(rs.getLong(1));
    }
    return ids;
  }
}
