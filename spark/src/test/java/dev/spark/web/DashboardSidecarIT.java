package dev.spark.web;

import com.sun.net.httpserver.HttpServer;
import dev.spark.support.Poll;
import dev.spark.support.Repo;
import dev.spark.support.SparkProcess;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * "Survives the app", with real processes: an application's Spark ({@code bin/vertx run
 * dev.spark.SparkVerticle}) writes the database, the dashboard sidecar ({@code bin/vertx run
 * dev.spark.web.DashboardVerticle}) reads the same file. The writer is killed with SIGKILL; the
 * sidecar keeps serving everything stored (the alert deliveries too), and picks up the rows of the
 * next writer by id.
 */
class DashboardSidecarIT {
  private static final String TOKEN = "sidecar-token";
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void theSidecarKeepsServingWhenTheAppCrashesAndFollowsTheNextWriter(@TempDir Path dir) throws Exception {
    int appPort = SparkUnderTest.freePort();
    int sidecarPort = SparkUnderTest.freePort();
    Path db = dir.resolve("spark.db");
    // A real receiver for the app's alerts (the JDK's own HTTP server).
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    receiver.start();
    JsonObject alerts = new JsonObject()
        .put("targets", new JsonObject().put("hook", new JsonObject().put("type", "webhook")
            .put("url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook")))
        .put("rules", new JsonArray().add(new JsonObject().put("name", "new").put("on", new JsonArray().add("new-issue"))
            .put("to", new JsonArray().add("hook"))));
    Path appConf = conf(dir.resolve("app.json"), db, appPort, alerts);
    Path sidecarConf = conf(dir.resolve("sidecar.json"), db, sidecarPort, alerts);

    List<SparkProcess> processes = new ArrayList<>();
    try {
      SparkProcess app = start(processes, "dev.spark.SparkVerticle", appConf, "Spark started");
      start(processes, "dev.spark.web.DashboardVerticle", sidecarConf, "Spark dashboard (sidecar) on");

      // An observer on the sidecar sees what the app stores (the follower reads four times a second; how
      // soon is printed, not asserted: on a loaded machine the first read after start has taken 1.8 s).
      BlockingQueue<String> seen = new LinkedBlockingQueue<>();
      CompletableFuture<HttpResponse<Stream<String>>> stream = http.sendAsync(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecarPort + "/api/v1/stream?observe=true"))
              .header("Authorization", "Bearer " + TOKEN).build(),
          HttpResponse.BodyHandlers.ofLines());
      HttpResponse<Stream<String>> streamResponse = stream.get(10, TimeUnit.SECONDS);
      assertEquals(200, streamResponse.statusCode());
      Thread lines = new Thread(() -> {
        try {
          streamResponse.body().filter(l -> l.startsWith("id: ")).forEach(seen::add);
        } catch (java.io.UncheckedIOException closedAtTheEnd) {
          // the sidecar is stopped when the test ends
        }
      });
      lines.setDaemon(true);
      lines.start();

      long before = System.nanoTime();
      assertEquals(200, post(appPort, "/api/v1/events", "{\"type\":\"server-error\",\"error\":{\"message\":\"first\"}}").statusCode());
      String firstId = seen.poll(5, TimeUnit.SECONDS);
      long ms = (System.nanoTime() - before) / 1_000_000;
      assertEquals("id: 1", firstId, "the sidecar's observer sees the app's first event");
      System.out.println("DashboardSidecarIT: the sidecar's observer saw the app's event after " + ms + " ms");
      assertEquals(200, post(appPort, "/api/v1/events",
          "[{\"type\":\"unhandled-error\",\"error\":{\"message\":\"second\"}},{\"type\":\"process-error\",\"error\":{\"message\":\"dying\"}}]")
          .statusCode());
      assertEquals("id: 2", seen.poll(5, TimeUnit.SECONDS));
      assertEquals("id: 3", seen.poll(5, TimeUnit.SECONDS));
      // The app's alert deliveries, read by the sidecar from the file: one per new issue, delivered.
      JsonArray delivered = Poll.until("the sidecar to list three delivered alerts", 10_000, () -> {
        JsonArray list = new JsonObject(get(sidecarPort, "/api/v1/alerts/deliveries").body()).getJsonArray("deliveries");
        return list.size() == 3 && list.stream().allMatch(d -> ((JsonObject) d).getString("status").equals("delivered")) ? list : null;
      });

      // The app crashes hard: no shutdown hook, no checkpoint.
      assertEquals(137, app.kill9());

      HttpResponse<String> events = get(sidecarPort, "/api/v1/events");
      assertEquals(200, events.statusCode());
      JsonObject body = new JsonObject(events.body());
      assertEquals(3, body.getInteger("count"), "everything the app stored is still served");
      assertEquals("dying", body.getJsonArray("events").getJsonObject(0).getJsonObject("data").getJsonObject("error").getString("message"));
      assertEquals(200, get(sidecarPort, "/health").statusCode());
      assertEquals(delivered, new JsonObject(get(sidecarPort, "/api/v1/alerts/deliveries").body()).getJsonArray("deliveries"),
          "the deliveries too");
      assertEquals("new", new JsonObject(get(sidecarPort, "/api/v1/alerts").body()).getJsonArray("rules").getJsonObject(0).getString("name"));
      assertEquals(409, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecarPort + "/api/v1/alerts/targets/hook/test"))
          .header("Authorization", "Bearer " + TOKEN)
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode(), "it sends nothing");
      HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecarPort + "/auth"))
          .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("token=" + TOKEN)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(303, login.statusCode(), "the dashboard still lets you in");

      // The app comes back (a new writer on the same file): the sidecar follows on from the next id.
      start(processes, "dev.spark.SparkVerticle", appConf, "Spark started");
      assertEquals(200, post(appPort, "/api/v1/events", "{\"type\":\"server-error\",\"error\":{\"message\":\"after restart\"}}").statusCode());
      assertEquals("id: 4", seen.poll(5, TimeUnit.SECONDS));
    } finally {
      processes.forEach(SparkProcess::close);
      receiver.stop(0);
    }
  }

  private static Path conf(Path file, Path db, int port, JsonObject alerts) throws Exception {
    return SparkProcess.writeConf(file, new JsonObject()
        .put("db", new JsonObject().put("path", db.toString()))
        .put("web", new JsonObject().put("port", port).put("token", TOKEN))
        .put("alerts", alerts));
  }

  /** {@code bin/vertx run <verticle>}, as the README shows it, once it has printed {@code readyLine}. */
  private static SparkProcess start(List<SparkProcess> processes, String verticle, Path conf, String readyLine) throws Exception {
    SparkProcess p = SparkProcess.start(Repo.ROOT, List.of("bin/vertx", "run", verticle, "-conf", conf.toString()), readyLine);
    processes.add(p);
    return p;
  }

  private HttpResponse<String> post(int port, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
  }
}
