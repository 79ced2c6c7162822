package dev.spark.demo;

import dev.spark.support.Await;
import dev.spark.support.ClusterNodes;
import dev.spark.support.Poll;
import dev.spark.support.Repo;
import dev.spark.support.SparkProcess;
import dev.spark.support.SparkUnderTest;
import dev.spark.support.SseTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static dev.spark.support.DbFile.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17, item 2, with the real demo as the application: {@code examples/demo/run --cluster} and
 * Spark's fat jar with {@code -cluster}, two processes on loopback joined over TCP/IP on a cluster of
 * this test's own. The demo's bug, triggered over HTTP, is stored by the Spark process (its HTTP API and
 * its database file), reaches an SSE agent subscribed to that Spark, and so does the request's
 * access-log line; the demo runs no Spark of its own. A cluster it cannot join is said, with exit code 1.
 */
class DemoClusterIT {
  /** examples/demo/run builds the demo (and installs Spark's artifacts) first when they are missing or stale. */
  private static final long BUILD_SECONDS = 900;
  /** TEST-NET-1 (RFC 5737): an address of no host here. */
  private static final String NOT_HERE = "192.0.2.1";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @Test
  void theDemoOnAnotherJvmReportsItsBugToTheSparkProcessOverTheClusteredBus(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (ClusterNodes nodes = ClusterNodes.in(dir)) {
      int sparkPort = SparkUnderTest.freePort();
      int demoPort = SparkUnderTest.freePort();
      Path sparkDb = dir.resolve("spark.db");
      Path demoDb = dir.resolve("demo/demo.db");

      // The demo first: its run script may build and install Spark's artifacts (fat jar included),
      // which must not happen under a running Spark. Alone in the cluster, it says so.
      SparkProcess demo = nodes.member(run("--cluster", "--cluster-config=" + nodes.clusterXml(), "--port=" + demoPort,
          "--db=" + demoDb), "Demo shop on http://127.0.0.1:" + demoPort, BUILD_SECONDS);
      String joined = demo.awaitLine("Joined the Hazelcast cluster 'spark-test-", 1);
      assertTrue(joined.contains(": 1 member."), joined);
      demo.awaitLine("No other member yet", 1);

      SparkProcess spark = nodes.spark(nodes.conf("spark", sparkDb, sparkPort), "the writer of its cluster");
      SseTestClient agent = Await.result(SseTestClient.connect(vertx, sparkPort, null, null));

      HttpResponse<String> bug = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + demoPort + "/api/users"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"ada@example.com\",\"password\":\"hunter2\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(500, bug.statusCode(), bug.body());
      String traceId = bug.headers().firstValue("X-Request-Id").orElse(null);
      assertNotNull(traceId, "the demo's SparkWeb gives every response an X-Request-Id");

      // The SSE agent gets it from the Spark process (delivered after Spark's commit).
      SseTestClient.Received delivered;
      try {
        delivered = agent.awaitCount(1).await(120, TimeUnit.SECONDS).get(0);
      } catch (TimeoutException e) {
        throw new AssertionError("the demo's error did not reach Spark's SSE agent within 120 s; the demo's output:\n"
            + demo.output() + "\nSpark's:\n" + spark.output(), e);
      }
      assertEquals(traceId, delivered.data().getString("traceId"), delivered.data().encode());
      assertEquals("server-error", delivered.data().getString("type"));
      assertEquals("sign-up", delivered.data().getString("feature"));

      // Stored by Spark: its query API, and its own database file.
      JsonArray events = get(sparkPort, "/api/v1/events?type=server-error").getJsonArray("events");
      assertEquals(1, events.size(), events.encodePrettily());
      JsonObject event = events.getJsonObject(0);
      assertEquals(traceId, event.getString("traceId"));
      assertEquals("POST /api/users", event.getString("route"));
      JsonObject data = event.getJsonObject("data");
      assertTrue(data.getJsonObject("error").getString("message").contains("no such table: users"), data.encode());
      assertEquals("[REDACTED]", data.getJsonObject("request").getJsonObject("input").getString("password"));
      assertEquals(1, count(sparkDb, "SELECT count(*) FROM events WHERE type = 'server-error' AND trace_id = '" + traceId + "'"));

      // The request's access-log line, sent in its own batch: stored by Spark too.
      String byRequestId = "/api/v1/access?requestId=" + URLEncoder.encode(traceId, StandardCharsets.UTF_8);
      JsonObject access = Poll.until("the demo request's access-log line in Spark", 60_000, () -> {
        JsonArray rows = get(sparkPort, byRequestId).getJsonArray("access");
        return rows.isEmpty() ? null : rows.getJsonObject(0);
      });
      assertEquals("POST", access.getString("method"));
      assertEquals("/api/users", access.getString("path"));
      assertEquals(500, access.getInteger("status"));
      assertEquals("sign-up", access.getString("feature"));
      assertTrue(access.getString("error").contains("no such table: users"), access.encode());
      assertEquals(1, count(sparkDb, "SELECT count(*) FROM access_logs WHERE request_id = '" + traceId + "'"));

      // Only the Spark process stored anything: the demo deployed no Spark and opened no Spark database.
      assertFalse(demo.output().contains("Spark started"), demo.output());
      assertTrue(spark.output().contains("Spark started"), spark.output());
      assertTrue(Files.exists(demoDb), "the demo's own shop database");
      assertTrue(demo.isAlive() && spark.isAlive());
    } finally {
      Await.result(vertx.close());
    }
  }

  @Test
  void aClusterTheDemoCannotJoinIsNamedAndItExitsWithOne(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("no-such-cluster.xml");
    try (SparkProcess demo = SparkProcess.launch(dir, run("--cluster", "--cluster-config=" + missing,
        "--port=" + SparkUnderTest.freePort(), "--db=" + dir.resolve("demo.db")))) {
      assertEquals(1, demo.awaitExit(BUILD_SECONDS), demo.output());
      assertTrue(demo.output().contains("Could not start: no Hazelcast configuration at " + missing), demo.output());
    }
    // Hazelcast starts (this test's own cluster name), but the event bus cannot listen on an address of another host.
    try (ClusterNodes nodes = ClusterNodes.in(dir); SparkProcess demo = SparkProcess.launch(dir, run("--cluster",
        "--cluster-config=" + nodes.clusterXml(), "--cluster-host=" + NOT_HERE, "--port=" + SparkUnderTest.freePort(),
        "--db=" + dir.resolve("demo.db")))) {
      assertEquals(1, demo.awaitExit(BUILD_SECONDS), demo.output());
      assertTrue(demo.output().contains("Could not start: could not join the cluster of " + nodes.clusterXml()
          + " (event bus on " + NOT_HERE + ")"), demo.output());
    }
    assertFalse(Files.exists(dir.resolve("demo.db")), "no shop without its cluster");
  }

  /** {@code examples/demo/run ARGS}, as a user starts it (it builds what is missing first). */
  private static List<String> run(String... args) {
    List<String> command = new ArrayList<>(List.of("env", "JAVA_OPTS=-Xmx256m", Repo.path("examples/demo/run").toString()));
    command.addAll(List.of(args));
    return command;
  }

  private static JsonObject get(int port, String pathAndQuery) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .header("Authorization", "Bearer " + SparkUnderTest.TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new AssertionError("GET " + pathAndQuery + " answered " + r.statusCode() + ": " + r.body());
    return new JsonObject(r.body());
  }
}
