package dev.spark.cli;

import dev.spark.support.SparkUnderTest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bin/spark} as real processes: help, start/status/run/stop, and SIGTERM forwarded by {@code run}. */
class CliIT {
  private static final Path SPARK = Path.of("bin/spark").toAbsolutePath();

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
    Process start = new ProcessBuilder(SPARK.toString(), "start", "--conf", conf.toString())
        .directory(dir.toFile()).redirectErrorStream(true).start();
    try {
      Lines startOutput = Lines.follow(start);
      startOutput.await("Spark started", 120);

      Ran status = spark(dir, "status", "--json", "--conf", conf.toString());
      assertEquals(0, status.code(), status.toString());
      JsonObject running = new JsonObject(status.out());
      assertNotNull(running.getJsonObject("storage"), "answered by the running Spark: " + status.out());
      assertEquals(dir.resolve("spark.db").toString(), running.getJsonObject("db").getString("path"));

      Ran run = spark(dir, "run", "--conf", conf.toString(), "--", "sh", "-c", "echo boom; exit 3");
      assertEquals(3, run.code(), run.toString());
      assertEquals("boom\n", run.out());
      assertTrue(run.err().contains("recorded as process-error #1 in Spark at http://127.0.0.1:"), run.err());

      sigterm(start); // to bin/spark, which forwards it to Spark
      assertTrue(start.waitFor(60, TimeUnit.SECONDS), "bin/spark start stops when Spark does");
      assertEquals(143, start.exitValue(), "Spark's own exit code after SIGTERM:\n" + startOutput);
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
    } finally {
      if (start.isAlive()) start.destroyForcibly();
    }
  }

  @Test
  void runForwardsSigtermAndExitsWithTheCommandsCode(@TempDir Path dir) throws Exception {
    Path conf = writeConf(dir);
    Process run = new ProcessBuilder(SPARK.toString(), "run", "--conf", conf.toString(), "--",
        "sh", "-c", "trap 'echo got-term; exit 7' TERM; echo ready; while :; do sleep 0.1; done")
        .directory(dir.toFile()).redirectErrorStream(true).start();
    try {
      Lines output = Lines.follow(run);
      output.await("ready", 120);
      sigterm(run); // to bin/spark (java: the script execs it), which forwards it to sh
      assertTrue(run.waitFor(30, TimeUnit.SECONDS), "the command stopped, and spark run with it");
      output.await("not recorded as an error", 10);
      assertEquals(7, run.exitValue(), output.toString());
      assertTrue(output.toString().contains("got-term\n"), "the command got the SIGTERM:\n" + output);
      assertTrue(output.toString().contains("spark run: sh exited with code 7 after SIGTERM was forwarded to it; not recorded as an error"),
          output.toString());
      assertFalse(Files.exists(dir.resolve("spark.db")), "a stop the user asked for is not an error event");
    } finally {
      if (run.isAlive()) run.destroyForcibly();
    }
  }

  /** SIGTERM, as kill(1) sends it; Process.destroy() would also close our end of the process's output. */
  private static void sigterm(Process p) throws Exception {
    Process kill = new ProcessBuilder("kill", "-TERM", String.valueOf(p.pid())).inheritIO().start();
    assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -TERM " + p.pid());
  }

  private static Path writeConf(Path dir) throws Exception {
    JsonObject json = new JsonObject(Files.readString(Path.of("conf/spark.json")));
    json.getJsonObject("db").put("path", dir.resolve("spark.db").toString());
    json.getJsonObject("web").put("port", SparkUnderTest.freePort()).put("token", "cli-it-token").put("instances", 1);
    Path conf = dir.resolve("spark.json");
    Files.writeString(conf, json.encodePrettily());
    return conf;
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

  /** A process's merged output, read as it comes, with a way to wait for a line. */
  private static final class Lines {
    private final StringBuilder text = new StringBuilder();
    private final List<Waiter> waiters = new ArrayList<>();
    private boolean ended;

    private record Waiter(String needle, CompletableFuture<Void> seen) {}

    static Lines follow(Process p) {
      Lines lines = new Lines();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) lines.add(line);
        } catch (Exception ignored) {
          // the process went away
        }
        lines.end();
      }, "cli-it-reader");
      reader.setDaemon(true);
      reader.start();
      return lines;
    }

    synchronized void add(String line) {
      text.append(line).append('\n');
      waiters.removeIf(w -> {
        if (!text.toString().contains(w.needle())) return false;
        w.seen().complete(null);
        return true;
      });
    }

    synchronized void end() {
      ended = true;
      for (Waiter w : waiters) w.seen().completeExceptionally(new AssertionError("output ended without \"" + w.needle() + "\":\n" + text));
      waiters.clear();
    }

    void await(String needle, int seconds) throws Exception {
      CompletableFuture<Void> seen = new CompletableFuture<>();
      synchronized (this) {
        if (text.toString().contains(needle)) return;
        if (ended) throw new AssertionError("output ended without \"" + needle + "\":\n" + text);
        waiters.add(new Waiter(needle, seen));
      }
      seen.get(seconds, TimeUnit.SECONDS);
    }

    @Override
    public synchronized String toString() {
      return text.toString();
    }
  }
}
