package dev.spark;

import dev.spark.support.SparkProcess;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A client retries an event whose answer it never saw: the same {@code eventId} sent twice, and once
 * more after Spark was killed with {@code kill -9} and started again on the same file, is stored once,
 * and every answer carries the id it was stored under (the unique index is on disk, not in memory).
 */
class EventIdRetryIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @Test
  void theSameEventIdIsStoredOnceAcrossAKill9AndARestart(@TempDir Path dir) throws Exception {
    int port = SparkUnderTest.freePort();
    Path db = dir.resolve("spark.db");
    Path conf = SparkProcess.writeConf(dir.resolve("spark.json"), new JsonObject()
        .put("db", new JsonObject().put("path", db.toString()))
        .put("web", new JsonObject().put("port", port).put("token", "retry-token")));
    JsonArray batch = new JsonArray()
        .add(new JsonObject().put("type", "server-error").put("eventId", "0193a5f0-retry-once")
            .put("error", new JsonObject().put("message", "retried after a lost answer")))
        .add(new JsonObject().put("type", "process-error").put("eventId", "proc-42").put("command", "make").put("exitCode", 2));
    JsonArray first;
    try (SparkProcess spark = SparkProcess.startJar(dir, conf, "-Xmx256m")) {
      first = ids(post(port, batch));
      assertEquals(first, ids(post(port, batch)), "a retry gets the ids the first request got");
      assertEquals(137, spark.kill9(), "killed by SIGKILL");
    }
    try (SparkProcess spark = SparkProcess.startJar(dir, conf, "-Xmx256m")) {
      assertEquals(first, ids(post(port, batch)), "after kill -9 and a restart, still the same ids");
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT event_id) FROM events")) {
      rs.next();
      assertEquals(2, rs.getLong(1), "two events stored, once each");
      assertEquals(2, rs.getLong(2));
    }
  }

  private static JsonObject post(int port, JsonArray body) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/events"))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body());
  }

  private static JsonArray ids(JsonObject answer) {
    assertEquals(2, answer.getInteger("stored"), answer.encode());
    return answer.getJsonArray("ids");
  }
}
