package dev.spark.mcp;

import dev.spark.bus.Addresses;
import dev.spark.bus.FixOp;
import dev.spark.event.ValidationException;
import dev.spark.query.FixFilters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The MCP tools over the agent's fixes: {@code list_fixes} and {@code get_fix}, the same records
 * {@code GET /api/v1/fixes} and {@code GET /api/v1/fixes/{id}} answer (read through storage).
 */
final class McpFixTools {
  static final List<String> NAMES = List.of("list_fixes", "get_fix");

  private final Vertx vertx;

  McpFixTools(Vertx vertx) {
    this.vertx = vertx;
  }

  static void describe(JsonArray tools) {
    tools.add(McpRoutes.tool("list_fixes", "The coding agent's fixes, newest first: status (verified, failed, unverified, no-change, "
                + "interrupted, applied, discarded), branch, diff, the check's verdict and the agent's summary.",
            new JsonObject().put("status", McpRoutes.prop("string", "Only fixes with this status"))
                .put("issue", McpRoutes.prop("string", "Only the fixes of this issue (its fingerprint, as list_issues gives it)")), List.of()))
        .add(McpRoutes.tool("get_fix", "One fix with its diff and the check's output.",
            new JsonObject().put("id", McpRoutes.prop("integer", "The fix's id (list_fixes)")), List.of("id")));
  }

  Future<JsonObject> call(String name, JsonObject args) {
    FixOp<?> req;
    if (name.equals("list_fixes")) {
      Object status = args.getValue("status");
      Object issue = args.getValue("issue");
      if (FixFilters.invalidStatus(status) != null) throw new ValidationException("status", FixFilters.invalidStatus(status) + " (got " + status + ")");
      if (FixFilters.invalidIssue(issue) != null) throw new ValidationException("issue", FixFilters.invalidIssue(issue));
      req = FixFilters.listRequest((String) status, (String) issue);
    } else {
      if (!(args.getValue("id") instanceof Number id)) throw new ValidationException("id", "id must be a fix's number (got " + args.getValue("id") + ")");
      req = new FixOp.Get(id.longValue());
    }
    return vertx.eventBus().<FixOp.Reply>request(Addresses.STORAGE_FIXES, req).map(m -> m.body().toJson())
        .recover(e -> Future.failedFuture(e instanceof ReplyException r ? r.getMessage() : String.valueOf(e.getMessage())));
  }
}
