package dev.spark.cli;

import dev.spark.bus.Addresses;
import dev.spark.event.EventBatch;
import dev.spark.event.StoredEvent;
import dev.spark.event.Timestamps;
import dev.spark.support.Await;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code spark events}, {@code access} and {@code status} give the same answers from a running Spark
 * (over HTTP) and from the same database file with Spark stopped (read-only), tables and JSON alike.
 */
@ExtendWith(VertxExtension.class)
class QueryCommandsTest {
  private static final String T0 = Timestamps.format(Instant.now().minus(2, ChronoUnit.HOURS));

  /** Every query form the test compares between the two modes. */
  private static final List<List<String>> QUERIES = List.of(
      List.of("events"),
      List.of("events", "--json"),
      List.of("events", "--pending"),
      List.of("events", "--pending", "--json"),
      List.of("events", "--type", "rate-limit", "--json"),
      List.of("events", "--recent", "2"),
      List.of("events", "--since", T0, "--json"),
      List.of("access"),
      List.of("access", "--json"),
      List.of("access", "--status", "5xx"),
      List.of("access", "--status", "500", "--limit", "1", "--json"),
      List.of("access", "--feature", "create-user", "--json"),
      List.of("access", "--path", "/api/*", "--method", "post", "--json"),
      List.of("access", "--since", T0, "--until", Timestamps.format(Instant.now().plus(1, ChronoUnit.HOURS)), "--json"));

  @Test
  void runningAndStoppedSparkGiveTheSameAnswers(Vertx vertx, @TempDir Path dir) throws Exception {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    seed(vertx, spark);
    Map<String, String> env = CliRunner.envFor(spark);

    Map<List<String>, CliRunner.Result> online = runAll(dir, env);
    CliRunner.Result statusOnline = CliRunner.run(dir, env, "status");
    CliRunner.Result statusJsonOnline = CliRunner.run(dir, env, "status", "--json");

    // What the running Spark answered is right, not just consistent.
    JsonObject events = new JsonObject(online.get(List.of("events", "--json")).out());
    assertEquals(5, events.getInteger("count"), events.encode());
    assertEquals(spark.getJson("/api/v1/events?limit=20"), events, "the CLI prints what the HTTP API returns");
    assertEquals(2, new JsonObject(online.get(List.of("events", "--pending", "--json")).out()).getInteger("count"));
    assertEquals(1, new JsonObject(online.get(List.of("events", "--type", "rate-limit", "--json")).out()).getInteger("count"));
    assertEquals(3, new JsonObject(online.get(List.of("events", "--since", T0, "--json")).out()).getInteger("count"),
        "the two events dated three hours ago are left out");
    CliRunner.Result byAge = CliRunner.run(dir, env, "events", "--since", "150m", "--json");
    assertEquals(3, new JsonObject(byAge.out()).getInteger("count"), "--since takes an age too: " + byAge);
    assertEquals(2, new JsonObject(online.get(List.of("access", "--path", "/api/*", "--method", "post", "--json")).out()).getInteger("count"));
    assertEquals(2, new JsonObject(online.get(List.of("access", "--feature", "create-user", "--json")).out()).getInteger("count"));
    String table = online.get(List.of("events")).out();
    assertTrue(table.startsWith("ID  TIME"), table);
    assertTrue(table.contains("Connection refused") && table.contains("consumed") && table.contains("pending"), table);
    assertTrue(table.endsWith("5 events, newest first\n"), table);
    String access5xx = online.get(List.of("access", "--status", "5xx")).out();
    assertTrue(access5xx.contains("/api/users") && access5xx.contains("Connection refused") && !access5xx.contains("/health"), access5xx);
    assertTrue(statusOnline.out().startsWith("Spark         running (storage queue 0 of 50000 rows"), statusOnline.out());
    JsonObject statusJson = new JsonObject(statusJsonOnline.out());
    assertEquals(new JsonObject().put("events", 5).put("pendingEvents", 2).put("lastEventId", 5).put("accessLogs", 4),
        statusJson.getJsonObject("counts"));
    assertEquals("payment failed", statusJson.getJsonObject("lastEvent").getJsonObject("data").getJsonObject("error").getString("message"));
    assertNotNull(statusJson.getJsonObject("lastCleanup"), "the cleanup the fixture ran");
    assertNotNull(statusJson.getJsonObject("storage"));
    assertEquals(spark.db.toAbsolutePath().normalize().toString(), statusJson.getJsonObject("db").getString("path"));
    assertEquals(statusJson.getJsonObject("counts"), spark.getJson("/api/v1/status").getJsonObject("counts"));
    assertEquals(401, Await.result(spark.client().get("/api/v1/status").send()).statusCode(), "status needs the web token");

    spark.stop();
    String digest = sha256(spark.db);

    Map<List<String>, CliRunner.Result> offline = runAll(dir, env);
    CliRunner.Result statusOffline = CliRunner.run(dir, env, "status");
    CliRunner.Result statusJsonOffline = CliRunner.run(dir, env, "status", "--json");

    for (List<String> args : QUERIES) {
      assertEquals(online.get(args).out(), offline.get(args).out(), "spark " + String.join(" ", args) + " answers alike");
    }
    assertEquals(withoutModeLines(statusOnline.out()), withoutModeLines(statusOffline.out()));
    assertTrue(statusOffline.out().startsWith("Spark         not running (read from the database file)"), statusOffline.out());
    JsonObject offlineJson = new JsonObject(statusJsonOffline.out());
    assertNull(offlineJson.getValue("storage"), "no storage queue without a running Spark");
    assertEquals(withoutModeFields(statusJson), withoutModeFields(offlineJson));
    assertEquals(sha256(spark.db), digest, "reading the file with Spark stopped never wrote to it");
  }

