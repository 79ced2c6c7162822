package dev.spark.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.concurrent.Callable;

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

  void print(String text) {
    PrintStream out = ctx().out();
    out.print(text);
    out.flush();
  }

  void warn(String line) {
    PrintStream err = ctx().err();
    err.println(spec.qualifiedName(" ") + ": " + line);
    err.flush();
  }
}
