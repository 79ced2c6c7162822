package dev.spark.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "fixes",
    header = "List the agent's fixes; show, apply or discard one.",
    description = {
        "The fixes the agent made (GET /api/v1/fixes): with branch delivery each on its own spark/fix-... branch, "
            + "with the check's verdict. Needs a running Spark (apply and discard use its git worktrees).",
        "",
        "  spark fixes                    newest first",
        "  spark fixes --status verified  verified, failed, unverified, no-change, interrupted, applied or discarded",
        "  spark fixes --issue FP         the fixes of one issue (its fingerprint, as spark issues lists it)",
        "  spark fixes show <id>          one fix with its diff and the check's output",
        "  spark fixes apply <id>         cherry-pick it onto your current branch (refused, nothing changed, on local changes)",
        "  spark fixes discard <id>       remove its worktree and branch",
        ""},
    subcommands = {FixesCommand.Show.class, FixesCommand.Apply.class, FixesCommand.Discard.class})
final class FixesCommand extends SparkCommand {
  @Option(names = "--status", paramLabel = "S", description = "Only fixes with this status.")
  String status;

  @Option(names = "--issue", paramLabel = "FP", description = "Only the fixes of this issue (its fingerprint).")
  String issue;

  @Option(names = "--json", description = "Print the JSON the HTTP API returns, {\"fixes\": [...]}.")
  boolean json;

  @Override
  public Integer call() {
    Map<String, String> params = new LinkedHashMap<>();
    if (status != null) params.put("status", status);
    if (issue != null) params.put("issue", issue);
    JsonObject answer = http(this).fixes(params);
    if (json) {
      print(answer.encode() + "\n");
      return 0;
    }
    JsonArray fixes = answer.getJsonArray("fixes", new JsonArray());
    if (fixes.isEmpty()) {
      print("No fixes" + (status == null ? "" : " with status " + status) + (issue == null ? "" : " of issue " + text(issue)) + ".\n");
      return 0;
    }
    List<List<String>> rows = new ArrayList<>();
    for (Object o : fixes) {
      JsonObject f = (JsonObject) o;
      rows.add(List.of("#" + f.getLong("id"), f.getString("status"), text(f.getString("branch", "-")),
          text(f.getString("createdAt", "")), Output.clip(text(f.getString("summary", "")), 60)));
    }
    print(Output.table(List.of("ID", "STATUS", "BRANCH", "CREATED", "SUMMARY"), rows));
    return 0;
  }

  private static HttpAccess http(SparkCommand command) {
    HttpAccess http = HttpAccess.probe(command.settings());
    if (http == null) {
      throw new CliException("No Spark is running at " + command.settings().baseUrl() + ": fixes are listed, applied and discarded by a running Spark "
          + "(start it with bin/spark start).");
    }
    return http;
  }

  /** A table cell or a labelled value: every control character escaped ({@link Terminal}); {@code print} escapes the rest. */
  static String text(String s) {
    return s == null ? "" : Terminal.cell(s);
  }

  /** What the subcommands share: the id, --json, and the parent's configuration. */
  abstract static class One implements Callable<Integer> {
    @ParentCommand
    FixesCommand fixes;

    @Parameters(index = "0", paramLabel = "ID", description = "The fix's number (from 'spark fixes').")
    long id;

    @Option(names = "--json", description = "Print the JSON the HTTP API returns.")
    boolean json;

    abstract String action();

    @Override
    public Integer call() {
      JsonObject f = http(fixes).fix(id, action());
      fixes.print(json ? f.encode() + "\n" : action() == null ? show(f) : "Fix #" + id + " is now " + f.getString("status") + ".\n");
      return 0;
    }
  }

  static String show(JsonObject f) {
    StringBuilder out = new StringBuilder();
    out.append("Fix #").append(f.getLong("id")).append(": ").append(f.getString("status")).append('\n');
    out.append("Branch:   ").append(text(f.getString("branch", "-"))).append('\n');
    out.append("Issue:    ").append(text(f.getString("fingerprint", "-"))).append('\n');
    out.append("Events:   ").append(f.getJsonArray("events", new JsonArray()).encode()).append('\n');
    out.append("Created:  ").append(text(f.getString("createdAt", ""))).append('\n');
    JsonObject verify = f.getJsonObject("verify");
    if (verify != null) {
      out.append("Check:    ").append(text(verify.getString("command"))).append(" -> exit ").append(verify.getValue("exitCode")).append('\n');
    }
    out.append("\nSummary:\n").append(f.getString("summary", "")).append('\n');
    if (verify != null && !verify.getString("tail", "").isBlank()) out.append("\nCheck output (last lines):\n").append(verify.getString("tail")).append('\n');
    if (!f.getString("diff", "").isBlank()) out.append("\nDiff:\n").append(f.getString("diff"));
    return out.toString();
  }

  @Command(name = "show", header = "One fix with its diff and the check's output (GET /api/v1/fixes/{id}).")
  static final class Show extends One {
    String action() {
      return null;
    }
  }

  @Command(name = "apply", header = "Cherry-pick a fix onto your current branch; refused (nothing changed) when it would clash with local changes.")
  static final class Apply extends One {
    String action() {
      return "apply";
    }
  }

  @Command(name = "discard", header = "Remove a fix's worktree and branch.")
  static final class Discard extends One {
    String action() {
      return "discard";
    }
  }
}
