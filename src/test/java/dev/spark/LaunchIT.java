package dev.spark;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
    runAndStop(dir, List.of("bin/vertx", "run", "dev.spark.SparkVerticle", "-conf", conf.toString()));
  }

  @Test
  void theFatJarStartsSparkAndSigtermClosesItCleanly(@TempDir Path dir) throws Exception {
    Path jar = Path.of("target/spark.jar");
    assertTrue(Files.exists(jar), "mvn package builds target/spark.jar");
    Path conf = writeConf(dir);
    runAndStop(dir, List.of("java", "-jar", jar.toAbsolutePath().toString(), "-conf", conf.toString()));
  }

  @Test
  void aBadConfigurationStopsStartUpWithOneLineNamingTheKey(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("bad.json");
    Files.writeString(conf, new JsonObject().put("db", new JsonObject().put("pollIntervalMs", "often")).encode());
    Process p = new ProcessBuilder("java", "-jar", Path.of("target/spark.jar").toAbsolutePath().toString(), "-conf", conf.toString())
        .directory(dir.toFile()).redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "Spark gives up instead of hanging");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.exitValue() != 0, "non-zero exit; output: " + out);
    assertTrue(out.contains("Invalid configuration: db.pollIntervalMs must be an integer"), out);
  }

  private static Path writeConf(Path dir) throws Exception {
    Path conf = dir.resolve("spark.json");
    JsonObject json = new JsonObject(Files.readString(Path.of("conf/spark.json")));
    json.getJsonObject("db").put("path", dir.resolve("spark.db").toString());
    json.getJsonObject("web").put("port", dev.spark.support.SparkUnderTest.freePort()).put("token", "launch-token");
    Files.writeString(conf, json.encodePrettily());
    return conf;
  }

  private static void runAndStop(Path dir, List<String> command) throws Exception {
    JsonObject conf = new JsonObject(Files.readString(dir.resolve("spark.json")));
    int port = conf.getJsonObject("web").getInteger("port");
    Process p = new ProcessBuilder(command).directory(Path.of("").toAbsolutePath().toFile()).redirectErrorStream(true).start();
    try {
      CompletableFuture<String> started = new CompletableFuture<>();
      StringBuilder output = new StringBuilder();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            synchronized (output) {
              output.append(line).append('\n');
            }
            if (line.contains("Spark started")) started.complete(line);
          }
        } catch (Exception e) {
          started.completeExceptionally(e);
        }
        started.completeExceptionally(new AssertionError("Spark exited before starting:\n" + output));
      });
      reader.start();
      started.get(120, TimeUnit.SECONDS);

      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode(), health.body());
      HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/events"))
          .POST(HttpRequest.BodyPublishers.ofString("[{\"type\":\"server-error\",\"error\":{\"message\":\"a\"}},{\"type\":\"rate-limit\"}]"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, posted.statusCode(), posted.body());

      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "Spark stops on SIGTERM");
      reader.join(10_000);
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("spark.db"));
           ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM events")) {
        rs.next();
        assertEquals(2, rs.getInt(1), "both acknowledged events are in the file");
      }
      Path wal = dir.resolve("spark.db-wal");
      assertFalse(Files.exists(wal) && Files.size(wal) > 0, "the WAL was checkpointed on a clean close");
    } finally {
      if (p.isAlive()) p.destroyForcibly();
    }
  }
}
