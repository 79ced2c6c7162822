package dev.spark.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "vacuum",
    header = "Checkpoint and fully VACUUM the database; print sizes before and after.",
    description = {
        "Checkpoints the WAL and rebuilds the database with a full VACUUM, then prints its size (database "
            + "and WAL) before and after. Writes wait while it runs.",
        "With Spark running this is POST /api/v1/admin/vacuum; otherwise the CLI runs Spark's own storage "
            + "and janitor verticles on the file.",
        ""})
final class VacuumCommand extends SparkCommand {
  @Option(names = "--json", description = "Print the result as JSON.")
  boolean json;

  @Override
  public Integer call() {
    return maintenance(json, SparkAccess::vacuum, Output::vacuum);
  }
}
