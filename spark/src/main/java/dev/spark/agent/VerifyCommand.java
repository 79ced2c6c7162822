package dev.spark.agent;

import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code agent.verify.command}, run in a fix's worktree as {@code sh -c <command>} (the command is
 * the user's own configuration; nothing from an event or the model is added to it). Its output goes
 * to a file, so a chatty build never blocks on a full pipe; the last {@link #TAIL_LINES} lines are kept.
 * Blocking: off the event loop.
 */
final class VerifyCommand {
  static final int TAIL_LINES = 100;

  /** One run: the command, its exit code (-1: killed after the timeout, or not started) and its last lines. */
  record Outcome(String command, int exitCode, String tail) {
    boolean passed() {
      return exitCode == 0;
    }

    JsonObject json() {
      return new JsonObject().put("command", command).put("exitCode", exitCode).put("tail", tail);
    }
  }

  private VerifyCommand() {}

  static Outcome run(String command, Path dir, long timeoutMs) {
    Path out = null;
    try {
      out = Files.createTempFile("spark-verify", ".log");
      Process p = new ProcessBuilder(List.of("sh", "-c", command)).directory(dir.toFile())
          .redirectErrorStream(true).redirectOutput(out.toFile()).start();
      p.getOutputStream().close();
      if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        return new Outcome(command, -1, tail(out) + "\n[Spark: killed after " + timeoutMs + " ms (agent.verify.timeoutMs)]");
      }
      return new Outcome(command, p.exitValue(), tail(out));
    } catch (IOException e) {
      return new Outcome(command, -1, "[Spark: could not run the command: " + e.getMessage() + "]");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(command, -1, "[Spark: interrupted]");
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException ignored) {
          // a temporary file: the OS cleans it up
        }
      }
    }
  }

  private static String tail(Path file) throws IOException {
    Deque<String> lines = new ArrayDeque<>();
    try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line; (line = readLine(reader)) != null; ) {
        lines.addLast(line);
        if (lines.size() > TAIL_LINES) lines.removeFirst();
      }
    }
    return String.join("\n", lines);
  }

  private static String readLine(BufferedReader reader) throws IOException {
    try {
      return reader.readLine();
    } catch (MalformedInputException e) {
      return null;
    }
  }
}
