package dev.spark.web;

import dev.spark.support.Await;
import dev.spark.support.HostileJson;
import dev.spark.support.LoudLogs;
import dev.spark.support.RawHttp;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18: the hostile-ingest properties ({@code HostileIngestPropertiesTest}) extended to the other
 * ways in: query parameters of every read route and the arguments (and params) of every MCP tool,
 * from the same generators. Whatever is sent, the answer is a 2xx or a 4xx with a reason (a JSON-RPC
 * error for MCP), never a 5xx, and nothing is logged at SEVERE or with a stack trace above INFO.
 */
class HostileQueryPropertiesTest {
  private static final List<String> ROUTES = List.of("/api/v1/events", "/api/v1/access", "/api/v1/access/stats",
      "/api/v1/access/timeline", "/api/v1/issues", "/api/v1/events/1", "/api/v1/issues/fp");
  private static final List<String> PARAMS = List.of("since", "until", "limit", "before", "type", "consumed", "status",
      "feature", "path", "method", "requestId", "sort", "observe", "events");
  private static final List<String> TOOLS = List.of("recent_events", "get_event", "pending_events", "query_access_logs",
      "access_stats", "list_issues", "resolve_issue", "set_issue_status", "no_such_tool");
  private static final List<String> ARGS = List.of("limit", "type", "since", "until", "consumed", "id", "status", "feature",
      "path", "method", "requestId", "fingerprint", "action", "sort");

  private static Vertx vertx;
  private static Path dir;
  private static SparkUnderTest spark;
  private static LoudLogs logs;

  @BeforeContainer
  static void start() throws Exception {
    vertx = Vertx.vertx();
    dir = Files.createTempDirectory("spark-hostile-query");
    spark = SparkUnderTest.start(vertx, dir, null);
    spark.postNow("/api/v1/events", "{\"type\":\"server-error\",\"fingerprint\":\"fp\",\"error\":{\"message\":\"m\"}}");
    spark.postNow("/api/v1/access", "{\"method\":\"GET\",\"path\":\"/x\",\"status\":500,\"durationMs\":3}");
    logs = LoudLogs.start();
  }

  @AfterContainer
  static void stop() throws Exception {
    try {
      assertEquals(List.of(), logs.records(), "nothing an outside client sent was logged loudly");
      assertEquals(200, Await.result(spark.client().get("/health").send()).statusCode());
    } finally {
      logs.close();
      spark.stop();
      Await.result(vertx.close());
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Values a parameter might get: any string, time edge cases, numbers as text, huge ones. */
  private static Arbitrary<String> values() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, HostileJson.strings().filter(s -> s.length() < 3_000)),
        Tuple.of(3, HostileJson.scalars().map(String::valueOf).filter(s -> s.length() < 3_000)),
        Tuple.of(2, Arbitraries.of("+999999999-01-01T00:00:00Z", "-999999999-12-31T23:59:59Z", "+10000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999Z", "0000-01-01T00:00:00Z", "999999999999999", "18446744073709551617", "1.9", "-1",
            "5xx", "9xx", "", "true", "lastSeen", "2026-02-30T00:00:00Z", "1e400", "NaN")));
  }

  @Provide
  Arbitrary<String> targets() {
    Arbitrary<Map<String, String>> query = Arbitraries.maps(Arbitraries.frequencyOf(
        Tuple.of(5, Arbitraries.of(PARAMS)), Tuple.of(1, HostileJson.anyString(8))), values()).ofMaxSize(4);
    return Combinators.combine(Arbitraries.of(ROUTES), query).as((route, q) -> {
      StringBuilder out = new StringBuilder(route);
      char sep = '?';
      for (Map.Entry<String, String> e : q.entrySet()) {
        out.append(sep).append(encode(e.getKey())).append('=').append(encode(e.getValue()));
        sep = '&';
      }
      return out.toString();
    });
  }

  /** Percent-encodes every byte outside [A-Za-z0-9], lone surrogates as the three bytes CESU-8 would use. */
  private static String encode(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      byte[] bytes;
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
        i++;
      } else if (Character.isSurrogate(c)) {
        bytes = new byte[] {(byte) 0xED, (byte) (0x80 | ((c >> 6) & 0x3F)), (byte) (0x80 | (c & 0x3F))};
      } else if (c < 0x80 && Character.isLetterOrDigit(c)) {
        out.append(c);
        continue;
      } else {
        bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
      }
      for (byte b : bytes) out.append('%').append(String.format("%02X", b & 0xff));
    }
    return out.toString();
  }

  @Property(tries = 400, edgeCases = EdgeCasesMode.NONE)
  void everyQueryGetsA2xxOrA4xxWithAReason(@ForAll("targets") String target) throws Exception {
    RawHttp.Answer a = RawHttp.exchange(spark.port, RawHttp.request("GET", target, "127.0.0.1",
        "Authorization: Bearer " + SparkUnderTest.TOKEN + "\r\n", ""));
    Statistics.label("status").collect(a.status());
    assertTrue(a.status() < 500, target + " -> " + a);
    if (a.status() >= 400) {
      assertTrue(a.status() == 400 || a.status() == 404 || a.status() == 414, target + " -> " + a);
      assertNotNull(new JsonObject(a.text()).getString("message"), a.toString());
    }
  }

  @Provide
  Arbitrary<String> mcpMessages() {
    Arbitrary<JsonObject> args = Arbitraries.maps(Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.of(ARGS)), Tuple.of(1, HostileJson.keys())), HostileJson.values(1)).ofMaxSize(4)
        .map(m -> new JsonObject(new LinkedHashMap<>(m)));
    Arbitrary<Object> arguments = Arbitraries.frequencyOf(Tuple.of(8, args.map(o -> (Object) o)), Tuple.of(1, HostileJson.scalars()),
        Tuple.of(1, Arbitraries.just(new JsonArray().add(1))));
    Arbitrary<Object> params = Arbitraries.frequencyOf(
        Tuple.of(8, Combinators.combine(Arbitraries.of(TOOLS), arguments).as((t, a) -> (Object) new JsonObject().put("name", t).put("arguments", a))),
        Tuple.of(1, HostileJson.scalars()),
        Tuple.of(1, HostileJson.values(2)));
    Arbitrary<Object> ids = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.integers().map(i -> (Object) i)), Tuple.of(1, HostileJson.scalars()));
    return Combinators.combine(Arbitraries.of("tools/call", "tools/call", "tools/call", "tools/list", "initialize", "ping", "x"), params, ids)
        .as((m, p, id) -> new JsonObject().put("jsonrpc", "2.0").put("id", id).put("method", m).put("params", p).encode());
  }

  @Property(tries = 400, edgeCases = EdgeCasesMode.NONE)
  void everyMcpMessageGetsAResultOrAJsonRpcError(@ForAll("mcpMessages") String message) throws Exception {
    RawHttp.Answer a = RawHttp.exchange(spark.port, RawHttp.request("POST", "/mcp", "127.0.0.1",
        "Authorization: Bearer " + SparkUnderTest.TOKEN + "\r\nContent-Type: application/json\r\nAccept: application/json\r\n", message));
    assertTrue(a.status() < 500, message + " -> " + a);
    if (a.status() == 202) return;
    JsonObject answer = new JsonObject(a.text());
    assertTrue(answer.containsKey("result") || answer.containsKey("error"), message + " -> " + a);
    Statistics.label("answer").collect(answer.containsKey("error") ? answer.getJsonObject("error").getInteger("code") : "result");
  }
}
