package dev.spark.ingest;

import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.spark.support.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every kind of bad input gets its documented status and a JSON reason, and changes nothing. */
@ExtendWith(VertxExtension.class)
class BadInputTest {
  private static final String OK_EVENT = "{\"type\":\"server-error\",\"error\":{\"message\":\"m\"}}";
  private static final String OK_ACCESS = "{\"method\":\"GET\",\"path\":\"/\",\"status\":200}";

  record Case(String name, String path, String body, int status, String mentions) {}

  private static final List<Case> CASES = List.of(
      new Case("not JSON", "/api/v1/events", "{type: server-error", 400, "not valid JSON"),
      new Case("empty body", "/api/v1/events", "", 400, "empty"),
      new Case("JSON scalar", "/api/v1/events", "42", 400, "JSON object"),
      new Case("empty array", "/api/v1/events", "[]", 400, "empty"),
      new Case("array of non-objects", "/api/v1/events", "[1,2]", 400, "JSON object"),
      new Case("missing type", "/api/v1/events", "{\"error\":{\"message\":\"m\"}}", 400, "type is required"),
      new Case("unknown type", "/api/v1/events", "{\"type\":\"fatal\",\"error\":{\"message\":\"m\"}}", 400, "type must be one of"),
      new Case("type not a string", "/api/v1/events", "{\"type\":5}", 400, "type must be a string"),
      // A missing error.message is filled in (NothingDroppedTest); a mistyped one is refused.
      new Case("error.message not a string", "/api/v1/events", "{\"type\":\"server-error\",\"error\":{\"message\":5}}", 400,
          "message must be a string"),
      new Case("exitCode not an integer", "/api/v1/events", "{\"type\":\"process-error\",\"exitCode\":\"3\"}", 400, "exitCode must be an integer"),
      new Case("both spellings, different values", "/api/v1/access",
          "{\"method\":\"GET\",\"path\":\"/\",\"status\":200,\"durationMs\":1,\"duration_ms\":2}", 400, "duration_ms"),
      new Case("error not an object", "/api/v1/events", "{\"type\":\"server-error\",\"error\":\"x\"}", 400, "error must be an object"),
      new Case("status out of range", "/api/v1/events", "{\"type\":\"rate-limit\",\"status\":9000}", 400, "status must be"),
      new Case("status a string", "/api/v1/events", "{\"type\":\"rate-limit\",\"status\":\"500\"}", 400, "status must be"),
      new Case("bad timestamp", "/api/v1/events", "{\"type\":\"rate-limit\",\"timestamp\":\"yesterday\"}", 400, "timestamp must be"),
      new Case("traceId not a string", "/api/v1/events", "{\"type\":\"rate-limit\",\"traceId\":{}}", 400, "traceId must be a string"),
      new Case("one bad item spoils the batch", "/api/v1/events", "[" + OK_EVENT + ",{\"type\":\"nope\"}]", 400, "type must be one of"),
      new Case("access without method", "/api/v1/access", "{\"path\":\"/\",\"status\":200}", 400, "method is required"),
      new Case("access without path", "/api/v1/access", "{\"method\":\"GET\",\"status\":200}", 400, "path is required"),
      new Case("access without status", "/api/v1/access", "{\"method\":\"GET\",\"path\":\"/\"}", 400, "status is required"),
      new Case("access negative duration", "/api/v1/access", "{\"method\":\"GET\",\"path\":\"/\",\"status\":200,\"durationMs\":-1}", 400, "durationMs"),
      new Case("access error of wrong type", "/api/v1/access", "{\"method\":\"GET\",\"path\":\"/\",\"status\":200,\"error\":42}", 400, "error must be"),
      new Case("access batch with a bad item", "/api/v1/access", "[" + OK_ACCESS + "," + OK_ACCESS.replace("200", "\"x\"") + "]", 400, "[1].status"),
      new Case("body over the limit", "/api/v1/events", "[" + (OK_EVENT + ",").repeat(400) + OK_EVENT + "]", 413,
          "larger than ingest.maxBodyBytes (4096 bytes)"),
      new Case("login form over its limit", "/auth", "token=" + "x".repeat(9_000), 413, "larger than the login form's limit (8192 bytes)"));

