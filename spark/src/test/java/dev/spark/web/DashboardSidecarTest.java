package dev.spark.web;

import dev.spark.storage.SqliteDatabase;
import dev.spark.support.Await;
import dev.spark.support.SparkUnderTest;
import dev.spark.support.SseTestClient;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard sidecar ({@link DashboardVerticle}) against a database that something else writes:
 * here a plain JDBC connection, as another process (the seed, or an application's embedded Spark)
 * would. The process-level version, with a crash of the writer, is {@code DashboardSidecarIT}.
 */
@ExtendWith(VertxExtension.class)
class DashboardSidecarTest {

  private static long insertEvent(Connection writer, String message) throws SQLException {
    try (PreparedStatement st = writer.prepareStatement(
        "INSERT INTO events (type, trace_id, timestamp, environment, feature, route, status, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      st.setString(1, "server-error");
      st.setString(2, "trace-" + message);
      st.setString(3, dev.spark.event.Timestamps.now());
      st.setString(4, "production");
      st.setString(5, "checkout");
      st.setString(6, "POST /api/checkout");
      st.setInt(7, 500);
      st.setString(8, new JsonObject().put("type", "server-error").put("error", new JsonObject().put("message", message)).encode());
      st.executeUpdate();
    }
    try (var rs = writer.createStatement().executeQuery("SELECT last_insert_rowid()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void theSidecarFollowsNewRowsByIdServesTheDashboardAndNeverConsumes(Vertx vertx, @TempDir Path dir) throws Exception {
    Path db = dir.resolve("app").resolve("spark.db");
    int port = SparkUnderTest.freePort();
    JsonObject conf = new JsonObject()
        .put("environment", "test")
        .put("db", new JsonObject().put("path", db.toString()))
        .put("web", new JsonObject().put("port", port).put("token", SparkUnderTest.TOKEN));
    // The application's side creates the file (as its embedded Spark would) and has already written an event.
    SqliteDatabase.open(db, "NORMAL").close();
    try (Connection writer = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      long first = insertEvent(writer, "before the sidecar started");
      Await.result(vertx.deployVerticle(new DashboardVerticle(), new DeploymentOptions().setConfig(conf)));
      SseTestClient observer = Await.result(SseTestClient.connect(vertx, port, "observe=true", null));

      long before = System.nanoTime();
      long second = insertEvent(writer, "while watched");
      SseTestClient.Received got = Await.result(observer.awaitCount(1)).get(0);
      long ms = (got.arrivedNanos() - before) / 1_000_000;
      assertEquals(second, got.id());
      assertEquals("while watched", got.data().getJsonObject("data").getJsonObject("error").getString("message"));
      assertTrue(ms < 1_000, "a row written by another connection reached the observer in " + ms + " ms");

      List<Long> more = List.of(insertEvent(writer, "a"), insertEvent(writer, "b"), insertEvent(writer, "c"));
      List<SseTestClient.Received> all = Await.result(observer.awaitCount(4));
      assertEquals(more, all.subList(1, 4).stream().map(SseTestClient.Received::id).toList(), "in id order, none lost");

      SseTestClient replay = Await.result(SseTestClient.connect(vertx, port, "observe=true&since=0", null));
      assertEquals(first, Await.result(replay.awaitCount(5)).get(0).id(), "observers can replay from the file");

      // It never consumes: an agent stream is refused, and every row stays pending.
      Throwable refused = Await.failure(SseTestClient.connect(vertx, port, null, null));
      assertTrue(refused.getMessage().contains("409"), refused.getMessage());
      try (var rs = writer.createStatement().executeQuery("SELECT count(*) FROM events WHERE consumed = 0")) {
        rs.next();
        assertEquals(5, rs.getInt(1));
      }
    }

    WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    JsonObject events = Await.result(http.get("/api/v1/events").bearerTokenAuthentication(SparkUnderTest.TOKEN).send()).bodyAsJsonObject();
    assertEquals(5, events.getInteger("count"));
    HttpResponse<Buffer> health = Await.result(http.get("/health").send());
    assertEquals(200, health.statusCode(), health.bodyAsString());
    assertEquals("sidecar", health.bodyAsJsonObject().getString("mode"));
    JsonObject summary = Await.result(http.get("/api/v1/dashboard/summary").bearerTokenAuthentication(SparkUnderTest.TOKEN).send())
        .bodyAsJsonObject();
    assertEquals("sidecar", summary.getString("mode"));
    assertEquals(5, summary.getJsonObject("rows").getInteger("pendingEvents"));
    assertEquals(5, summary.getJsonObject("follower").getInteger("lastEventId"));

    // The dashboard itself: same login, same pages.
    HttpResponse<Buffer> login = Await.result(http.post("/auth").followRedirects(false)
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("token", SparkUnderTest.TOKEN)));
    assertEquals(303, login.statusCode());
    String cookie = login.cookies().get(0).split(";")[0];
    assertEquals(200, Await.result(http.get("/").putHeader("Cookie", cookie).send()).statusCode());
    assertEquals(200, Await.result(http.get("/metrics").putHeader("Cookie", cookie).send()).statusCode());

    // Nothing is ingested here: the sidecar only reads.
    HttpResponse<Buffer> ingest = Await.result(http.post("/api/v1/events").sendJsonObject(new JsonObject().put("type", "rate-limit")));
    assertTrue(ingest.statusCode() == 404 || ingest.statusCode() == 405, "ingest answered " + ingest.statusCode());
  }

  @Test
  void startedFirstItCreatesTheDatabaseAndWaitsForRows(Vertx vertx, @TempDir Path dir) {
    Path db = dir.resolve("later").resolve("spark.db");
    int port = SparkUnderTest.freePort();
    JsonObject conf = new JsonObject().put("db", new JsonObject().put("path", db.toString()))
        .put("web", new JsonObject().put("port", port).put("token", SparkUnderTest.TOKEN));
    Await.result(vertx.deployVerticle(new DashboardVerticle(), new DeploymentOptions().setConfig(conf)));
    assertTrue(Files.exists(db), "the sidecar creates the database with Spark's schema, so either side may start first");
    WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    HttpResponse<Buffer> health = Await.result(http.get("/health").send());
    assertEquals(200, health.statusCode(), health.bodyAsString());
    assertEquals(0, health.bodyAsJsonObject().getJsonObject("db").getInteger("events"));
  }

  @Test
  void onAFileFromBeforeAlertsWithoutTheAppsSecretsTheAlertsViewSaysWhyAndListsNoDeliveries(Vertx vertx, @TempDir Path dir)
      throws Exception {
    // The seed's own file: its two tables only, no alert outbox.
    Path db = dir.resolve("seed.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); var st = c.createStatement()) {
      st.execute("CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, trace_id TEXT, timestamp TEXT NOT NULL, "
          + "environment TEXT, feature TEXT, route TEXT, status INTEGER, data TEXT NOT NULL, consumed INTEGER DEFAULT 0, consumed_at TEXT)");
      st.execute("CREATE TABLE access_logs (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp TEXT NOT NULL, method TEXT, path TEXT, "
          + "status INTEGER, duration_ms REAL, ip TEXT, feature TEXT, request_id TEXT, input TEXT, error TEXT, user_agent TEXT)");
    }
    int port = SparkUnderTest.freePort();
    // The app's configuration, whose webhook secret lives in an environment variable this process does not have.
    JsonObject conf = new JsonObject().put("db", new JsonObject().put("path", db.toString()))
        .put("web", new JsonObject().put("port", port).put("token", SparkUnderTest.TOKEN))
        .put("alerts", new JsonObject()
            .put("targets", new JsonObject().put("hook", new JsonObject().put("type", "webhook")
                .put("url", "https://hooks.example.test/x").put("secret", "${SPARK_SIDECAR_TEST_UNSET_SECRET}")))
            .put("rules", new JsonArray().add(new JsonObject().put("on", new JsonArray().add("new-issue")).put("to", new JsonArray().add("hook")))));
    Await.result(vertx.deployVerticle(new DashboardVerticle(), new DeploymentOptions().setConfig(conf)));
    WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));

    HttpResponse<Buffer> rules = Await.result(http.get("/api/v1/alerts").bearerTokenAuthentication(SparkUnderTest.TOKEN).send());
    assertEquals(503, rules.statusCode(), rules.bodyAsString());
    assertEquals("This dashboard sidecar cannot show the alert rules: Invalid configuration: alerts.targets.hook.secret must be set: "
        + "it names the environment variable SPARK_SIDECAR_TEST_UNSET_SECRET, which is not set (got nothing)",
        rules.bodyAsJsonObject().getString("message"));
    HttpResponse<Buffer> deliveries = Await.result(http.get("/api/v1/alerts/deliveries").bearerTokenAuthentication(SparkUnderTest.TOKEN).send());
    assertEquals(200, deliveries.statusCode(), deliveries.bodyAsString());
    assertEquals(new JsonObject().put("deliveries", new JsonArray()), deliveries.bodyAsJsonObject(), "no outbox in this file: none");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
         var rs = c.createStatement().executeQuery("SELECT count(*) FROM sqlite_master WHERE name = 'alert_outbox'")) {
      rs.next();
      assertEquals(0, rs.getInt(1), "the sidecar changed nothing in the file");
    }
  }
}
