package dev.spark.web;

import dev.spark.support.AgentConsole;
import dev.spark.support.AgentSetup;
import dev.spark.support.Await;
import dev.spark.support.Pi;
import dev.spark.support.ScriptedModel;
import dev.spark.support.ScriptedModel.Reply;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code POST /mcp} driven by a client written against the protocol (JSON-RPC 2.0 over Streamable HTTP). */
@ExtendWith(VertxExtension.class)
class McpTest {
  private static final String VERSION = "2025-06-18";

  @Test
  void initializeListToolsAndCallTheQueryTools(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    try {
      // No token: refused before anything is read.
      HttpResponse<Buffer> anonymous = Await.result(spark.client().post("/mcp").sendJsonObject(rpc(1, "initialize", new JsonObject())));
      assertEquals(401, anonymous.statusCode());

      JsonObject init = call(spark, null, rpc(1, "initialize", new JsonObject().put("protocolVersion", VERSION)
          .put("capabilities", new JsonObject()).put("clientInfo", new JsonObject().put("name", "test-client").put("version", "1"))));
      assertEquals(1, init.getInteger("id"));
      JsonObject result = init.getJsonObject("result");
      assertEquals(VERSION, result.getString("protocolVersion"));
      assertEquals("spark", result.getJsonObject("serverInfo").getString("name"));
      assertTrue(result.getJsonObject("capabilities").containsKey("tools"));
      // An older version is answered with itself; an unknown one with the newest this server speaks.
      assertEquals("2024-11-05", call(spark, null, rpc(2, "initialize", new JsonObject().put("protocolVersion", "2024-11-05")))
          .getJsonObject("result").getString("protocolVersion"));
      assertEquals(VERSION, call(spark, null, rpc(3, "initialize", new JsonObject().put("protocolVersion", "1999-01-01")))
          .getJsonObject("result").getString("protocolVersion"));

      HttpResponse<Buffer> initialized = post(spark, VERSION,
          new JsonObject().put("jsonrpc", "2.0").put("method", "notifications/initialized"));
      assertEquals(202, initialized.statusCode());

      JsonArray tools = call(spark, VERSION, rpc(4, "tools/list", null)).getJsonObject("result").getJsonArray("tools");
      List<String> names = new ArrayList<>();
      for (Object o : tools) {
        JsonObject t = (JsonObject) o;
        names.add(t.getString("name"));
        assertEquals("object", t.getJsonObject("inputSchema").getString("type"), t.encode());
        assertFalse(t.getString("description").isBlank());
      }
      assertEquals(List.of("recent_events", "get_event", "pending_events", "query_access_logs", "access_stats", "talk_to_spark"), names);

      long id = AgentSetup.ingest(spark, "Connection refused");
      spark.postNow("/api/v1/access", new JsonObject().put("method", "POST").put("path", "/api/users").put("status", 500).put("durationMs", 12));
      JsonObject recent = call(spark, VERSION, rpc("r-5", "tools/call", new JsonObject().put("name", "recent_events")
          .put("arguments", new JsonObject().put("limit", 5))));
      assertEquals("r-5", recent.getString("id"));
      JsonObject toolResult = recent.getJsonObject("result");
      assertFalse(toolResult.getBoolean("isError"));
      JsonObject events = toolResult.getJsonObject("structuredContent");
      assertEquals(1, events.getInteger("count"));
      assertEquals(id, events.getJsonArray("events").getJsonObject(0).getLong("id"));
      String text = toolResult.getJsonArray("content").getJsonObject(0).getString("text");
      assertTrue(text.contains("Connection refused"), text);

      JsonObject one = call(spark, VERSION, rpc(6, "tools/call", new JsonObject().put("name", "get_event")
          .put("arguments", new JsonObject().put("id", id)))).getJsonObject("result");
      assertEquals("Connection refused", one.getJsonObject("structuredContent").getJsonObject("data").getJsonObject("error").getString("message"));
      JsonObject pending = call(spark, VERSION, rpc(7, "tools/call", new JsonObject().put("name", "pending_events")))
          .getJsonObject("result").getJsonObject("structuredContent");
      assertEquals(1, pending.getInteger("count"), "no agent: still pending");
      JsonObject access = call(spark, VERSION, rpc(8, "tools/call", new JsonObject().put("name", "query_access_logs")
          .put("arguments", new JsonObject().put("status", "5xx")))).getJsonObject("result").getJsonObject("structuredContent");
      assertEquals("/api/users", access.getJsonArray("access").getJsonObject(0).getString("path"));
      JsonObject stats = call(spark, VERSION, rpc(9, "tools/call", new JsonObject().put("name", "access_stats")))
          .getJsonObject("result").getJsonObject("structuredContent");
      assertEquals(1, stats.getJsonObject("totals").getInteger("errors"));

      // Errors: a tool's bad input is a tool error; an unknown tool or method a JSON-RPC error.
      JsonObject badInput = call(spark, VERSION, rpc(10, "tools/call", new JsonObject().put("name", "query_access_logs")
          .put("arguments", new JsonObject().put("status", "teapot")))).getJsonObject("result");
      assertTrue(badInput.getBoolean("isError"));
      assertEquals(-32602, call(spark, VERSION, rpc(11, "tools/call", new JsonObject().put("name", "rm_rf")))
          .getJsonObject("error").getInteger("code"));
      assertEquals(-32601, call(spark, VERSION, rpc(12, "resources/list", null)).getJsonObject("error").getInteger("code"));
      JsonObject talk = call(spark, VERSION, rpc(13, "tools/call", new JsonObject().put("name", "talk_to_spark")
          .put("arguments", new JsonObject().put("message", "hello")))).getJsonObject("result");
      assertTrue(talk.getBoolean("isError"));
      assertTrue(talk.getJsonArray("content").getJsonObject(0).getString("text").contains("agent.enabled is false"), talk.encode());

      assertEquals(400, post(spark, "1999-01-01", rpc(14, "ping", null)).statusCode());
      assertEquals(400, Await.result(spark.client().post("/mcp").bearerTokenAuthentication(SparkUnderTest.TOKEN)
          .sendBuffer(Buffer.buffer("{not json"))).statusCode());
      assertEquals(405, Await.result(spark.client().get("/mcp").bearerTokenAuthentication(SparkUnderTest.TOKEN).send()).statusCode());
      assertEquals(new JsonObject(), call(spark, VERSION, rpc(15, "ping", null)).getJsonObject("result"));
    } finally {
      spark.stop();
    }
  }

