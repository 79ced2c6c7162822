package dev.spark.web;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The agent panel's endpoints, as placeholders until the agent runs inside Spark: {@code GET /agent}
 * says whether an agent is attached, {@code POST /agent/messages} (what the user types) answers 501.
 * Both go through the same auth as the rest: the POST, from a browser, needs the session and Origin.
 */
public final class AgentRoutes {
  static final String NOT_YET = "No coding agent runs in this Spark yet: the agent integration will stream its transcript here "
      + "and take your messages. Until then, connect an agent to GET /api/v1/stream.";

  private AgentRoutes() {}

  public static Router router(Vertx vertx, TokenAuth auth) {
    Router router = Router.router(vertx);
    router.get("/agent").handler(auth).handler(ctx -> ApiResponses.json(ctx, 200,
        new JsonObject().put("available", false).put("transcript", new io.vertx.core.json.JsonArray()).put("message", NOT_YET)));
    router.post("/agent/messages").handler(auth).handler(BodyHandler.create(false).setBodyLimit(65_536))
        .handler(ctx -> ApiResponses.error(ctx, 501, "not_implemented", NOT_YET));
    return router;
  }
}
