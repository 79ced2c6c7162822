package dev.spark.web;

import dev.spark.agent.AgentBus;
import dev.spark.bus.Addresses;
import dev.spark.bus.FixOp;
import dev.spark.query.FixFilters;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The agent's fixes: {@code GET /fixes[?status=S][&issue=FINGERPRINT]}, {@code GET /fixes/{id}} (read from the
 * {@code fixes} table through storage), {@code POST /fixes/{id}/apply} and {@code POST /fixes/{id}/discard}
 * (done by the agent, which owns the worktrees; 409 with the reason when refused, nothing changed).
 */
public final class FixRoutes {
  private static final DeliveryOptions QUICK = new DeliveryOptions().setSendTimeout(5_000);
  private static final DeliveryOptions GIT = new DeliveryOptions().setSendTimeout(120_000);

  private FixRoutes() {}

  public static Router router(Vertx vertx, TokenAuth auth) {
    Router router = Router.router(vertx);
    router.get("/fixes").handler(auth).handler(ctx -> {
      String status = ctx.request().getParam("status");
      String issue = ctx.request().getParam("issue");
      String invalid = FixFilters.invalidStatus(status);
      if (invalid == null) invalid = FixFilters.invalidIssue(issue);
      if (invalid != null) {
        ApiResponses.error(ctx, 400, "invalid_input", invalid);
        return;
      }
      send(vertx, ctx, Addresses.STORAGE_FIXES, FixFilters.listRequest(status, issue), QUICK);
    });
    router.get("/fixes/:id").handler(auth).handler(ctx -> withId(ctx, id ->
        send(vertx, ctx, Addresses.STORAGE_FIXES, new FixOp.Get(id), QUICK)));
    router.post("/fixes/:id/apply").handler(auth).handler(ctx -> withId(ctx, id ->
        send(vertx, ctx, AgentBus.FIX_APPLY, new JsonObject().put("id", id), GIT)));
    router.post("/fixes/:id/discard").handler(auth).handler(ctx -> withId(ctx, id ->
        send(vertx, ctx, AgentBus.FIX_DISCARD, new JsonObject().put("id", id), GIT)));
    return router;
  }

  private interface IdHandler {
    void handle(long id);
  }

  private static void withId(RoutingContext ctx, IdHandler next) {
    String raw = ctx.pathParam("id");
    long id;
    try {
      id = Long.parseLong(raw);
    } catch (NumberFormatException e) {
      ApiResponses.error(ctx, 400, "invalid_input", "A fix's id is a number, not \"" + raw.replaceAll("[^\\x20-\\x7e]", "?") + "\"");
      return;
    }
    next.handle(id);
  }

  /** Sends {@code body}; answers what comes back (a JSON object, or a {@link FixOp.Reply} as JSON) or the failure as an HTTP error. */
  private static void send(Vertx vertx, RoutingContext ctx, String address, Object body, DeliveryOptions options) {
    vertx.eventBus().request(address, body, options).onComplete(ar -> {
      if (ar.succeeded()) {
        Object reply = ar.result().body();
        ApiResponses.json(ctx, 200, reply instanceof FixOp.Reply r ? r.toJson() : (JsonObject) reply);
      } else if (ar.cause() instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS) {
        ApiResponses.error(ctx, 503, "unavailable", address.equals(Addresses.STORAGE_FIXES)
            ? "Fixes are kept by the Spark process that runs storage; this one does not."
            : "No fix can be applied or discarded here: the agent is not running with branch delivery in this process.");
      } else if (ar.cause() instanceof ReplyException r && r.failureType() == ReplyFailure.RECIPIENT_FAILURE
          && r.failureCode() >= 400 && r.failureCode() < 600) {
        ApiResponses.error(ctx, r.failureCode(), ApiResponses.codeFor(r.failureCode()), r.getMessage());
      } else {
        ApiResponses.error(ctx, 500, "internal_error", String.valueOf(ar.cause().getMessage()));
      }
    });
  }
}
