package dev.spark.cli;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.function.Function;

/** What every {@code spark} sub-command shares: its surroundings and the configuration. */
abstract class SparkCommand implements Callable<Integer> {
  @ParentCommand
  SparkCli parent;

  @Spec
  CommandSpec spec;

  CliContext ctx() {
    return parent.ctx;
  }

  Settings settings() {
    return Settings.load(ctx(), parent.conf);
  }

  /** Runs one maintenance step (online or offline) and prints its report, as JSON or as a table. */
  int maintenance(boolean json, Function<SparkAccess, JsonObject> step,
      Function<JsonObject, String> table) {
    JsonObject report;
    String where;
    try (SparkAccess spark = SparkAccess.open(settings(), false)) {
      where = spark.where();
      report = step.apply(spark);
    }
    print(json ? report.encode() + "\n" : String.format("%-14s%s%n", "Via", where) + table.apply(report));
    return 0;
  }

  /** Prints {@code text} with any control character but newline escaped ({@link Terminal}); JSON has none to escape. */
  void print(String text) {
    PrintStream out = ctx().out();
    out.print(Terminal.text(text));
    out.flush();
  }

  void warn(String line) {
    PrintStream err = ctx().err();
    err.println(spec.qualifiedName(" ") + ": " + Terminal.text(line));
    err.flush();
  }
}
