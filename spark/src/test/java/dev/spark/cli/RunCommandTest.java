package dev.spark.cli;

import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code spark run} on real child processes: a failing command becomes a process-error event,
 * through a running Spark over HTTP or, with Spark stopped, through Spark's storage into the file.
 */
@ExtendWith(VertxExtension.class)
class RunCommandTest {
  private static final String[] FAILING = {"run", "--", "sh", "-c", "echo boom; echo on-stderr >&2; exit 3"};

  @Test
  void aFailureIsRecordedThroughARunningSpark(Vertx vertx, @TempDir Path dir) throws Exception {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    CliRunner.Result r = CliRunner.run(dir, CliRunner.envFor(spark), FAILING);

    assertEquals(3, r.exitCode(), r.toString());
    assertEquals("boom\n", r.out(), "the child's stdout reaches the terminal");
    assertTrue(r.err().startsWith("on-stderr\n"), r.err());
    assertTrue(r.err().contains("spark run: sh exited with code 3; recorded as process-error #1 in Spark at http://127.0.0.1:" + spark.port), r.err());

    JsonObject events = spark.getJson("/api/v1/events?type=process-error");
    assertEquals(1, events.getInteger("count"), events.encode());
    assertRecorded(events.getJsonArray("events").getJsonObject(0), dir);
  }

  @Test
  void withSparkStoppedTheFailureGoesIntoTheDatabaseAndSparkFindsItThere(Vertx vertx, @TempDir Path dir) throws Exception {
    Path db = dir.resolve("spark.db");
    CliRunner.Result r = CliRunner.run(dir, CliRunner.envFor(db, SparkUnderTest.freePort()), FAILING);

    assertEquals(3, r.exitCode(), r.toString());
    assertTrue(r.err().contains("spark run: sh exited with code 3; recorded as process-error #1 in the database file spark.db"), r.err());
    assertTrue(Files.exists(db));
    assertFalse(Files.exists(dir.resolve("spark.db-wal")) && Files.size(dir.resolve("spark.db-wal")) > 0,
        "the CLI's storage committed and closed the file cleanly");

    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    JsonObject events = spark.getJson("/api/v1/events?consumed=false");
    assertEquals(1, events.getInteger("count"), "pending, for the next agent: " + events.encode());
    assertRecorded(events.getJsonArray("events").getJsonObject(0), dir);
  }

  @Test
  void aZeroExitRecordsNothingInEitherMode(Vertx vertx, @TempDir Path dir) {
    Map<String, String> stopped = CliRunner.envFor(dir.resolve("spark.db"), SparkUnderTest.freePort());
    CliRunner.Result offline = CliRunner.run(dir, stopped, "run", "--", "sh", "-c", "echo fine");
    assertEquals(0, offline.exitCode(), offline.toString());
    assertEquals("fine\n", offline.out());
    assertEquals("", offline.err());
    assertFalse(Files.exists(dir.resolve("spark.db")), "nothing to record, so no database either");

    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    CliRunner.Result online = CliRunner.run(dir, CliRunner.envFor(spark), "run", "sh", "-c", "echo fine");
    assertEquals(0, online.exitCode(), online.toString());
    assertEquals("", online.err());
    assertEquals(0, spark.getJson("/api/v1/status").getJsonObject("counts").getInteger("events"));
    assertEquals(2, logFiles(dir).size(), "each run still has its log");
  }

  @Test
  void theTailIsTheLastFiftyLinesAndTheExitCodeIsTheCommands(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    CliRunner.Result r = CliRunner.run(dir, CliRunner.envFor(spark), "run", "--", "sh", "-c",
        "i=1; while [ $i -le 120 ]; do echo line$i; i=$((i+1)); done; printf 'no newline at the end'; exit 42");
    assertEquals(42, r.exitCode(), r.err());

    JsonObject data = spark.getJson("/api/v1/events").getJsonArray("events").getJsonObject(0).getJsonObject("data");
    List<String> tail = data.getString("tail").lines().toList();
    assertEquals(50, tail.size());
    assertEquals("line72", tail.get(0));
    assertEquals("no newline at the end", tail.get(49));
    assertEquals("sh exited with code 42", data.getJsonObject("error").getString("message"));

    CliRunner.Result missing = CliRunner.run(dir, CliRunner.envFor(spark), "run", "--", "no-such-program-here");
    assertEquals(127, missing.exitCode());
    assertTrue(missing.err().startsWith("spark run: cannot run no-such-program-here:"), missing.err());
    assertEquals(1, spark.getJson("/api/v1/status").getJsonObject("counts").getInteger("events"), "a command that never ran is not an event");
    assertEquals(1, logFiles(dir).size(), "nor does it leave a log");
  }

  private static void assertRecorded(JsonObject event, Path dir) throws Exception {
    assertEquals("process-error", event.getString("type"));
    JsonObject data = event.getJsonObject("data");
    assertEquals("sh exited with code 3", data.getJsonObject("error").getString("message"));
    assertEquals(3, data.getInteger("exitCode"));
    assertEquals("sh -c 'echo boom; echo on-stderr >&2; exit 3'", data.getString("command"));
    assertEquals(List.of("boom", "on-stderr"), data.getString("tail").lines().sorted().toList(),
        "both streams' lines (their order across the two pipes is the scheduler's)");
    Path log = Path.of(data.getString("logFile"));
    assertEquals(List.of(log), logFiles(dir));
    assertTrue(log.getFileName().toString().matches("\\d{8}T\\d{6}Z-sh-c-echo_boom_echo_on_stderr_2_exit_3\\.log"), log.toString());
    List<String> lines = Files.readAllLines(log);
    assertTrue(lines.get(0).startsWith("# spark run: sh -c 'echo boom; echo on-stderr >&2; exit 3' (in "), lines.get(0));
    assertEquals(List.of("boom", "on-stderr"), lines.subList(1, 3).stream().sorted().toList(), "both streams, whole lines");
    assertEquals("# spark run: exited with code 3", lines.get(3));
  }

  private static List<Path> logFiles(Path dir) {
    try (Stream<Path> files = Files.list(dir.resolve("logs"))) {
      return files.sorted().toList();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