  @Test
  void talkToSparkStreamsTheAgentsAnswerAsProgressThenTheResult(Vertx vertx, @TempDir Path dir) throws Exception {
    Path pi = Pi.executable();
    Path project = Files.createDirectories(dir.resolve("project"));
    ScriptedModel model = Await.result(ScriptedModel.start(vertx, request ->
        ScriptedModel.lastUserText(request).contains("What broke?") ? Reply.text("Nothing broke today.") : Reply.text("Oriented.")));
    JsonObject agent = AgentSetup.agentConfig(pi, project, new JsonObject(new HashMap<>(model.piEnvironment(dir.resolve("pi-agent")))));
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("agent", agent));
    try {
      AgentConsole console = Await.result(AgentConsole.connect(vertx, spark.port));
      Await.result(console.awaitState(AgentConsole::ready));
      Await.result(console.awaitState(s -> "idle".equals(s.getString("state"))));
      HttpResponse<Buffer> r = Await.result(request(spark, VERSION).putHeader("Accept", "application/json, text/event-stream")
          .sendJsonObject(rpc(1, "tools/call", new JsonObject().put("name", "talk_to_spark")
              .put("arguments", new JsonObject().put("message", "What broke?"))
              .put("_meta", new JsonObject().put("progressToken", "p1")))));
      assertEquals(200, r.statusCode());
      assertTrue(r.getHeader("Content-Type").startsWith("text/event-stream"), r.getHeader("Content-Type"));
      List<JsonObject> messages = new ArrayList<>();
      for (String block : r.bodyAsString().split("\n\n")) {
        for (String line : block.split("\n")) if (line.startsWith("data: ")) messages.add(new JsonObject(line.substring(6)));
      }
      JsonObject last = messages.get(messages.size() - 1);
      assertEquals(1, last.getInteger("id"));
      assertEquals("Nothing broke today.", last.getJsonObject("result").getJsonArray("content").getJsonObject(0).getString("text"));
      List<JsonObject> progress = messages.subList(0, messages.size() - 1);
      assertFalse(progress.isEmpty(), "progress notifications before the result");
      StringBuilder streamed = new StringBuilder();
      for (JsonObject p : progress) {
        assertEquals("notifications/progress", p.getString("method"));
        assertEquals("p1", p.getJsonObject("params").getString("progressToken"));
        streamed.append(p.getJsonObject("params").getString("message"));
      }
      assertEquals("Nothing broke today.", streamed.toString());
      assertTrue(console.transcript().stream().anyMatch(e -> "user".equals(e.getString("kind")) && "mcp".equals(e.getString("source"))));
      Await.result(console.close());
    } finally {
      spark.stop();
      Await.result(model.close());
    }
  }

  private static JsonObject rpc(Object id, String method, JsonObject params) {
    JsonObject m = new JsonObject().put("jsonrpc", "2.0").put("id", id).put("method", method);
    if (params != null) m.put("params", params);
    return m;
  }

  private static HttpRequest<Buffer> request(SparkUnderTest spark, String version) {
    HttpRequest<Buffer> req = spark.client().post("/mcp").bearerTokenAuthentication(SparkUnderTest.TOKEN)
        .putHeader("Accept", "application/json, text/event-stream");
    if (version != null) req.putHeader("MCP-Protocol-Version", version);
    return req;
  }

  private static HttpResponse<Buffer> post(SparkUnderTest spark, String version, JsonObject message) {
    return Await.result(request(spark, version).sendJsonObject(message));
  }

  private static JsonObject call(SparkUnderTest spark, String version, JsonObject message) {
    HttpResponse<Buffer> r = post(spark, version, message);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertTrue(r.getHeader("Content-Type").startsWith("application/json"), r.getHeader("Content-Type"));
    JsonObject body = r.bodyAsJsonObject();
    assertEquals("2.0", body.getString("jsonrpc"));
    return body;
  }
}
