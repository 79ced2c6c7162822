package dev.spark.agent;

import dev.spark.support.AgentConsole;
import dev.spark.support.Await;
import dev.spark.support.Pi;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Without a working agent Spark keeps running, events stay pending, and the API says why and how to fix it. */
@ExtendWith(VertxExtension.class)
class AgentStatusTest {

  @Test
  void disabledByDefaultTheConsoleSaysHowToEnableItAndMessagesGet503(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    try {
      JsonObject agent = spark.getJson("/api/v1/agent");
      assertEquals("disabled", agent.getString("state"));
      assertFalse(agent.getBoolean("available"));
      assertTrue(agent.getString("reason").contains("agent.enabled is false"), agent.encode());
      assertTrue(agent.getString("fix").startsWith("set agent.enabled to true"), agent.encode());
      HttpResponse<Buffer> post = Await.result(spark.client().post("/api/v1/agent/messages").bearerTokenAuthentication(SparkUnderTest.TOKEN)
          .sendJsonObject(new JsonObject().put("text", "hello")));
      assertEquals(503, post.statusCode());
      assertTrue(post.bodyAsJsonObject().getString("message").contains("agent.enabled is false"));
      JsonObject status = spark.getJson("/api/v1/status");
      assertEquals("disabled", status.getJsonObject("agent").getString("state"));
    } finally {
      spark.stop();
    }
  }

  @Test
  void aMissingAgentCommandIsReportedAndEventsStayPending(Vertx vertx, @TempDir Path dir) {
    JsonObject agent = new JsonObject().put("enabled", true).put("command", dir.resolve("no/such/pi").toString())
        .put("cwd", dir.toString());
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("agent", agent));
    try {
      AgentConsole console = Await.result(AgentConsole.connect(vertx, spark.port));
      JsonObject state = Await.result(console.awaitState(s -> "unavailable".equals(s.getString("state"))));
      assertTrue(state.getString("reason").contains("was not found"), state.encode());
      assertTrue(state.getString("reason").contains(dir.resolve("no/such/pi").toString()), state.encode());
      assertEquals("fix agent.command in the configuration", state.getString("fix"));
      assertFalse(state.getBoolean("subscribed"));

      long id = AgentPiTest.ingest(spark, "nobody is listening");
      JsonObject event = spark.getJson("/api/v1/events/" + id);
      assertFalse(event.getBoolean("consumed"), "no agent attached: the event stays pending");
      assertEquals(1, spark.count("SELECT count(*) FROM events WHERE consumed = 0"));
      JsonObject status = spark.getJson("/api/v1/status");
      assertEquals("unavailable", status.getJsonObject("agent").getString("state"));
      assertTrue(status.getJsonObject("agent").getString("reason").contains("was not found"));
      Await.result(console.close());
    } finally {
      spark.stop();
    }
  }

  @Test
  void piWithoutAModelIsStoppedWithTheReasonAndEventsStayPending(Vertx vertx, @TempDir Path dir) throws Exception {
    Path pi = Pi.executable();
    Path emptyPiHome = Files.createDirectories(dir.resolve("pi-agent"));
    JsonObject agent = new JsonObject().put("enabled", true).put("command", pi.toString()).put("cwd", dir.toString())
        .put("args", new JsonArray().add("--no-session"))
        .put("env", noProviderKeys().put("PI_CODING_AGENT_DIR", emptyPiHome.toString()).put("PI_OFFLINE", "1"))
        .put("restartDelayMs", 60_000).put("restartMaxDelayMs", 60_000);
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("agent", agent));
    try {
      AgentConsole console = Await.result(AgentConsole.connect(vertx, spark.port));
      JsonObject state = Await.result(console.awaitState(s -> "stopped".equals(s.getString("state"))));
      assertTrue(state.getString("reason").startsWith("No working model"), state.encode());
      assertTrue(state.getString("fix").contains("models.json"), state.encode());
      assertNull(state.getValue("pid"), "the process was stopped");
      long id = AgentPiTest.ingest(spark, "still pending");
      assertFalse(spark.getJson("/api/v1/events/" + id).getBoolean("consumed"));
      assertEquals(200, Await.result(spark.client().get("/health").send()).statusCode(), "Spark itself is fine");
      Await.result(console.close());
    } finally {
      spark.stop();
    }
  }

  /** Blank provider keys, so a key in the environment running the tests cannot give Pi a model. */
  private static JsonObject noProviderKeys() {
    JsonObject env = new JsonObject();
    for (String key : new String[] {"ANTHROPIC_API_KEY", "ANTHROPIC_OAUTH_TOKEN", "OPENAI_API_KEY", "GEMINI_API_KEY", "GROQ_API_KEY",
        "XAI_API_KEY", "OPENROUTER_API_KEY", "MISTRAL_API_KEY", "CEREBRAS_API_KEY", "ZAI_API_KEY", "AI_GATEWAY_API_KEY"}) {
      env.put(key, "");
    }
    return env;
  }
}
