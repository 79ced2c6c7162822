package dev.spark;

import dev.spark.support.Await;
import dev.spark.support.ClusterNodes;
import dev.spark.support.Poll;
import dev.spark.support.SparkProcess;
import dev.spark.support.SparkUnderTest;
import dev.spark.support.SseTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.spark.support.DbFile.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17, items 2 and 3, across processes on loopback, all {@code -cluster} with TCP/IP join
 * (conf/cluster.xml, with a cluster name and ports of this test's own): the fat jar as Spark, and
 * {@link dev.spark.support.ClusterApp} as an application on its own JVM. An error in the application
 * is stored by Spark and reaches an SSE agent, and the application's own observer and agent on the
 * clustered bus; a second Spark is a standby (log line, {@code /health}, no database file);
 * {@code kill -9} of the first and the standby takes over and stores the application's next error.
 * Item 4 across processes (Spark away for ten seconds) is {@link ClusterSparkAwayIT}.
 */
class ClusterFailoverIT {

  @Test
  void anAppOnAnotherJvmReachesTheWriterAndTheStandbyTakesOver(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (ClusterNodes nodes = ClusterNodes.in(dir)) {
      int portA = SparkUnderTest.freePort();
      int portB = SparkUnderTest.freePort();
      Path dbA = dir.resolve("a.db");
      Path dbB = dir.resolve("b.db");
      Path confB = nodes.conf("b", dbB, portB);

      SparkProcess a = nodes.spark(nodes.conf("a", dbA, portA), "Spark started");
      SparkProcess app = nodes.app(2_000);

      // 1. an error in the application process: stored by Spark, delivered to an SSE agent, and to the
      // application's own observer and agent across the cluster
      app.tell("observe");
      app.awaitLine("observing", 60);
      app.tell("subscribe");
      app.awaitLine("subscribed", 60);
      SseTestClient agent = Await.result(SseTestClient.connect(vertx, portA, null, null));
      app.tell("error first error from the app process");
      app.awaitLine(l -> l.startsWith("observed ") && l.contains("first error from the app process"), 60);
      app.awaitLine(l -> l.startsWith("batch ") && l.contains("first error from the app process"), 60);
      SseTestClient.Received delivered = Await.result(agent.awaitCount(1)).get(0);
      assertTrue(delivered.data().encode().contains("first error from the app process"), delivered.data().encode());
      assertEquals(1, count(dbA, "SELECT count(*) FROM events WHERE data LIKE '%first error from the app process%'"));

      // 2. a second Spark in the same cluster waits as a standby
      SparkProcess b = nodes.spark(confB, "Standby: /health on");
      assertTrue(b.awaitLine("Spark standby: another Spark in this cluster holds the writer lock", 1).contains("waiting to take over"));
      HttpResponse<String> standby = health(portB);
      assertEquals(503, standby.statusCode(), standby.body());
      assertEquals("standby", new JsonObject(standby.body()).getString("role"));
      assertEquals("writer", new JsonObject(health(portA).body()).getString("role"));
      assertFalse(Files.exists(dbB), "a standby does not open its database");

      // 3. kill -9 of the writer: the standby takes over, the application's next error is stored there
      long killed = System.nanoTime();
      assertEquals(137, a.kill9());
      b.awaitLine("Spark started", 120);
      System.out.println("ClusterFailoverIT: the standby took over " + (System.nanoTime() - killed) / 1_000_000 + " ms after kill -9");
      HttpResponse<String> writer = health(portB);
      assertEquals(200, writer.statusCode(), writer.body());
      assertEquals("writer", new JsonObject(writer.body()).getString("role"));
      app.tell("error after the takeover");
      Poll.until("the error after the takeover in the new writer's database", 90_000,
          () -> count(dbB, "SELECT count(*) FROM events WHERE data LIKE '%after the takeover%'") == 1);

      app.tell("quit");
      app.awaitLine("app left", 60);
      assertTrue(b.isAlive());
    } finally {
      Await.result(vertx.close());
    }
  }

  private static HttpResponse<String> health(int port) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