  @Test
  void eachBadInputGetsItsStatusAndStoresNothing(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("ingest", new JsonObject().put("maxBodyBytes", 4096)));
    for (Case c : CASES) {
      HttpResponse<Buffer> res = result(spark.client().post(c.path()).sendBuffer(Buffer.buffer(c.body())));
      assertEquals(c.status(), res.statusCode(), c.name() + ": " + res.bodyAsString());
      JsonObject body = res.bodyAsJsonObject();
      assertNotNull(body.getString("error"), c.name());
      String text = body.getString("message") + " " + body.getString("field", "");
      assertTrue(text.contains(c.mentions()), c.name() + ": expected the reason to mention \"" + c.mentions() + "\", got " + body);
      assertEquals(0, spark.count("SELECT count(*) FROM events"), c.name() + " stored an event");
      assertEquals(0, spark.count("SELECT count(*) FROM access_logs"), c.name() + " stored an access log");
    }
    // The same endpoints still take good input afterwards.
    assertEquals(200, spark.postNow("/api/v1/events", OK_EVENT).statusCode());
    assertEquals(200, spark.postNow("/api/v1/access", OK_ACCESS).statusCode());
  }

  /** A refused batch names the item and its field as a JSON path: {@code [i]} for the item itself, {@code [i].a.b} inside it. */
  @Test
  void aBadBatchItemIsNamedByItsIndex(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject());
    String[][] cases = {
        {"/api/v1/events", "[" + OK_EVENT + ",2]", "[1]"},
        {"/api/v1/access", "[" + OK_ACCESS + "," + OK_ACCESS + ",\"x\"]", "[2]"},
        {"/api/v1/events", "[" + OK_EVENT + "," + OK_EVENT + ",{\"type\":\"nope\"}]", "[2].type"},
        {"/api/v1/events", "[{\"type\":\"server-error\",\"error\":{\"message\":5}}]", "[0].error.message"},
        {"/api/v1/access", "[" + OK_ACCESS + ",{\"method\":\"GET\",\"path\":\"/\",\"status\":200,\"durationMs\":1,\"duration_ms\":2}]",
            "[1].durationMs"},
        {"/api/v1/events", "{\"type\":\"server-error\",\"error\":{\"message\":5}}", "error.message"}};
    for (String[] c : cases) {
      HttpResponse<Buffer> res = result(spark.client().post(c[0]).sendBuffer(Buffer.buffer(c[1])));
      assertEquals(400, res.statusCode(), c[1] + ": " + res.bodyAsString());
      assertEquals(c[2], res.bodyAsJsonObject().getString("field"), c[1] + ": " + res.bodyAsString());
    }
    assertEquals(0, spark.count("SELECT count(*) FROM events") + spark.count("SELECT count(*) FROM access_logs"));
  }

  @Test
  void readsRejectBadParametersAndMissingTokens(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    List<String> bad = List.of("/api/v1/events?limit=0", "/api/v1/events?limit=abc", "/api/v1/events?type=fatal",
        "/api/v1/events?since=yesterday", "/api/v1/events?consumed=maybe", "/api/v1/events/abc",
        "/api/v1/access?status=5x", "/api/v1/access?until=soon", "/api/v1/access?limit=100001");
    for (String uri : bad) {
      var res = result(spark.client().get(uri).bearerTokenAuthentication(SparkUnderTest.TOKEN).send());
      assertEquals(400, res.statusCode(), uri + ": " + res.bodyAsString());
      assertEquals("invalid_input", res.bodyAsJsonObject().getString("error"), uri);
    }
    assertEquals(404, result(spark.client().get("/api/v1/events/999").bearerTokenAuthentication(SparkUnderTest.TOKEN).send()).statusCode());
    for (String uri : List.of("/api/v1/events", "/api/v1/access", "/api/v1/events/1")) {
      var res = result(spark.client().get(uri).send());
      assertEquals(401, res.statusCode(), uri);
      assertTrue(res.getHeader("WWW-Authenticate").startsWith("Bearer"), uri);
    }
    assertEquals(401, result(spark.client().post("/api/v1/admin/cleanup").send()).statusCode());
  }

  @Test
  void anIngestTokenWhenSetGuardsIngest(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("ingest", new JsonObject().put("token", "ingest-secret")));
    assertEquals(401, spark.postNow("/api/v1/events", OK_EVENT).statusCode());
    assertEquals(0, spark.count("SELECT count(*) FROM events"));
    var ok = result(spark.client().post("/api/v1/events").bearerTokenAuthentication("ingest-secret").sendBuffer(Buffer.buffer(OK_EVENT)));
    assertEquals(200, ok.statusCode());
    assertEquals(1, spark.count("SELECT count(*) FROM events"));
  }
}
