package dev.spark.agent;

import dev.spark.support.AgentConsole;
import dev.spark.support.AgentSetup;
import dev.spark.support.Await;
import dev.spark.support.MutableClock;
import dev.spark.support.Pi;
import dev.spark.support.ScriptedModel;
import dev.spark.support.ScriptedModel.Reply;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code agent.budget}: over budget, events wait pending with the reason shown, and go out by themselves
 * when the hour turns; {@code agent.gate}: an issue goes to the agent once it has happened often enough.
 */
@ExtendWith(VertxExtension.class)
class AgentBudgetTest {

  @Test
  void withAGateOfTwoAnIssueGoesToTheAgentOnlyOnceItHappenedTwice(Vertx vertx, @TempDir Path dir) throws Exception {
    Path project = Files.createDirectories(dir.resolve("project"));
    ScriptedModel model = Await.result(ScriptedModel.start(vertx, request -> Reply.text("Looked at it.")));
    JsonObject agent = AgentSetup.agentConfig(Pi.executable(), project, new JsonObject(new HashMap<>(model.piEnvironment(dir.resolve("pi-agent")))))
        .put("gate", new JsonObject().put("minEvents", 2).put("windowMinutes", 10));
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("environment", "development").put("agent", agent));
    AgentConsole console = Await.result(AgentConsole.connect(vertx, spark.port));
    try {
      Await.result(console.awaitState(AgentConsole::ready));
      long first = AgentSetup.ingest(spark, "gate-bug in checkout");
      Await.result(console.awaitState(s -> s.getJsonObject("batches").getInteger("gated") == 1));
      Await.result(console.awaitEntry(e -> e.getString("text", "").contains("waits until its issue has 2 occurrences")));
      assertTrue(model.requests().stream().noneMatch(r -> ScriptedModel.lastUserText(r).contains("gate-bug")), "held back by the gate");

      AgentSetup.ingest(spark, "gate-bug in checkout");
      JsonObject request = Await.result(model.await(r -> ScriptedModel.lastUserText(r).contains("gate-bug")));
      assertTrue(ScriptedModel.lastUserText(request).contains("\"id\" : " + first), "the first occurrence's batch goes out");
      Await.result(console.awaitState(s -> s.getJsonObject("batches").getInteger("gated") == 0
          && s.getJsonObject("batches").getInteger("delivered") == 1));
    } finally {
      Await.result(console.close());
      spark.stop();
      Await.result(model.close());
    }
  }

  @Test
  void withOneRunPerHourASecondIssueWaitsPendingAndGoesOutWhenTheHourTurns(Vertx vertx, @TempDir Path dir) throws Exception {
    Path project = Files.createDirectories(dir.resolve("project"));
    ScriptedModel model = Await.result(ScriptedModel.start(vertx, request -> Reply.text("Looked at it.")));
    MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));
    JsonObject agent = AgentSetup.agentConfig(Pi.executable(), project, new JsonObject(new HashMap<>(model.piEnvironment(dir.resolve("pi-agent")))))
        .put("budget", new JsonObject().put("runsPerHour", 1));
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("environment", "development").put("agent", agent), clock);
    AgentConsole console = Await.result(AgentConsole.connect(vertx, spark.port));
    try {
      JsonObject ready = Await.result(console.awaitState(AgentConsole::ready));
      assertNull(ready.getJsonObject("budget").getString("blocked"));

      AgentSetup.ingest(spark, "first-bug");
      Await.result(model.await(r -> ScriptedModel.lastUserText(r).contains("first-bug")));
      JsonObject over = Await.result(console.awaitState(s -> s.getJsonObject("budget").getString("blocked") != null && !s.getBoolean("subscribed")));
      String why = over.getJsonObject("budget").getString("blocked");
      assertTrue(why.contains("agent.budget.runsPerHour 1") && why.contains("2026-12-06T11:00:00Z"), why);

      long second = AgentSetup.ingest(spark, "second-bug");
      assertEquals(1, spark.count("SELECT count(*) FROM events WHERE consumed = 0 AND id = " + second), "it waits, pending in the database");
      assertTrue(spark.getJson("/api/v1/agent").getJsonObject("budget").getString("blocked").contains("runsPerHour"), "the reason is shown");
      assertTrue(model.requests().stream().noneMatch(r -> ScriptedModel.lastUserText(r).contains("second-bug")));

      clock.advance(Duration.ofMinutes(61));
      JsonObject request = Await.result(model.await(r -> ScriptedModel.lastUserText(r).contains("second-bug")));
      assertTrue(ScriptedModel.lastUserText(request).contains("\"id\" : " + second));
      assertEquals(1, spark.count("SELECT count(*) FROM events WHERE consumed = 1 AND id = " + second));
      assertEquals(1, model.requests().stream().filter(r -> ScriptedModel.lastUserText(r).contains("second-bug")).count(), "sent once");
    } finally {
      Await.result(console.close());
      spark.stop();
      Await.result(model.close());
    }
  }
}
