package dev.spark.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "cleanup",
    header = "Run the janitor's cleanup now and print its report.",
    description = {
        "Runs the janitor now, as it runs every db.cleanup.intervalMs: deletes consumed events and access "
            + "logs older than db.cleanup.maxAgeDays, then the oldest while over db.cleanup.maxSizeMB, then "
            + "gives free pages back. Pending events are never deleted. Prints the janitor's report.",
        "With Spark running this is POST /api/v1/admin/cleanup; otherwise the CLI runs Spark's own storage "
            + "and janitor verticles on the file.",
        ""})
final class CleanupCommand extends SparkCommand {
  @Option(names = "--json", description = "Print the janitor's report as JSON.")
  boolean json;

  @Override
  public Integer call() {
    return maintenance(json, SparkAccess::cleanup, Output::cleanup);
  }
}
