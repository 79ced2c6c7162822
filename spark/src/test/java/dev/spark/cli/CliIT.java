package dev.spark.cli;

import dev.spark.support.Repo;
import dev.spark.support.SparkProcess;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bin/spark} as real processes: help, start/status/run/stop, and SIGTERM forwarded by {@code run}. */
class CliIT {
  private static final Path SPARK = Repo.path("bin/spark");

  @Test
  void helpListsEveryCommand(@TempDir Path dir) throws Exception {
    Ran help = spark(dir, "--help");
    assertEquals(0, help.code(), help.toString());
    for (String command : List.of("init", "start", "run", "events", "access", "status", "cleanup", "vacuum")) {
      assertTrue(help.out().contains("\n  " + command + " "), command + " is listed:\n" + help.out());
    }
    Ran statusHelp = spark(dir, "status", "--help");
    assertEquals(0, statusHelp.code());
    assertTrue(statusHelp.out().contains("Usage: spark status [-h] [--json] [--conf=<file>]"), statusHelp.out());
  }

  @Test
  void startStatusRunAndStopAsRealProcesses(@TempDir Path dir) throws Exception {
    Path conf = writeConf(dir);
    try (SparkProcess start = SparkProcess.start(dir, List.of(SPARK.toString(), "start", "--conf", conf.toString()), "Spark started")) {

      Ran status = spark(dir, "status", "--json", "--conf", conf.toString());
      assertEquals(0, status.code(), status.toString());
      JsonObject running = new JsonObject(status.out());
      assertNotNull(running.getJsonObject("storage"), "answered by the running Spark: " + status.out());
      assertEquals(dir.resolve("spark.db").toString(), running.getJsonObject("db").getString("path"));

      Ran run = spark(dir, "run", "--conf", conf.toString(), "--", "sh", "-c", "echo boom; exit 3");
      assertEquals(3, run.code(), run.toString());
      assertEquals("boom\n", run.out());
      assertTrue(run.err().contains("recorded as process-error #1 in Spark at http://127.0.0.1:"), run.err());

      start.sigterm(); // to bin/spark, which forwards it to Spark
      assertEquals(143, start.awaitExit(60), "bin/spark start stops when Spark does, with Spark's own exit code after SIGTERM:\n"
          + start.output());
      Path wal = dir.resolve("spark.db-wal");
      assertFalse(Files.exists(wal) && Files.size(wal) > 0, "Spark closed the database cleanly");

      Ran after = spark(dir, "events", "--json", "--type", "process-error", "--conf", conf.toString());
      assertEquals(0, after.code(), after.toString());
      JsonObject events = new JsonObject(after.out());
      assertEquals(1, events.getInteger("count"));
      assertEquals("boom", events.getJsonArray("events").getJsonObject(0).getJsonObject("data").getString("tail"));
      JsonObject stopped = new JsonObject(spark(dir, "status", "--json", "--conf", conf.toString()).out());
      assertNull(stopped.getValue("storage"), "read from the file now");
      assertEquals(running.getJsonObject("db").getString("path"), stopped.getJsonObject("db").getString("path"));
    }
  }

  @Test
  void runForwardsSigtermAndExitsWithTheCommandsCode(@TempDir Path dir) throws Exception {
    Path conf = writeConf(dir);
    try (SparkProcess run = SparkProcess.start(dir, List.of(SPARK.toString(), "run", "--conf", conf.toString(), "--",
        "sh", "-c", "trap 'echo got-term; exit 7' TERM; echo ready; while :; do sleep 0.1; done"), "ready")) {
      run.sigterm(); // to bin/spark (java: the script execs it), which forwards it to sh
      int code = run.awaitExit(30);  // the command stopped, and spark run with it
      run.awaitLine("not recorded as an error", 10);
      assertEquals(7, code, run.output());
      assertTrue(run.lines().contains("got-term"), "the command got the SIGTERM:\n" + run.output());
      assertTrue(run.output().contains("spark run: sh exited with code 7 after SIGTERM was forwarded to it; not recorded as an error"),
          run.output());
      assertFalse(Files.exists(dir.resolve("spark.db")), "a stop the user asked for is not an error event");
    }
  }

  private static Path writeConf(Path dir) throws Exception {
    return SparkProcess.writeConf(dir.resolve("spark.json"), new JsonObject()
        .put("db", new JsonObject().put("path", dir.resolve("spark.db").toString()))
        .put("web", new JsonObject().put("port", SparkUnderTest.freePort()).put("token", "cli-it-token").put("instances", 1)));
  }

  record Ran(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** Runs bin/spark to the end (at most two minutes), capturing stdout and stderr apart. */
  private static Ran spark(Path dir, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(SPARK.toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p = new ProcessBuilder(command).directory(dir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bin/spark " + String.join(" ", args) + " finished");
    return new Ran(p.exitValue(), Files.readString(out), Files.readString(err));
  }
}
