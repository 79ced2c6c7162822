package dev.spark.cli;

import dev.spark.query.IssuesApi;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "issues",
    header = "List issues (events grouped by fingerprint); show, resolve, mute or reopen one.",
    description = {
        "Errors grouped into issues by fingerprint (GET /api/v1/issues): how often each happened, when it was "
            + "first and last seen, whether it is open, resolved or muted and when an agent was last told. "
            + "Without a subcommand, lists them.",
        "",
        "  spark issues                         open, resolved and muted, most occurrences first",
        "  spark issues --status open --sort last-seen",
        "  spark issues show <fingerprint>      one issue and its newest events",
        "  spark issues resolve <fingerprint>   fixed: the next occurrence is delivered at once as a regression",
        "  spark issues mute <fingerprint>      never deliver it to an agent again (still stored and counted)",
        "  spark issues reopen <fingerprint>",
        "",
        "Resolve, mute and reopen go through a running Spark, or with Spark stopped through Spark's own storage "
            + "verticle on the file; listing with Spark stopped reads the file read-only.",
        ""},
    subcommands = {IssuesCommand.Show.class, IssuesCommand.Resolve.class, IssuesCommand.Mute.class, IssuesCommand.Reopen.class})
final class IssuesCommand extends SparkCommand {
  @Option(names = "--status", paramLabel = "S", description = "Only open, resolved or muted issues (default: all).")
  String status;

  @Option(names = "--sort", paramLabel = "BY", defaultValue = "count",
      description = "count (most occurrences first, the default) or last-seen (most recent first).")
  String sort;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "How many (1 to 1000; default ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--json", description = "Print the JSON the HTTP API returns, {\"count\": n, \"issues\": [...]}.")
  boolean json;

  @Override
  public Integer call() {
    if (limit < 1 || limit > IssuesApi.MAX_LIMIT) {
      throw new CliException(CliException.USAGE, "--limit must be from 1 to " + IssuesApi.MAX_LIMIT + " (got " + limit + ")");
    }
    Map<String, String> params = new LinkedHashMap<>();
    if (status != null) params.put("status", status.toLowerCase(Locale.ROOT));
    params.put("sort", sort);
    params.put("limit", String.valueOf(limit));
    JsonObject answer;
    try (SparkAccess spark = SparkAccess.open(settings(), false)) {
      answer = spark.issues(params);
    }
    print(json ? answer.encode() + "\n" : Output.issues(answer, sort));
    return 0;
  }

  /** What the subcommands share: the fingerprint argument, --json, and the parent's configuration. */
  abstract static class One implements Callable<Integer> {
    @ParentCommand
    IssuesCommand issues;

    @Parameters(index = "0", paramLabel = "FINGERPRINT", description = "The issue's fingerprint (from 'spark issues').")
    String fingerprint;

    @Option(names = "--json", description = "Print the JSON the HTTP API returns.")
    boolean json;

    void print(String text) {
      issues.print(text);
    }
  }

  @Command(name = "show", header = "One issue with its newest events (GET /api/v1/issues/{fingerprint}).")
  static final class Show extends One {
    @Option(names = "--events", paramLabel = "N", defaultValue = "10", description = "How many of its newest events (0 to 1000; default ${DEFAULT-VALUE}).")
    int events;

    @Override
    public Integer call() {
      if (events < 0 || events > IssuesApi.MAX_LIMIT) {
        throw new CliException(CliException.USAGE, "--events must be from 0 to " + IssuesApi.MAX_LIMIT + " (got " + events + ")");
      }
      JsonObject answer;
      try (SparkAccess spark = SparkAccess.open(issues.settings(), false)) {
        answer = spark.issue(fingerprint, Map.of("events", String.valueOf(events)));
      }
      print(json ? answer.encode() + "\n" : Output.issue(answer));
      return 0;
    }
  }

  /** resolve, mute and reopen: the same call with another action. */
  abstract static class Change extends One {
    abstract String action();

    @Override
    public Integer call() {
      JsonObject answer;
      String where;
      try (SparkAccess spark = SparkAccess.open(issues.settings(), false)) {
        where = spark.where();
        answer = spark.issueStatus(fingerprint, action());
      }
      if (json) {
        print(answer.encode() + "\n");
      } else {
        JsonObject issue = answer.getJsonObject("issue", new JsonObject());
        print("Issue " + fingerprint + " is now " + issue.getString("status") + " (via " + where + ")\n");
      }
      return 0;
    }
  }

  @Command(name = "resolve", header = "Mark an issue fixed: its next occurrence is delivered at once, as a regression.")
  static final class Resolve extends Change {
    String action() {
      return "resolve";
    }
  }

  @Command(name = "mute", header = "Never deliver an issue to an agent again (its events are still stored and counted).")
  static final class Mute extends Change {
    String action() {
      return "mute";
    }
  }

  @Command(name = "reopen", header = "Open a resolved or muted issue again.")
  static final class Reopen extends Change {
    String action() {
      return "reopen";
    }
  }
}
