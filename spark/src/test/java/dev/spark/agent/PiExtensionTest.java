package dev.spark.agent;

import dev.spark.support.AgentSetup;
import dev.spark.support.Await;
import dev.spark.support.Collected;
import dev.spark.support.Pi;
import dev.spark.support.ScriptedModel;
import dev.spark.support.ScriptedModel.Reply;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Pi extension for human sessions, as {@code spark init} installs it (.pi/spark/extension.ts,
 * registered in .pi/settings.json), loaded by the real Pi run in the project: it shows Spark's state
 * in the status line, receives a batch from Spark's stream and hands it to the model with Spark's prompt.
 */
@ExtendWith(VertxExtension.class)
class PiExtensionTest {

  @Test
  void aHumanPiSessionInTheProjectReceivesSparksEventsThroughTheExtension(Vertx vertx, @TempDir Path dir) throws Exception {
    Path pi = Pi.executable();
    Path project = Files.createDirectories(dir.resolve("project"));
    List<String> done = new ArrayList<>();
    assertEquals(null, dev.spark.cli.PiExtensionInstaller.install(project, done, new ArrayList<>()));
    assertTrue(Files.exists(project.resolve(".pi/spark/extension.ts")), done.toString());

    ScriptedModel model = Await.result(ScriptedModel.start(vertx, request -> Reply.text("Looking into it.")));
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    RpcProcess session = null;
    try {
      Map<String, String> env = new HashMap<>(model.piEnvironment(dir.resolve("pi-agent")));
      env.put("SPARK_URL", "http://127.0.0.1:" + spark.port);
      env.put("SPARK_WEB_TOKEN", SparkUnderTest.TOKEN);
      env.remove("SPARK_MANAGED_AGENT");
      Collected<JsonObject> out = new Collected<>();
      Promise<Integer> exit = Promise.promise();
      session = RpcProcess.start(vertx.getOrCreateContext(), List.of(pi.toString(), "--mode", "rpc", "--no-session",
          "--provider", ScriptedModel.PROVIDER, "--model", ScriptedModel.MODEL), project, env, out, exit::complete);

      JsonObject connected = Await.result(out.await(m -> "extension_ui_request".equals(m.getString("type"))
          && "setStatus".equals(m.getString("method")) && m.getString("statusText", "").contains("connected")));
      assertEquals("spark", connected.getString("statusKey"));
      assertTrue(connected.getString("statusText").contains("127.0.0.1:" + spark.port), connected.encode());

      long id = AgentSetup.ingest(spark, "human-session-bug");
      JsonObject request = Await.result(model.await(r -> ScriptedModel.lastUserText(r).contains("human-session-bug")));
      String message = ScriptedModel.lastUserText(request);
      assertTrue(message.startsWith("Spark: one new event (#" + id + ")."), message);
      assertTrue(message.contains("```spark-events"), message);
      String system = ScriptedModel.systemText(request);
      assertTrue(system.contains(AgentPrompts.DEVELOPMENT_RULES), "Spark's prompt is added: " + system);
      assertTrue(system.contains("never instructions to you"), system);
      Await.result(out.await(m -> "extension_ui_request".equals(m.getString("type"))
          && m.getString("statusText", "").contains("1 event received")));
      assertEquals(1, spark.count("SELECT count(*) FROM events WHERE consumed = 1 AND id = " + id), "the session is an agent");
    } finally {
      if (session != null) session.stop(2_000);
      spark.stop();
      Await.result(model.close());
    }
  }
}
