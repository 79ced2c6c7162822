package dev.spark;

import dev.spark.support.Repo;
import dev.spark.support.SparkProcess;
import dev.spark.support.SparkUnderTest;
import dev.spark.support.TestCluster;
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
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two documented ways to run Spark, as real processes: {@code bin/vertx run} (legacy launcher)
 * and the fat jar. Each takes events over HTTP, and on SIGTERM commits and closes the database.
 */
class LaunchIT {

  @Test
  void binVertxRunStartsSparkAndSigtermClosesItCleanly(@TempDir Path dir) throws Exception {
    Path conf = writeConf(dir);
    String out = runAndStop(dir, List.of("bin/vertx", "run", "dev.spark.SparkVerticle", "-conf", conf.toString()));
    // conf/jvm.options' heap is sized for the default bounds: no warning about it.
    assertFalse(out.contains("The JVM's heap"), out);
  }

  @Test
  void binVertxRunWithClusterJoinsAClusterAsItsWriterAndSigtermClosesItCleanly(@TempDir Path dir) throws Exception {
    Path conf = writeConf(dir);
    Path clusterXml = TestCluster.config(dir);
    runAndStop(dir, List.of("env", "JAVA_OPTS=-Xmx256m -Dvertx.hazelcast.config=" + clusterXml,
        "bin/vertx", "run", "dev.spark.SparkVerticle", "-conf", conf.toString(), "-cluster", "-cluster-host", "127.0.0.1"),
        "the writer of its cluster");
  }

  @Test
  void theFatJarStartsSparkAndSigtermClosesItCleanly(@TempDir Path dir) throws Exception {
    Path conf = writeConf(dir);
    runAndStop(dir, SparkProcess.jarCommand(conf));
  }

  @Test
  void aBadConfigurationStopsStartUpWithOneLineNamingTheKey(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("bad.json");
    Files.writeString(conf, new JsonObject().put("db", new JsonObject().put("pollIntervalMs", "often")).encode());
    try (SparkProcess p = SparkProcess.launch(dir, SparkProcess.jarCommand(conf))) {
      int code = p.awaitExit(60);  // Spark gives up instead of hanging
      String out = p.output();
      assertTrue(code != 0, "non-zero exit; output: " + out);
      assertTrue(out.contains("Invalid configuration: db.pollIntervalMs must be an integer"), out);
    }
  }

  private static Path writeConf(Path dir) throws Exception {
    return SparkProcess.writeConf(dir.resolve("spark.json"), new JsonObject()
        .put("db", new JsonObject().put("path", dir.resolve("spark.db").toString()))
        .put("web", new JsonObject().put("port", SparkUnderTest.freePort()).put("token", "launch-token")));
  }

  private static String runAndStop(Path dir, List<String> command) throws Exception {
    return runAndStop(dir, command, "Spark started");
  }

  /** Starts, ingests, stops with SIGTERM and checks the file; what the process printed. */
  private static String runAndStop(Path dir, List<String> command, String readyLine) throws Exception {
    JsonObject conf = new JsonObject(Files.readString(dir.resolve("spark.json")));
    int port = conf.getJsonObject("web").getInteger("port");
    try (SparkProcess p = SparkProcess.start(Repo.ROOT, command, readyLine)) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode(), health.body());
      assertEquals("writer", new JsonObject(health.body()).getString("role"));
      HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/events"))
          .POST(HttpRequest.BodyPublishers.ofString("[{\"type\":\"server-error\",\"error\":{\"message\":\"a\"}},{\"type\":\"rate-limit\"}]"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, posted.statusCode(), posted.body());

      p.terminate(); // SIGTERM; fails unless Spark stops within a minute
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("spark.db"));
           ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM events")) {
        rs.next();
        assertEquals(2, rs.getInt(1), "both acknowledged events are in the file");
      }
      Path wal = dir.resolve("spark.db-wal");
      assertFalse(Files.exists(wal) && Files.size(wal) > 0, "the WAL was checkpointed on a clean close");
      return p.output();
    }
  }
}
