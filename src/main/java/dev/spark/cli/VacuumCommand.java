package dev.spark.cli;

import io.vertx.core.json.JsonObject;
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
    JsonObject report;
    String where;
    try (SparkAccess spark = SparkAccess.open(settings(), false)) {
      where = spark.where();
      report = spark.vacuum();
    }
    print(json ? report.encode() + "\n" : String.format("%-14s%s%n", "Via", where) + Output.vacuum(report));
    return 0;
  }
}
