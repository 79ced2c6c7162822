package dev.spark.cli;

import dev.spark.query.QueryApi;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

@Command(name = "events",
    header = "List recent error events (GET /api/v1/events).",
    description = {
        "Recent error events, newest first, consumed or not: what GET /api/v1/events answers. "
            + "Reading events never consumes them.",
        "",
        "  spark events --pending            events no agent has received yet",
        "  spark events --type process-error --recent 5",
        "  spark events --since 1h --json",
        ""})
final class EventsCommand extends SparkCommand {
  @Option(names = "--recent", paramLabel = "N", defaultValue = "20", description = "How many, newest first (1 to 10000; default ${DEFAULT-VALUE}).")
  int recent;

  @Option(names = "--pending", description = "Only events not yet consumed by an agent.")
  boolean pending;

  @Option(names = "--type", paramLabel = "T", description = "Only this type: server-error, unhandled-error, rate-limit or process-error.")
  String type;

  @Option(names = "--since", paramLabel = "TIME", description = "Only events at or after TIME: ISO-8601 (2026-11-24T10:00:00Z) or an age (30m, 2h, 7d).")
  String since;

  @Option(names = "--json", description = "Print the JSON the HTTP API returns, {\"count\": n, \"events\": [...]}.")
  boolean json;

  @Override
  public Integer call() {
    Limits.check("--recent", recent);
    Map<String, String> params = new LinkedHashMap<>();
    params.put("limit", String.valueOf(recent));
    if (pending) params.put("consumed", "false");
    if (type != null) params.put("type", type);
    if (since != null) params.put("since", Times.resolve(since, Instant.now()));
    JsonObject answer;
    try (SparkAccess spark = SparkAccess.open(settings(), false)) {
      answer = spark.events(params);
    }
    print(json ? answer.encode() + "\n" : Output.events(answer));
    return 0;
  }

  /** The API's limit range, checked here so the message names the CLI's option. */
  static final class Limits {
    private Limits() {}

    static void check(String option, int value) {
      if (value < 1 || value > QueryApi.MAX_LIMIT) {
        throw new CliException(CliException.USAGE, option + " must be from 1 to " + QueryApi.MAX_LIMIT + " (got " + value + ")");
      }
    }
  }
}
