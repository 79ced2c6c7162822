package dev.spark.mcp;

import dev.spark.event.InputText;
import dev.spark.event.ValidationException;
import dev.spark.query.IssuesApi;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The MCP tools over issues: {@code list_issues}, {@code resolve_issue} and {@code set_issue_status}.
 * Thin: the arguments are checked and handed to {@link IssuesApi}, the code path of
 * {@code GET /api/v1/issues} and {@code POST /api/v1/issues/{fingerprint}/resolve|mute|reopen}.
 * A bad argument is a {@link ValidationException}, thrown or as the failed future.
 */
final class McpIssueTools {
  static final List<String> NAMES = List.of("list_issues", "resolve_issue", "set_issue_status");

  private final McpContext dashboard;

  McpIssueTools(McpContext dashboard) {
    this.dashboard = dashboard;
  }

  static void describe(JsonArray tools) {
    JsonObject fingerprint = McpRoutes.prop("string", "The issue's fingerprint (an event's \"fingerprint\", or list_issues)");
    tools.add(McpRoutes.tool("list_issues", "Issues: events grouped by fingerprint, with counts, first and last seen and status.",
            new JsonObject()
                .put("status", McpRoutes.prop("string", "open, resolved, muted or all (default all)"))
                .put("sort", McpRoutes.prop("string", "count (most occurrences first, the default) or lastSeen (most recent first)"))
                .put("limit", McpRoutes.prop("integer", "Most issues to return (1-1000, default 50)")), List.of()))
        .add(McpRoutes.tool("resolve_issue", "Marks an issue resolved once you have fixed it. If it occurs again it is "
            + "delivered at once as a regression.", new JsonObject().put("fingerprint", fingerprint), List.of("fingerprint")))
        .add(McpRoutes.tool("set_issue_status", "Resolves, mutes (never delivered again, still counted) or reopens an issue.",
            new JsonObject().put("fingerprint", fingerprint)
                .put("action", McpRoutes.prop("string", "resolve, mute or reopen")), List.of("fingerprint", "action")));
  }

  /** The tool's answer; a bad argument fails with (or throws) a {@link ValidationException}. */
  Future<JsonObject> call(String name, JsonObject args) {
    return switch (name) {
      case "list_issues" -> IssuesApi.list(dashboard.reads(), McpRoutes.strings(args, "status", "sort", "limit"));
      case "resolve_issue" -> setStatus(fingerprint(args), "resolve");
      case "set_issue_status" -> {
        String fp = fingerprint(args);
        Object action = args.getValue("action");
        if (!(action instanceof String a) || !IssuesApi.ACTIONS.contains(a)) {
          throw new ValidationException("action", "action must be resolve, mute or reopen (got " + quoted(action) + ")");
        }
        yield setStatus(fp, a);
      }
      default -> throw new IllegalArgumentException(name);
    };
  }

  private Future<JsonObject> setStatus(String fingerprint, String action) {
    if (dashboard.sidecar()) {
      return Future.failedFuture("This is Spark's read-only dashboard sidecar: it never writes. "
          + "Resolve, mute or reopen issues on the Spark that writes the database.");
    }
    return IssuesApi.setStatus(dashboard.vertx(), fingerprint, action).compose(answer -> answer == null
        ? Future.failedFuture("No issue with fingerprint " + fingerprint + " (list_issues shows the fingerprints)")
        : Future.succeededFuture(answer))
        .recover(e -> e instanceof ReplyException r
            ? Future.failedFuture("Could not change the issue: " + r.getMessage()) : Future.failedFuture(e));
  }

  private static String fingerprint(JsonObject args) {
    Object fp = args.getValue("fingerprint");
    if (!(fp instanceof String s) || s.isBlank()) {
      throw new ValidationException("fingerprint", "fingerprint must be a non-empty string (got " + quoted(fp) + ")");
    }
    return s;
  }

  private static String quoted(Object value) {
    return InputText.echo(value);
  }
}
