package dev.spark.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * git run as a process with an argument list (never through a shell, so nothing from an event or
 * the model can become a command), with its identity for Spark's commits. Blocking: off the event loop.
 */
final class Git {
  /** Spark's commits: the author and committer, whatever the user's git configuration says. */
  static final List<String> IDENTITY = List.of("-c", "user.name=Spark", "-c", "user.email=spark@localhost", "-c", "commit.gpgsign=false");

  /** The exit code and the output (stdout then stderr) of one git command. */
  record Result(int exit, String out, String err) {
    boolean ok() {
      return exit == 0;
    }
  }

  /** Every git process Spark has run, and their wall time: a fix's line tells its share (where Spark's time goes). */
  private static final LongAdder RUNS = new LongAdder();
  private static final LongAdder NANOS = new LongAdder();

  private Git() {}

  static long runs() {
    return RUNS.sum();
  }

  static long nanos() {
    return NANOS.sum();
  }

  static Result run(Path dir, String... args) {
    return run(dir, Map.of(), args);
  }

  /** With {@code env} added to git's environment (e.g. {@code GIT_INDEX_FILE}). */
  static Result run(Path dir, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>();
    command.add("git");
    command.addAll(IDENTITY);
    command.addAll(List.of(args));
    long t0 = System.nanoTime();
    RUNS.increment();
    try {
      Path err = Files.createTempFile("spark-git", ".err");
      try {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return new Result(-1, "", "git " + args[0] + " did not finish within 60 s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), Files.readString(err));
      } finally {
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      return new Result(-1, "", "git could not be run: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "", "interrupted");
    } finally {
      NANOS.add(System.nanoTime() - t0);
    }
  }

  /** Like {@link #run}, but a failure is an exception naming the command and git's message. */
  static String check(Path dir, String... args) {
    Result r = run(dir, args);
    if (!r.ok()) throw new GitException("git " + String.join(" ", args) + " failed: " + (r.err().isBlank() ? r.out() : r.err()).strip());
    return r.out();
  }

  /** The top of the git work tree {@code dir} is in, or null when it is in none (or git is missing). */
  static Path topLevel(Path dir) {
    Result r = run(dir, "rev-parse", "--show-toplevel");
    return r.ok() ? Path.of(r.out().strip()) : null;
  }

  /** Whether {@code dir} or one of its parents holds a {@code .git} (a quick check that runs nothing). */
  static boolean looksLikeRepository(Path dir) {
    return workTreeRoot(dir) != null;
  }

  /** The nearest of {@code dir} and its parents that holds a {@code .git}, or null (runs nothing). */
  static Path workTreeRoot(Path dir) {
    for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p.resolve(".git"))) return p;
    }
    return null;
  }

  static final class GitException extends RuntimeException {
    GitException(String message) {
      super(message);
    }
  }
}