  @Test
  void whatGoesWrongIsOneLineAndANonZeroExit(Vertx vertx, @TempDir Path dir) {
    Path db = dir.resolve("spark.db");
    int port = SparkUnderTest.freePort();
    CliRunner.Result none = CliRunner.run(dir, CliRunner.envFor(db, port), "status");
    assertEquals(1, none.exitCode(), none.toString());
    assertEquals("spark status: No Spark is running at http://127.0.0.1:" + port + " and there is no database at spark.db"
        + " (start Spark with bin/spark start, or point --conf / SPARK_DB_PATH at the right file)\n", none.err());
    assertFalse(Files.exists(db), "looking did not create a database");

    CliRunner.Result badOption = CliRunner.run(dir, CliRunner.envFor(db, port), "events", "--bogus");
    assertEquals(2, badOption.exitCode());
    assertEquals("spark events: Unknown option: '--bogus' (see 'spark events --help')\n", badOption.err());
    CliRunner.Result badValue = CliRunner.run(dir, CliRunner.envFor(db, port), "events", "--recent", "many");
    assertEquals(2, badValue.exitCode());
    assertEquals(1, badValue.err().lines().count(), badValue.err());

    CliRunner.Result noConf = CliRunner.run(dir, CliRunner.envFor(db, port), "status", "--conf", "missing.json");
    assertEquals(2, noConf.exitCode());
    assertEquals("spark status: --conf missing.json: no such file\n", noConf.err());

    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    Map<String, String> wrongToken = CliRunner.envFor(spark);
    wrongToken.put("SPARK_WEB_TOKEN", "not-the-token");
    CliRunner.Result unauthorized = CliRunner.run(dir, wrongToken, "events");
    assertEquals(1, unauthorized.exitCode());
    assertTrue(unauthorized.err().startsWith("spark events: Spark at http://127.0.0.1:" + spark.port + " refused the token (401 Unauthorized)"),
        unauthorized.err());
    assertEquals(1, unauthorized.err().lines().count());

    CliRunner.Result badStatus = CliRunner.run(dir, CliRunner.envFor(spark), "access", "--status", "teapot");
    assertEquals(2, badStatus.exitCode());
    assertEquals("spark access: status must be an HTTP status such as 500 or a class such as 5xx (got \"teapot\")\n", badStatus.err());
    spark.stop();
    CliRunner.Result badStatusOffline = CliRunner.run(dir, CliRunner.envFor(spark), "access", "--status", "teapot");
    assertEquals(badStatus.exitCode(), badStatusOffline.exitCode());
    assertEquals(badStatus.err(), badStatusOffline.err(), "the same check, the same message, in both modes");
  }

