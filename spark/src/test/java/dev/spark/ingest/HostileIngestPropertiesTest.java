package dev.spark.ingest;

import dev.spark.support.Await;
import dev.spark.support.HostileJson;
import dev.spark.support.SparkUnderTest;
import dev.spark.support.SseTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 7, item 5, over HTTP: random and adversarial request bodies (event- and access-shaped
 * documents with wrong types and out-of-range values, batches, deep nesting up to and past the
 * parser's limit, huge strings, invalid UTF-8 bytes, duplicate keys, numbers too long to parse,
 * bytes with no structure) sent to a real Spark. Every answer is a 200 or a 4xx with a JSON reason,
 * never a 5xx; every row a 200 stored parses, is served by the query API, and reaches an SSE
 * observer watching the whole time.
 */
class HostileIngestPropertiesTest {
  private static Vertx vertx;
  private static Path dir;
  private static SparkUnderTest spark;
  private static SseTestClient observer;
  private static int storedEvents;

  record Body(String path, byte[] bytes) {
    @Override
    public String toString() {
      String text = new String(bytes, 0, Math.min(bytes.length, 400), StandardCharsets.UTF_8);
      return "POST " + path + " (" + bytes.length + " bytes) " + text;
    }
  }

  @BeforeContainer
  static void start() throws Exception {
    vertx = Vertx.vertx();
    dir = Files.createTempDirectory("spark-hostile");
    spark = SparkUnderTest.start(vertx, dir, null);
    observer = Await.result(SseTestClient.connect(vertx, spark.port, "observe=true", null));
  }

  @AfterContainer
  static void stop() throws Exception {
    try {
      assertEquals(200, Await.result(spark.client().get("/health").send()).statusCode(), "Spark is healthy after it all");
      assertEquals(spark.count("SELECT count(*) FROM events"), observer.events().size(), "the observer saw every stored event");
    } finally {
      Await.result(observer.close());
      spark.stop();
      Await.result(vertx.close());
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Provide
  Arbitrary<Body> bodies() {
    // The encoder itself refuses more than 1,000 levels: deeper documents are sent as text (oddText).
    Arbitrary<JsonObject> events = HostileJson.events().filter(d -> !JsonDepth.deeperThan(d, 990));
    Arbitrary<JsonObject> access = HostileJson.accessLogs().filter(d -> !JsonDepth.deeperThan(d, 990));
    return Arbitraries.frequencyOf(
        Tuple.of(6, events.map(d -> body("/api/v1/events", d.encode()))),
        Tuple.of(2, events.list().ofMinSize(1).ofMaxSize(4).map(l -> body("/api/v1/events", new JsonArray(l).encode()))),
        Tuple.of(4, access.map(d -> body("/api/v1/access", d.encode()))),
        Tuple.of(1, access.list().ofMinSize(1).ofMaxSize(4).map(l -> body("/api/v1/access", new JsonArray(l).encode()))),
        Tuple.of(2, HostileJson.withInvalidUtf8(events).map(b -> new Body("/api/v1/events", b))),
        Tuple.of(1, HostileJson.withInvalidUtf8(access).map(b -> new Body("/api/v1/access", b))),
        Tuple.of(3, HostileJson.oddText().map(t -> body(t.contains("\"method\"") ? "/api/v1/access" : "/api/v1/events", t))),
        Tuple.of(1, Arbitraries.of("/api/v1/events", "/api/v1/access").flatMap(p -> HostileJson.garbage().map(b -> new Body(p, b)))));
  }

  private static Body body(String path, String text) {
    return new Body(path, text.getBytes(StandardCharsets.UTF_8));
  }

  // Edge cases off here: jqwik's combined edge cases are mostly one-field documents refused at once;
  // the unit-level properties (HostileInputPropertiesTest) try them.
  @Property(tries = 800, edgeCases = EdgeCasesMode.NONE)
  void everyBodyGetsA200OrA4xxAndEveryStoredRowIsServable(@ForAll("bodies") Body body) throws Exception {
    HttpResponse<Buffer> r = Await.result(spark.client().post(body.path()).sendBuffer(Buffer.buffer(body.bytes())));
    int status = r.statusCode();
    Statistics.label("status").collect(body.path(), status);
    assertTrue(status == 200 || (status >= 400 && status < 500), "got " + status + ": " + r.bodyAsString());
    JsonObject answer = r.bodyAsJsonObject();
    if (status != 200) {
      assertNotNull(answer.getString("error"), r.bodyAsString());
      Statistics.label("refused").collect(answer.getString("error"), String.valueOf(answer.getString("field")).replaceAll("\\[\\d+\\]", "[i]"));
      assertNotNull(answer.getString("message"), r.bodyAsString());
      return;
    }
    JsonArray ids = answer.getJsonArray("ids");
    boolean events = body.path().endsWith("/events");
    for (int i = 0; i < ids.size(); i++) {
      Long id = ids.getLong(i);
      if (id == null) continue;
      if (events) {
        Json.decodeValue(column("SELECT data FROM events WHERE id = ?", id));
        HttpResponse<Buffer> served = Await.result(spark.client().get("/api/v1/events/" + id).bearerTokenAuthentication(SparkUnderTest.TOKEN).send());
        assertEquals(200, served.statusCode(), served.bodyAsString());
        assertEquals(id, served.bodyAsJsonObject().getLong("id"));
        storedEvents++;
      } else {
        String input = column("SELECT input FROM access_logs WHERE id = ?", id);
        if (input != null) Json.decodeValue(input);
        HttpResponse<Buffer> served = Await.result(spark.client().get("/api/v1/access?limit=1&before=" + (id + 1))
            .bearerTokenAuthentication(SparkUnderTest.TOKEN).send());
        assertEquals(200, served.statusCode(), served.bodyAsString());
        assertEquals(id, served.bodyAsJsonObject().getJsonArray("access").getJsonObject(0).getLong("id"));
      }
    }
    if (events) Await.result(observer.awaitCount(storedEvents));
  }

  private static String column(String sql, long id) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + spark.db); PreparedStatement st = c.prepareStatement(sql)) {
      st.setLong(1, id);
      try (ResultSet rs = st.executeQuery()) {
        assertTrue(rs.next(), "row " + id + " is in the file");
        return rs.getString(1);
      }
    }
  }
}
