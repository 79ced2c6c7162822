package dev.spark;

import dev.spark.support.DbFile;
import dev.spark.support.Poll;
import dev.spark.support.SparkProcess;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An alert survives {@code kill -9}: the event is acknowledged (so its outbox row is committed), the
 * receiver is down so every attempt fails, Spark is killed, the receiver comes up, Spark restarts and
 * delivers the alert, once.
 */
class AlertsCrashIT {
  @Test
  void aPendingAlertIsDeliveredOnceAfterKill9AndRestart(@TempDir Path dir) throws Exception {
    int port = SparkUnderTest.freePort();
    int receiverPort = SparkUnderTest.freePort();
    Path db = dir.resolve("spark.db");
    Path conf = SparkProcess.writeConf(dir.resolve("spark.json"), new JsonObject()
        .put("db", new JsonObject().put("path", db.toString()))
        .put("web", new JsonObject().put("port", port).put("token", "crash-token"))
        .put("alerts", new JsonObject()
            .put("targets", new JsonObject().put("hook", new JsonObject().put("type", "webhook")
                .put("url", "http://127.0.0.1:" + receiverPort + "/hook").put("secret", "s")))
            .put("rules", new JsonArray().add(new JsonObject().put("on", new JsonArray().add("new-issue")).put("to", new JsonArray().add("hook"))))
            .put("retryDelayMs", 200).put("maxAttempts", 1_000)));
    HttpClient http = HttpClient.newHttpClient();
    Vertx vertx = Vertx.vertx();
    List<String> deliveries = new CopyOnWriteArrayList<>();
    SparkProcess spark = SparkProcess.startJar(dir, conf, "-Xmx256m");
    try {
      HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/events"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"server-error\",\"error\":{\"message\":\"disk on fire\"}}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, posted.statusCode(), posted.body());
      // The receiver is down: Spark says so (connection refused), and keeps the alert pending.
      spark.awaitLine(l -> l.contains("to hook, attempt 2:"), 30);
      assertEquals(137, spark.kill9());
      assertEquals(1, DbFile.count(db, "SELECT count(*) FROM alert_outbox WHERE status = 'pending'"));

      HttpServer receiver = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
        deliveries.add(req.getHeader("X-Spark-Delivery") + " " + b);
        req.response().setStatusCode(200).end();
      }));
      receiver.listen(receiverPort, "127.0.0.1").await(10, TimeUnit.SECONDS);

      spark = SparkProcess.startJar(dir, conf, "-Xmx256m");
      Poll.until("the alert delivered after the restart", 30_000,
          () -> DbFile.count(db, "SELECT count(*) FROM alert_outbox WHERE status = 'delivered'") > 0);
      assertEquals(1, DbFile.count(db, "SELECT count(*) FROM alert_outbox WHERE status = 'delivered'"), "delivered after the restart");
      assertEquals(1, deliveries.size(), "once: " + deliveries);
      spark.terminate();
      assertEquals(1, deliveries.size(), "still once after a clean stop: " + deliveries);
      JsonObject body = new JsonObject(deliveries.get(0).substring(deliveries.get(0).indexOf(' ') + 1));
      assertEquals("new-issue", body.getString("kind"));
      assertEquals(deliveries.get(0).substring(0, deliveries.get(0).indexOf(' ')), body.getString("delivery"));
    } finally {
      spark.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

}
