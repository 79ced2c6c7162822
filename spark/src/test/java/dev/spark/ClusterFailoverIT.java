package dev.spark;

import dev.spark.support.Await;
import dev.spark.support.ClusterApp;
import dev.spark.support.Poll;
import dev.spark.support.Repo;
import dev.spark.support.SparkProcess;
import dev.spark.support.SparkUnderTest;
import dev.spark.support.SseTestClient;
import dev.spark.support.TestCluster;
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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17, items 2 to 4, across processes on loopback, all {@code -cluster} with TCP/IP join
 * (conf/cluster.xml, with a cluster name and ports of this test's own): the fat jar as Spark, and
 * {@link ClusterApp} as an application on its own JVM. An error in the application is stored by Spark
 * and reaches an SSE agent, and the application's own observer and agent on the clustered bus; a second Spark is a standby (log line, {@code /health}, no database file);
 * {@code kill -9} of the first and the standby takes over and stores the application's next error;
 * then Spark is stopped, the application throws 1,000 errors, Spark is started again and all 1,000
 * are stored exactly once. Every process is killed at the end, whatever happens.
 */
class ClusterFailoverIT {
  private static final String[] SMALL = {"-Xmx256m"};

  @Test
  void anAppOnAnotherJvmReachesTheWriterTheStandbyTakesOverAndNothingIsLostWhileSparkIsAway(@TempDir Path dir) throws Exception {
    Path clusterXml = TestCluster.config(dir);
    List<SparkProcess> processes = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    try {
      int portA = SparkUnderTest.freePort();
      int portB = SparkUnderTest.freePort();
      Path dbA = dir.resolve("a.db");
      Path dbB = dir.resolve("b.db");
      Path confA = conf(dir.resolve("a.json"), dbA, portA);
      Path confB = conf(dir.resolve("b.json"), dbB, portB);

      SparkProcess a = spark(dir, confA, clusterXml, "Spark started", processes);
      SparkProcess app = SparkProcess.start(dir, appCommand(clusterXml), "app ready");
      processes.add(app);

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
      SparkProcess b = spark(dir, confB, clusterXml, "Standby: /health on", processes);
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

      // 4. Spark away: stopped, the application throws 1,000 errors, Spark started again
      b.terminate();
      app.tell("errors 1000 while Spark was away");
      app.awaitLine("sent 1000 in", 60);
      SparkProcess c = spark(dir, confB, clusterXml, "Spark started", processes);
      long back = System.nanoTime();
      Poll.until("all 1,000 stored", 120_000,
          () -> count(dbB, "SELECT count(*) FROM events WHERE data LIKE '%while Spark was away %'") == 1_000);
      System.out.println("ClusterFailoverIT: the 1,000 kept errors stored " + (System.nanoTime() - back) / 1_000_000 + " ms after Spark was back");
      assertEquals(1_000, count(dbB, "SELECT count(DISTINCT event_id) FROM events WHERE data LIKE '%while Spark was away %'"));
      app.tell("drained");
      assertEquals("drained: stats buffered=0 dropped=0 refused=0", app.awaitLine("drained: ", 60));
      assertTrue(c.isAlive());
      app.tell("quit");
      app.awaitLine("app left", 60);
    } finally {
      for (SparkProcess p : processes) p.close();
      Await.result(vertx.close());
    }
  }

  private static Path conf(Path file, Path db, int port) throws Exception {
    return SparkProcess.writeConf(file, new JsonObject()
        .put("db", new JsonObject().put("path", db.toString()))
        .put("web", new JsonObject().put("port", port).put("token", SparkUnderTest.TOKEN))
        .put("issues", new JsonObject().put("floodControl", false)));
  }

  private static SparkProcess spark(Path dir, Path conf, Path clusterXml, String readyLine, List<SparkProcess> processes) throws Exception {
    List<String> command = new ArrayList<>(SparkProcess.jarCommand(conf, jvm(clusterXml)));
    command.addAll(List.of("-cluster", "-cluster-host", "127.0.0.1"));
    SparkProcess p = SparkProcess.launch(dir, command);
    processes.add(p);
    p.awaitLine(readyLine, 120);
    return p;
  }

  private static String[] jvm(Path clusterXml) {
    return new String[] {SMALL[0], "-Dvertx.hazelcast.config=" + clusterXml,
        "-Djava.util.logging.config.file=" + Repo.path("conf/logging.properties")};
  }

  private static List<String> appCommand(Path clusterXml) throws Exception {
    String classpath = "target/test-classes:target/classes:" + Files.readString(Path.of("target/test.classpath")).trim();
    List<String> command = new ArrayList<>(List.of("java"));
    command.addAll(List.of(jvm(clusterXml)));
    command.add("-Dslf4j.provider=org.slf4j.jul.JULServiceProvider"); // the test classpath's SLF4J logs through java.util.logging, as in the tests
    command.addAll(List.of("-cp", Path.of("").toAbsolutePath() + "/" + classpath.replace(":target/", ":" + Path.of("").toAbsolutePath() + "/target/"),
        ClusterApp.class.getName(), "2000"));
    return command;
  }

  private static HttpResponse<String> health(int port) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static long count(Path db, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }
}