  private static Map<List<String>, CliRunner.Result> runAll(Path dir, Map<String, String> env) {
    Map<List<String>, CliRunner.Result> out = new LinkedHashMap<>();
    for (List<String> args : QUERIES) {
      CliRunner.Result r = CliRunner.run(dir, env, args.toArray(String[]::new));
      assertEquals(0, r.exitCode(), "spark " + String.join(" ", args) + ": " + r);
      assertEquals("", r.err());
      out.put(args, r);
    }
    return out;
  }

  /**
   * Five events (three consumed by an agent, two pending; two of them dated three hours ago),
   * four access logs, and one cleanup report.
   */
  private static void seed(Vertx vertx, SparkUnderTest spark) {
    String earlier = Timestamps.format(Instant.now().minus(3, ChronoUnit.HOURS));
    JsonArray first = new JsonArray()
        .add(new JsonObject().put("type", "server-error").put("feature", "create-user").put("route", "POST /api/users").put("status", 500)
            .put("timestamp", earlier).put("error", new JsonObject().put("message", "Connection refused").put("stack", "Error: Connection refused\n    at db.ts:12")))
        .add(new JsonObject().put("type", "rate-limit").put("ip", "10.0.0.1").put("timestamp", earlier))
        .add(new JsonObject().put("type", "unhandled-error").put("error", new JsonObject().put("message", "undefined is not a function")));
    assertEquals(200, spark.postNow("/api/v1/events", first).statusCode());
    consumeEverythingPending(vertx, 3);

    assertEquals(200, spark.postNow("/api/v1/events", new JsonArray()
        .add(new JsonObject().put("type", "process-error").put("error", new JsonObject().put("message", "bun exited with code 1")))
        .add(new JsonObject().put("type", "server-error").put("feature", "checkout").put("status", 502)
            .put("error", new JsonObject().put("message", "payment failed")))).statusCode());
    assertEquals(200, spark.postNow("/api/v1/access", new JsonArray()
        .add(new JsonObject().put("method", "GET").put("path", "/health").put("status", 200).put("durationMs", 1))
        .add(new JsonObject().put("method", "POST").put("path", "/api/users").put("status", 500).put("durationMs", 40)
            .put("feature", "create-user").put("error", "Connection refused").put("timestamp", earlier))
        .add(new JsonObject().put("method", "POST").put("path", "/api/users").put("status", 201).put("durationMs", 12)
            .put("feature", "create-user").put("input", new JsonObject().put("email", "a@example.com").put("password", "hunter2")))
        .add(new JsonObject().put("method", "GET").put("path", "/api/orders").put("status", 503).put("durationMs", 7))).statusCode());
    Await.result(vertx.eventBus().request(Addresses.JANITOR_RUN, new JsonObject()));
  }

  /** Registers a same-JVM agent until a batch of {@code expected} events arrives, then unregisters it. */
  private static void consumeEverythingPending(Vertx vertx, int expected) {
    Promise<List<StoredEvent>> got = Promise.promise();
    MessageConsumer<EventBatch> batches = vertx.eventBus().consumer(Addresses.EVENTS_BATCH, m -> got.tryComplete(m.body().events()));
    Await.result(batches.completion());
    Await.result(vertx.eventBus().request(Addresses.SUBSCRIBER_REGISTER, new JsonObject().put("id", "test-agent")));
    assertEquals(expected, Await.result(got.future()).size());
    Await.result(vertx.eventBus().request(Addresses.SUBSCRIBER_UNREGISTER, new JsonObject().put("id", "test-agent")));
    Await.result(batches.unregister());
  }

  /** The lines that say whether Spark runs and how big the files are: a clean stop checkpoints the WAL. */
  private static String withoutModeLines(String status) {
    // The agent line, like the storage queue, exists only while Spark runs.
    return status.lines().filter(l -> !l.startsWith("Spark ") && !l.startsWith("Size ") && !l.startsWith("Agent "))
        .collect(Collectors.joining("\n"));
  }

  private static JsonObject withoutModeFields(JsonObject status) {
    JsonObject copy = status.copy();
    copy.remove("storage");
    copy.remove("agent");
    JsonObject db = copy.getJsonObject("db");
    db.remove("bytes");
    db.remove("fileBytes");
    db.remove("walBytes");
    return copy;
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
