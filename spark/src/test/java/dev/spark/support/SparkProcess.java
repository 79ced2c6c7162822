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
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * Spark as a real process, for every test that starts one: the fat jar ({@code java -jar
 * target/spark.jar -conf <file>}, {@link #startJar}), or any other way users start it ({@code bin/vertx
 * run}, {@code bin/spark start}: {@link #start}), on a configuration of the test's own. Its output
 * (stdout and stderr merged) is collected line by line, so a test can wait for a given line instead
 * of sleeping; it is stopped by its pid, with SIGTERM ({@link #terminate}, {@link #sigterm}) or SIGKILL
 * ({@link #kill9}), never by name. Signals go through kill(1): {@code Process.destroy()} would also
 * close our end of the process's output, and what it prints while stopping would be lost.
 */
public final class SparkProcess implements AutoCloseable {
  public static final Path JAR = Repo.path("spark/target/spark.jar");

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
    JsonObject json = SparkUnderTest.merge(new JsonObject(Files.readString(Repo.path("conf/spark.json"))), overrides);
    Files.writeString(file, json.encodePrettily());
    return file;
  }

  /** Starts the fat jar in {@code workDir} with {@code conf} and waits (up to 120 s) for "Spark started". */
  public static SparkProcess startJar(Path workDir, Path conf, String... jvmArgs) throws Exception {
    return start(workDir, jarCommand(conf, jvmArgs), "Spark started");
  }

  /**
   * {@code java <jvmArgs> -jar target/spark.jar -conf <conf>}. The environment variable
   * {@code SPARK_IT_JVM_ARGS} (space-separated) adds options after {@code jvmArgs}, e.g. a JFR
   * recording of the Spark process of an IT: {@code -XX:StartFlightRecording=filename=/tmp/it.jfr,settings=profile}.
   */
  public static List<String> jarCommand(Path conf, String... jvmArgs) {
    if (!Files.exists(JAR)) throw new AssertionError("mvn package builds " + JAR);
    List<String> command = new ArrayList<>(List.of("java"));
    command.addAll(List.of(jvmArgs));
    String extra = System.getenv("SPARK_IT_JVM_ARGS");
    if (extra != null && !extra.isBlank()) command.addAll(List.of(extra.trim().split("\\s+")));
    command.addAll(List.of("-jar", JAR.toString(), "-conf", conf.toAbsolutePath().toString()));
    return command;
  }

  /** Starts {@code command} in {@code workDir} and waits (up to 120 s) for a line containing {@code readyLine}; stops it if none comes. */
  public static SparkProcess start(Path workDir, List<String> command, String readyLine) throws Exception {
    SparkProcess p = launch(workDir, command);
    try {
      p.awaitLine(l -> l.contains(readyLine), 120);
    } catch (Throwable e) {
      p.close();
      throw e;
    }
    return p;
  }

  /** Starts {@code command} in {@code workDir} without waiting for anything (e.g. one that is to fail). */
  public static SparkProcess launch(Path workDir, List<String> command) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
    builder.environment().putIfAbsent("MALLOC_ARENA_MAX", "2"); // as bin/vertx sets it
    return new SparkProcess(builder.start());
  }

  /** The JVM options bin/vertx starts Spark with: conf/jvm.options without comments and blank lines. */
  public static String[] defaultJvmOptions() throws IOException {
    return Files.readAllLines(Repo.path("conf/jvm.options")).stream()
        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toArray(String[]::new);
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

  /** Waits for a line of output (already printed or still to come) that contains {@code text}. */
  public String awaitLine(String text, long timeoutSeconds) throws Exception {
    return awaitLine(l -> l.contains(text), timeoutSeconds);
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
    } catch (TimeoutException e) {
      throw new AssertionError("No matching line within " + timeoutSeconds + " s; output so far:\n" + output());
    }
  }

  /** Writes one line to the process's standard input (for a process that reads commands, e.g. {@link ClusterApp}). */
  public void tell(String line) throws IOException {
    process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().flush();
  }

  public long pid() {
    return process.pid();
  }

  /** The processes Spark started (Pi and the fix agents) and theirs, as they are now: a test ends them after a kill -9. */
  public List<ProcessHandle> descendants() {
    return process.descendants().toList();
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
    signal("KILL");
    return awaitExit(60);
  }

  /** SIGTERM by pid: a graceful stop. Returns the exit code. */
  public int terminate() throws Exception {
    sigterm();
    return awaitExit(60);
  }

  /** Sends SIGTERM by pid and returns at once (the process may forward it, e.g. bin/spark to its command). */
  public void sigterm() throws Exception {
    signal("TERM");
  }

  private void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).redirectErrorStream(true).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new AssertionError("kill -" + name + " " + pid() + " failed: " + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** Waits for the process to exit and its output to be read to the end; returns its exit code. */
  public int awaitExit(long timeoutSeconds) throws Exception {
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) throw new AssertionError("Spark (pid " + pid() + ") did not exit:\n" + output());
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
