package dev.spark.cli;

import dev.spark.config.SparkConfig;
import dev.spark.ingest.sentry.SentryDsn;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status",
    header = "Show the database, its counts, the last event and cleanup (GET /api/v1/status).",
    description = {
        "Whether Spark is running (and its storage queue), the database file and its size (WAL included), "
            + "how many events (and how many pending) and access logs it holds, the newest event and the "
            + "last cleanup: what GET /api/v1/status answers. With Spark stopped the same is read from the "
            + "file, with \"storage\": null. Then the DSN a Sentry SDK reports to this Spark with (not with --json).",
        ""})
final class StatusCommand extends SparkCommand {
  /** The line naming the Sentry DSN (and a caveat about the key, if any). */
  static String sentryDsn(SparkConfig cfg) {
    String dsn = SentryDsn.of(cfg);
    if (dsn == null) return "Sentry DSN: none (web.enabled is false: no HTTP server)\n";
    String caveat = SentryDsn.caveat(cfg);
    return "Sentry DSN: " + dsn + "\n" + (caveat == null ? "" : "  note: " + caveat + "\n");
  }

  @Option(names = "--json", description = "Print the JSON of GET /api/v1/status.")
  boolean json;

  @Override
  public Integer call() {
    JsonObject status;
    try (SparkAccess spark = SparkAccess.open(settings(), false)) {
      status = spark.status();
    }
    print(json ? status.encode() + "\n" : Output.status(status) + sentryDsn(settings().cfg));
    return 0;
  }
}
