package dev.spark.cli;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "alerts",
    header = "Alert deliveries, and a test alert to one target.",
    description = {
        "Alerts (new issues, regressions, frequent issues) go to the targets in alerts.targets as their rules in "
            + "alerts.rules say. Both commands need a running Spark.",
        "",
        "  spark alerts deliveries [--limit N]   the newest deliveries: status, attempts, last error",
        "  spark alerts test NAME                send a test alert to target NAME now",
        ""},
    subcommands = {AlertsCommand.Deliveries.class, AlertsCommand.Test.class})
final class AlertsCommand extends SparkCommand {
  @Override
  public Integer call() {
    spec.commandLine().usage(ctx().out());
    return 0;
  }

  HttpAccess running() {
    Settings settings = settings();
    HttpAccess http = HttpAccess.probe(settings);
    if (http == null) {
      throw new CliException((settings.cfg.web().enabled() ? "No Spark is running at " + settings.baseUrl()
          : "Spark's HTTP server is off (web.enabled is false)") + "; alerts are sent by a running Spark (bin/spark start)");
    }
    return http;
  }

  @Command(name = "deliveries", header = "The newest alert deliveries (GET /api/v1/alerts/deliveries).")
  static final class Deliveries implements Callable<Integer> {
    @ParentCommand
    AlertsCommand alerts;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "How many (1 to 1000; default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "Print the JSON the HTTP API returns, {\"deliveries\": [...]}.")
    boolean json;

    @Override
    public Integer call() {
      if (limit < 1 || limit > 1_000) throw new CliException(CliException.USAGE, "--limit must be from 1 to 1000 (got " + limit + ")");
      JsonObject answer = alerts.running().alertDeliveries(limit);
      if (json) {
        alerts.print(answer.encode() + "\n");
        return 0;
      }
      List<List<String>> rows = new ArrayList<>();
      for (Object o : answer.getJsonArray("deliveries")) {
        JsonObject d = (JsonObject) o;
        rows.add(List.of(plain(d.getString("createdAt")), plain(d.getString("status")), String.valueOf(d.getInteger("attempts")),
            plain(d.getString("kind")), plain(d.getString("target")), Output.clip(plain(d.getString("title")), 50),
            Output.clip(plain(d.getString("lastError")), 60)));
      }
      alerts.print(rows.isEmpty() ? "No alert deliveries yet.\n"
          : Output.table(List.of("CREATED", "STATUS", "TRIES", "KIND", "TARGET", "TITLE", "LAST ERROR"), rows));
      return 0;
    }
  }

  @Command(name = "test", header = "Send a test alert to one target now (POST /api/v1/alerts/targets/{name}/test).")
  static final class Test implements Callable<Integer> {
    @ParentCommand
    AlertsCommand alerts;

    @Parameters(index = "0", paramLabel = "NAME", description = "A target's name in alerts.targets.")
    String name;

    @Option(names = "--json", description = "Print the JSON the HTTP API returns.")
    boolean json;

    @Override
    public Integer call() {
      JsonObject answer = alerts.running().alertTest(name);
      boolean delivered = answer.getBoolean("delivered", false);
      alerts.print(json ? answer.encode() + "\n" : delivered
          ? "Test alert delivered to " + plain(name) + " (delivery " + plain(answer.getString("delivery")) + ")\n"
          : "");
      if (!delivered) throw new CliException("Test alert to " + plain(name) + " failed: " + plain(answer.getString("error")));
      return 0;
    }
  }

  /** Text from the server for a terminal, escaped as everywhere in the CLI ({@link Terminal}); "-" for none. */
  static String plain(String s) {
    return s == null ? "-" : Terminal.cell(s);
  }
}
