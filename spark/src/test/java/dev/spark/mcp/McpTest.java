package dev.spark.mcp;

import dev.spark.support.AgentConsole;
import dev.spark.support.AgentSetup;
import dev.spark.support.Await;
import dev.spark.support.Pi;
import dev.spark.support.ScriptedModel.Reply;
import dev.spark.support.ScriptedModel;
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
      assertEquals(List.of("recent_events", "get_event", "pending_events", "query_access_logs", "access_stats", "talk_to_spark",
          "list_issues", "resolve_issue", "set_issue_status", "list_fixes", "get_fix"), names);
      JsonObject noFixes = call(spark, VERSION, rpc("f-1", "tools/call", new JsonObject().put("name", "list_fixes")
          .put("arguments", new JsonObject()))).getJsonObject("result");
      assertFalse(noFixes.getBoolean("isError"), noFixes.encode());
      assertEquals(new JsonArray(), noFixes.getJsonObject("structuredContent").getJsonArray("fixes"));
      JsonObject missingFix = call(spark, VERSION, rpc("f-2", "tools/call", new JsonObject().put("name", "get_fix")
          .put("arguments", new JsonObject().put("id", 99)))).getJsonObject("result");
      assertTrue(missingFix.getBoolean("isError"), missingFix.encode());
      assertTrue(missingFix.encode().contains("No fix #99"), missingFix.encode());

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

      // Errors: arguments a tool cannot take, an unknown tool or method are JSON-RPC errors; a tool that ran and failed, a tool error.
      JsonObject badInput = call(spark, VERSION, rpc(10, "tools/call", new JsonObject().put("name", "query_access_logs")
          .put("arguments", new JsonObject().put("status", "teapot")))).getJsonObject("error");
      assertEquals(-32602, badInput.getInteger("code"));
      assertEquals("status", badInput.getJsonObject("data").getString("field"));
      JsonObject noSuchEvent = call(spark, VERSION, rpc("10b", "tools/call", new JsonObject().put("name", "get_event")
          .put("arguments", new JsonObject().put("id", id + 1000)))).getJsonObject("result");
      assertTrue(noSuchEvent.getBoolean("isError"), noSuchEvent.encode());
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
  void issueToolsListAndChangeIssuesAsTheHttpApiSeesThem(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    try {
      JsonArray tools = call(spark, VERSION, rpc(1, "tools/list", null)).getJsonObject("result").getJsonArray("tools");
      JsonObject resolveTool = null;
      for (Object o : tools) if ("resolve_issue".equals(((JsonObject) o).getString("name"))) resolveTool = (JsonObject) o;
      assertTrue(resolveTool != null, tools.encodePrettily());
      assertEquals(new JsonArray().add("fingerprint"), resolveTool.getJsonObject("inputSchema").getJsonArray("required"));

      long first = AgentSetup.ingest(spark, "Order 17 not found");
      AgentSetup.ingest(spark, "Order 18 not found");
      AgentSetup.ingest(spark, "Connection refused");
      String fp = spark.getJson("/api/v1/events/" + first).getString("fingerprint");
      assertTrue(fp != null && !fp.isBlank());

      JsonObject listed = tool(spark, 2, "list_issues", new JsonObject().put("status", "open").put("sort", "count").put("limit", 5));
      assertFalse(listed.getBoolean("isError"), listed.encode());
      JsonObject issues = listed.getJsonObject("structuredContent");
      assertEquals(2, issues.getInteger("count"));
      JsonObject top = issues.getJsonArray("issues").getJsonObject(0);
      assertEquals(fp, top.getString("fingerprint"), "most occurrences first");
      assertEquals(2, top.getInteger("count"));
      assertEquals("open", top.getString("status"));
      assertTrue(listed.getJsonArray("content").getJsonObject(0).getString("text").contains(fp));

      JsonObject resolved = tool(spark, 3, "resolve_issue", new JsonObject().put("fingerprint", fp));
      assertFalse(resolved.getBoolean("isError"), resolved.encode());
      assertEquals("resolved", resolved.getJsonObject("structuredContent").getJsonObject("issue").getString("status"));
      assertEquals("resolved", spark.getJson("/api/v1/issues/" + fp).getJsonObject("issue").getString("status"), "as the HTTP API sees it");
      assertEquals(1, tool(spark, 4, "list_issues", new JsonObject().put("status", "open")).getJsonObject("structuredContent").getInteger("count"));
      JsonArray onlyResolved = tool(spark, 5, "list_issues", new JsonObject().put("status", "resolved").put("sort", "lastSeen"))
          .getJsonObject("structuredContent").getJsonArray("issues");
      assertEquals(1, onlyResolved.size());
      assertEquals(fp, onlyResolved.getJsonObject(0).getString("fingerprint"));

      assertFalse(tool(spark, 6, "set_issue_status", new JsonObject().put("fingerprint", fp).put("action", "mute")).getBoolean("isError"));
      assertEquals("muted", spark.getJson("/api/v1/issues/" + fp).getJsonObject("issue").getString("status"));
      assertFalse(tool(spark, 7, "set_issue_status", new JsonObject().put("fingerprint", fp).put("action", "reopen")).getBoolean("isError"));
      assertEquals("open", spark.getJson("/api/v1/issues/" + fp).getJsonObject("issue").getString("status"));

      // Arguments the tools cannot take: JSON-RPC errors (-32602) naming the argument, over a 200, and nothing changes.
      assertInvalid(spark, "list_issues", new JsonObject().put("status", "bogus"), "status");
      assertInvalid(spark, "list_issues", new JsonObject().put("sort", "name"), "sort");
      assertInvalid(spark, "list_issues", new JsonObject().put("limit", 0), "limit");
      assertInvalid(spark, "list_issues", new JsonObject().put("limit", "many"), "limit");
      assertInvalid(spark, "resolve_issue", new JsonObject(), "fingerprint");
      assertInvalid(spark, "resolve_issue", new JsonObject().put("fingerprint", 42), "fingerprint");
      assertInvalid(spark, "resolve_issue", new JsonObject().put("fingerprint", " "), "fingerprint");
      assertInvalid(spark, "set_issue_status", new JsonObject().put("fingerprint", fp).put("action", "delete"), "action");
      assertInvalid(spark, "set_issue_status", new JsonObject().put("fingerprint", fp), "action");
      assertEquals("open", spark.getJson("/api/v1/issues/" + fp).getJsonObject("issue").getString("status"));
      // A well-formed call that finds nothing: the tool ran and says so.
      JsonObject unknown = tool(spark, 8, "resolve_issue", new JsonObject().put("fingerprint", "no-such-fingerprint"));
      assertTrue(unknown.getBoolean("isError"), unknown.encode());
      assertTrue(unknown.getJsonArray("content").getJsonObject(0).getString("text").contains("No issue with fingerprint no-such-fingerprint"));
    } finally {
      spark.stop();
    }
  }

  private static JsonObject tool(SparkUnderTest spark, Object id, String name, JsonObject args) {
    JsonObject answer = call(spark, VERSION, rpc(id, "tools/call", new JsonObject().put("name", name).put("arguments", args)));
    assertEquals(id, answer.getValue("id"));
    JsonObject result = answer.getJsonObject("result");
    assertTrue(result != null, answer.encode());
    return result;
  }

  private static void assertInvalid(SparkUnderTest spark, String name, JsonObject args, String field) {
    JsonObject answer = call(spark, VERSION, rpc("bad", "tools/call", new JsonObject().put("name", name).put("arguments", args)));
    JsonObject error = answer.getJsonObject("error");
    assertTrue(error != null && !answer.containsKey("result"), name + " " + args.encode() + " → " + answer.encode());
    assertEquals(-32602, error.getInteger("code"));
    assertEquals(field, error.getJsonObject("data").getString("field"), error.encode());
    assertEquals("bad", answer.getString("id"));
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
