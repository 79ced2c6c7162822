package dev.spark.cli;

import dev.spark.config.ConfigLoader;
import dev.spark.config.SparkConfig;
import dev.spark.support.Repo;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code spark init} sets a project up once; run again it changes nothing and never overwrites edits. */
class InitCommandTest {

  @Test
  void aSecondRunChangesNothing(@TempDir Path project) throws Exception {
    CliRunner.Result first = CliRunner.run(project, Map.of(), "init");
    assertEquals(0, first.exitCode(), first.toString());
    assertEquals("Created conf/spark.json (Spark's defaults, environment development)\n"
        + "Created .gitignore with .spark/\n"
        + "Installed the Pi extension .pi/spark/extension.ts\nRegistered it in .pi/settings.json\nNext: bin/spark start\n"
        + "Sentry DSN: http://spark@127.0.0.1:8081/1\n", first.out());
    assertEquals(new JsonObject().put("extensions", new io.vertx.core.json.JsonArray().add("spark/extension.ts")),
        new JsonObject(Files.readString(project.resolve(".pi/settings.json"))));
    assertArrayEquals(Files.readAllBytes(Path.of("src/main/resources/pi-extension/spark.ts")),
        Files.readAllBytes(project.resolve(".pi/spark/extension.ts")));
    Path conf = project.resolve("conf/spark.json");
    Path gitignore = project.resolve(".gitignore");
    assertArrayEquals(Files.readAllBytes(Repo.path("conf/spark.json")), Files.readAllBytes(conf),
        "init writes what the repository's conf/spark.json ships: the embedded defaults with the environment");
    SparkConfig loaded = ConfigLoader.load(new JsonObject(Files.readString(conf)), Map.of());
    assertEquals("development", loaded.environment());
    assertEquals(".spark/\n", Files.readString(gitignore));

    byte[] confBefore = Files.readAllBytes(conf);
    byte[] ignoreBefore = Files.readAllBytes(gitignore);
    CliRunner.Result second = CliRunner.run(project, Map.of(), "init");
    assertEquals(0, second.exitCode(), second.toString());
    assertEquals("Nothing to do: conf/spark.json exists (left as it is); .gitignore already ignores .spark/; "
        + ".pi/spark/extension.ts is up to date; .pi/settings.json already loads it.\n"
        + "Sentry DSN: http://spark@127.0.0.1:8081/1\n", second.out());
    assertArrayEquals(confBefore, Files.readAllBytes(conf));
    assertArrayEquals(ignoreBefore, Files.readAllBytes(gitignore));
  }

  @Test
  void anEditedConfigurationAndAnExistingGitignoreAreKept(@TempDir Path project) throws Exception {
    Path conf = project.resolve("conf/spark.json");
    Files.createDirectories(conf.getParent());
    String edited = "{\n  \"db\": {\"path\": \"data/errors.db\"\n"; // half-edited: the braces are missing
    Files.writeString(conf, "{\"db\": {\"path\": \"data/errors.db\"}, \"web\": {\"port\": 9999}}", StandardCharsets.UTF_8);
    Path gitignore = project.resolve(".gitignore");
    Files.writeString(gitignore, "node_modules/\n*.log", StandardCharsets.UTF_8); // no newline at the end
    Files.createDirectories(project.resolve(".pi"));
    Files.writeString(project.resolve(".pi/settings.json"), "{\"theme\": \"dark\", \"extensions\": [\"mine.ts\"]}");

    CliRunner.Result first = CliRunner.run(project, Map.of("SPARK_ENV", "production"), "init");
    assertEquals(0, first.exitCode(), first.toString());
    assertEquals("Added .spark/ to .gitignore\nInstalled the Pi extension .pi/spark/extension.ts\n"
        + "Registered it in .pi/settings.json\nNext: bin/spark start\nSentry DSN: http://spark@127.0.0.1:9999/1\n", first.out());
    JsonObject piSettings = new JsonObject(Files.readString(project.resolve(".pi/settings.json")));
    assertEquals("dark", piSettings.getString("theme"), "other settings are kept");
    assertEquals(new io.vertx.core.json.JsonArray().add("mine.ts").add("spark/extension.ts"), piSettings.getJsonArray("extensions"));
    assertEquals("{\"db\": {\"path\": \"data/errors.db\"}, \"web\": {\"port\": 9999}}", Files.readString(conf), "never overwritten");
    assertEquals("node_modules/\n*.log\n.spark/\n", Files.readString(gitignore));

    CliRunner.Result second = CliRunner.run(project, Map.of(), "init");
    assertEquals("Nothing to do: conf/spark.json exists (left as it is); .gitignore already ignores .spark/; "
        + ".pi/spark/extension.ts is up to date; .pi/settings.json already loads it.\n"
        + "Sentry DSN: http://spark@127.0.0.1:9999/1\n", second.out());
    assertEquals("node_modules/\n*.log\n.spark/\n", Files.readString(gitignore), "the line is not added twice");

    // A configuration that will not load is still left alone, but init says so and fails.
    Files.writeString(conf, edited, StandardCharsets.UTF_8);
    CliRunner.Result broken = CliRunner.run(project, Map.of(), "init");
    assertEquals(1, broken.exitCode(), broken.toString());
    assertTrue(broken.err().startsWith("spark init: conf/spark.json will not load: conf/spark.json is not a JSON object"), broken.err());
    assertEquals(edited, Files.readString(conf));
  }

  @Test
  void theEnvironmentComesFromSparkEnvAndTheFileCanBeChosen(@TempDir Path project) throws Exception {
    Files.writeString(project.resolve(".gitignore"), "/.spark\n");
    CliRunner.Result r = CliRunner.run(project, Map.of("SPARK_ENV", "production"), "init", "--conf", "config/spark-prod.json");
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("Created config/spark-prod.json (Spark's defaults, environment production)\n"
        + "Installed the Pi extension .pi/spark/extension.ts\nRegistered it in .pi/settings.json\nNext: bin/spark start\n"
        + "Sentry DSN: http://spark@127.0.0.1:8081/1\n", r.out());
    JsonObject written = new JsonObject(Files.readString(project.resolve("config/spark-prod.json")));
    assertEquals("production", written.getString("environment"));
    assertEquals(ConfigLoader.defaults().getJsonObject("db"), written.getJsonObject("db"));
    assertEquals("/.spark\n", Files.readString(project.resolve(".gitignore")), "an existing /.spark rule counts");

    // spark status names the DSN too: with ingest.token set, that is its key.
    written.getJsonObject("ingest").put("token", "tok_1");
    written.getJsonObject("web").put("port", 9123);
    Files.writeString(project.resolve("config/spark-prod.json"), written.encodePrettily());
    Files.createDirectories(project.resolve(".spark"));
    try (java.sql.Connection db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + project.resolve(".spark/spark.db"))) {
      dev.spark.storage.SqliteFiles.createSchema(db); // a database to report on
    }
    CliRunner.Result status = CliRunner.run(project, Map.of(), "status", "--conf", "config/spark-prod.json");
    assertEquals(0, status.exitCode(), status.toString());
    assertTrue(status.out().endsWith("Sentry DSN: http://tok_1@127.0.0.1:9123/1\n"), status.out());
  }
}
