package dev.spark.support;

import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Spark as a real process: the fat jar ({@code java -jar target/spark.jar -conf <file>}) on a
 * configuration of the test's own. Its output is collected line by line, so a test can wait for a
 * given line instead of sleeping; it is stopped by its pid, with SIGTERM ({@link #terminate}) or
 * SIGKILL ({@link #kill9}), never by name.
 */
public final class SparkProcess implements AutoCloseable {
  public static final Path JAR = Path.of("target/spark.jar").toAbsolutePath();

  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final Thread reader;

  private record Waiter(Predicate<String> match, CompletableFuture<String> found) {}

  private SparkProcess(Process process) {
    this.process = process;
    this.reader = new Thread(this::read, "spark-process-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Writes {@code conf/spark.json} merged with {@code overrides} to {@code file}: a configuration
   * every process of a test can share (same database, same port).
   */
  public static Path writeConf(Path file, JsonObject overrides) throws IOException {
    JsonObject json = SparkUnderTest.merge(new JsonObject(Files.readString(Path.of("conf/spark.json"))), overrides);
    Files.writeString(file, json.encodePrettily());
    return file;
  }

  /** Starts the fat jar in {@code workDir} with {@code conf} and waits (up to 120 s) for "Spark started". */
  public static SparkProcess startJar(Path workDir, Path conf, String... jvmArgs) throws Exception {
    if (!Files.exists(JAR)) throw new AssertionError("mvn package builds " + JAR);
    List<String> command = new ArrayList<>(List.of("java"));
    command.addAll(List.of(jvmArgs));
    command.addAll(List.of("-jar", JAR.toString(), "-conf", conf.toAbsolutePath().toString()));
    SparkProcess p = new SparkProcess(new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start());
    try {
      p.awaitLine(l -> l.contains("Spark started"), 120);
    } catch (Throwable e) {
      p.close();
      throw e;
    }
    return p;
  }

  private void read() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        synchronized (this) {
          lines.add(line);
          String l = line;
          waiters.removeIf(w -> w.match().test(l) && w.found().complete(l));
        }
      }
    } catch (IOException ignored) {
      // the process is gone
    }
    synchronized (this) {
      for (Waiter w : waiters) w.found().completeExceptionally(new AssertionError("Spark's output ended first:\n" + output()));
      waiters.clear();
    }
  }

  /** Waits for a line of output (already printed or still to come) that matches. */
  public String awaitLine(Predicate<String> match, long timeoutSeconds) throws Exception {
    CompletableFuture<String> found = new CompletableFuture<>();
    synchronized (this) {
      for (String l : lines) {
        if (match.test(l)) return l;
      }
      if (!reader.isAlive()) throw new AssertionError("Spark's output ended first:\n" + output());
      waiters.add(new Waiter(match, found));
    }
    try {
      return found.get(timeoutSeconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("No matching line within " + timeoutSeconds + " s; output so far:\n" + output());
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public synchronized String output() {
    return String.join("\n", lines);
  }

  public synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  /** {@code kill -KILL <pid>}: no shutdown hook, no commit, no checkpoint. Returns the exit code (137). */
  public int kill9() throws Exception {
    Process kill = new ProcessBuilder("kill", "-KILL", Long.toString(pid())).redirectErrorStream(true).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new AssertionError("kill -KILL " + pid() + " failed: " + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
    return awaitExit();
  }

  /** SIGTERM by pid: a graceful stop. Returns the exit code. */
  public int terminate() throws Exception {
    process.destroy();
    return awaitExit();
  }

  private int awaitExit() throws Exception {
    if (!process.waitFor(60, TimeUnit.SECONDS)) throw new AssertionError("Spark (pid " + pid() + ") did not exit");
    reader.join(10_000);
    return process.exitValue();
  }

  /** Makes sure the process is gone (SIGKILL by pid when it still runs). */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
