package dev.spark.web;

import dev.spark.bus.Addresses;
import dev.spark.bus.FixOp;
import dev.spark.support.Await;
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

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fixes of one issue: {@code GET /api/v1/fixes?issue=FP} (with {@code status} too) and the MCP tool
 * {@code list_fixes} with {@code issue}, over real HTTP against fixes recorded through storage; a bad
 * {@code issue} is a 400 (an MCP error) naming the parameter.
 */
@ExtendWith(VertxExtension.class)
class FixesOfAnIssueTest {

  @Test
  void listsOnlyTheIssuesFixesNewestFirstAndRefusesABadIssue(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    try {
      long a1 = insert(vertx, "abc123", "failed");
      long other = insert(vertx, "def456", "verified");
      long a2 = insert(vertx, "abc123", "verified");

      assertEquals(List.of(a2, a1), ids(spark.getJson("/api/v1/fixes?issue=abc123")));
      assertEquals(List.of(other), ids(spark.getJson("/api/v1/fixes?issue=def456")));
      assertEquals(List.of(a1), ids(spark.getJson("/api/v1/fixes?issue=abc123&status=failed")));
      assertEquals(List.of(), ids(spark.getJson("/api/v1/fixes?issue=nothing%20like%20it")));
      assertEquals(List.of(a2, other, a1), ids(spark.getJson("/api/v1/fixes")));

      for (String bad : List.of("", "a%01b", "x".repeat(257))) {
        HttpResponse<Buffer> r = Await.result(spark.client().get("/api/v1/fixes?issue=" + bad).bearerTokenAuthentication(SparkUnderTest.TOKEN).send());
        assertEquals(400, r.statusCode(), bad + ": " + r.bodyAsString());
        assertTrue(r.bodyAsString().contains("issue must be"), r.bodyAsString());
      }

      JsonObject listed = mcp(spark, new JsonObject().put("issue", "abc123")).getJsonObject("result");
      assertFalse(listed.getBoolean("isError"), listed.encode());
      assertEquals(List.of(a2, a1), ids(listed.getJsonObject("structuredContent")));
      JsonObject refused = mcp(spark, new JsonObject().put("issue", 42));
      assertTrue(refused.encode().contains("issue must be"), refused.encode());
      assertFalse(refused.encode().contains("\"fixes\""), refused.encode());
    } finally {
      spark.stop();
    }
  }

  private static long insert(Vertx vertx, String fingerprint, String status) {
    return Await.result(vertx.eventBus().<FixOp.Fix>request(Addresses.STORAGE_FIXES, new FixOp.Record(
        new JsonObject().put("fingerprint", fingerprint).put("events", new JsonArray().add(1)).put("status", status), null)))
        .body().json().getLong("id");
  }

  private static List<Long> ids(JsonObject answer) {
    return answer.getJsonArray("fixes").stream().map(o -> ((JsonObject) o).getLong("id")).toList();
  }

  private static JsonObject mcp(SparkUnderTest spark, JsonObject arguments) {
    JsonObject call = new JsonObject().put("jsonrpc", "2.0").put("id", 1).put("method", "tools/call")
        .put("params", new JsonObject().put("name", "list_fixes").put("arguments", arguments));
    HttpResponse<Buffer> r = Await.result(spark.client().post("/mcp").bearerTokenAuthentication(SparkUnderTest.TOKEN)
        .putHeader("Accept", "application/json, text/event-stream").sendJsonObject(call));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }
}
