package dev.spark.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a CLI run sees of its surroundings: the environment (for {@code SPARK_*} overrides), the
 * working directory relative paths resolve against, and the two output streams. Tests run the CLI
 * in-process with their own; {@link #system()} is the real process's.
 */
public record CliContext(Map<String, String> env, Path cwd, PrintStream out, PrintStream err) {
  public CliContext {
    env = Map.copyOf(env);
    cwd = cwd.toAbsolutePath().normalize();
  }

  public static CliContext system() {
    return new CliContext(System.getenv(), Path.of("").toAbsolutePath(), System.out, System.err);
  }

  Path resolve(String path) {
    return cwd.resolve(path).normalize();
  }

  /** {@code path} relative to the working directory when it is inside it, else absolute: for messages. */
  String show(Path path) {
    Path abs = path.toAbsolutePath().normalize();
    return abs.startsWith(cwd) && !abs.equals(cwd) ? cwd.relativize(abs).toString() : abs.toString();
  }
}
