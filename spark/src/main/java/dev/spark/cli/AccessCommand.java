package dev.spark.cli;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

@Command(name = "access",
    header = "List HTTP access logs (GET /api/v1/access).",
    description = {
        "HTTP access logs, newest first: what GET /api/v1/access answers.",
        "",
        "  spark access --status 500 --limit 20    the seed's queryAccess({status: 500, limit: 20})",
        "  spark access --status 5xx --feature create-user",
        "  spark access --path '/api/*' --method POST --since 1h --json",
        ""})
final class AccessCommand extends SparkCommand {
  @Option(names = "--status", paramLabel = "S", description = "An HTTP status (500) or a class (5xx).")
  String status;

  @Option(names = "--feature", paramLabel = "F", description = "Only this feature.")
  String feature;

  @Option(names = "--path", paramLabel = "P", description = "This path exactly, or a prefix ending in * (quote it: '/api/*').")
  String path;

  @Option(names = "--method", paramLabel = "M", description = "Only this HTTP method.")
  String method;

  @Option(names = "--since", paramLabel = "TIME", description = "At or after TIME: ISO-8601 or an age (30m, 2h, 7d).")
  String since;

  @Option(names = "--until", paramLabel = "TIME", description = "Before TIME: ISO-8601 or an age.")
  String until;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "How many, newest first (1 to 10000; default ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--json", description = "Print the JSON the HTTP API returns, {\"count\": n, \"access\": [...]}.")
  boolean json;

  @Override
  public Integer call() {
    EventsCommand.Limits.check("--limit", limit);
    Instant now = Instant.now();
    Map<String, String> params = new LinkedHashMap<>();
    params.put("limit", String.valueOf(limit));
    if (status != null) params.put("status", status);
    if (feature != null) params.put("feature", feature);
    if (path != null) params.put("path", path);
    if (method != null) params.put("method", method);
    if (since != null) params.put("since", Times.resolve(since, now));
    if (until != null) params.put("until", Times.resolve(until, now));
    JsonObject answer;
    try (SparkAccess spark = SparkAccess.open(settings(), false)) {
      answer = spark.access(params);
    }
    print(json ? answer.encode() + "\n" : Output.access(answer));
    return 0;
  }
}
