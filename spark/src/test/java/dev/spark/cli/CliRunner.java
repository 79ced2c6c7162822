package dev.spark.cli;

import dev.spark.support.SparkUnderTest;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Runs {@code spark …} in this JVM through picocli, with its own working directory, environment and captured output. */
final class CliRunner {
  record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private CliRunner() {}

  static Result run(Path cwd, Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
         PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = SparkCli.execute(new CliContext(env, cwd, o, e), args);
    }
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The environment that points the CLI at this Spark (its file, port and token), as a user would export it. */
  static Map<String, String> envFor(SparkUnderTest spark) {
    return envFor(spark.db, spark.port);
  }

  static Map<String, String> envFor(Path db, int port) {
    Map<String, String> env = new HashMap<>();
    env.put("SPARK_DB_PATH", db.toString());
    env.put("SPARK_WEB_PORT", String.valueOf(port));
    env.put("SPARK_WEB_TOKEN", SparkUnderTest.TOKEN);
    env.put("SPARK_ENV", "test");
    return env;
  }
}
