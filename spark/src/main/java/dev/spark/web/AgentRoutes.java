package dev.spark.web;

import dev.spark.agent.AgentAbsence;
import dev.spark.agent.AgentBus;
import dev.spark.agent.AgentPrompts;
import dev.spark.config.AgentConfig;
import dev.spark.config.ServerUrl;
import dev.spark.config.SparkConfig;
import dev.spark.event.InputText;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's console (the dashboard's agent panel), talking to {@code dev.spark.agent.AgentVerticle}
 * over the event bus:
 * <ul>
 *   <li>{@code GET /agent}: state (running, busy, idle, stopped… and why, how to fix it), batch
 *   counters and the transcript kept so far;</li>
 *   <li>{@code GET /agent/stream}: Server-Sent Events: a {@code snapshot} (the same JSON) then each
 *   {@code change} ({@code add}, {@code append}, {@code update}, {@code state}) numbered after it;</li>
 *   <li>{@code POST /agent/messages} {@code {"text": "..."}}: a prompt (a follow-up while the agent works);</li>
 *   <li>{@code POST /agent/abort}: aborts the current run.</li>
 * </ul>
 * Without an agent in this process (disabled, or a dashboard sidecar) they say so and why.
 */
public final class AgentRoutes {
  private static final DeliveryOptions QUICK = new DeliveryOptions().setSendTimeout(5_000);
  private static final DeliveryOptions PROMPT = new DeliveryOptions().setSendTimeout(65_000);

  private AgentRoutes() {}

  public static Router router(Vertx vertx, TokenAuth auth, Dashboard.Mode mode, SparkConfig cfg) {
    AgentConfig agent = AgentConfig.fromJson(cfg.json());
    long heartbeatMs = cfg.stream().heartbeatMs();
    Router router = Router.router(vertx);
    router.get("/agent").handler(auth).handler(ctx -> state(vertx, mode, agent, true)
        .onSuccess(s -> ApiResponses.json(ctx, 200, s))
        .onFailure(e -> ApiResponses.error(ctx, 500, "internal_error", String.valueOf(e.getMessage()))));
    router.get("/agent/prompt").handler(auth).handler(ctx -> ApiResponses.json(ctx, 200, prompt(cfg)));
    router.get("/agent/stream").handler(auth).handler(ctx -> stream(vertx, ctx, mode, agent, heartbeatMs));
    router.post("/agent/messages").handler(auth).handler(BodyLimit.of(65_536, "the agent message limit"))
        .handler(ctx -> {
          JsonObject body;
          try {
            body = ctx.body().buffer() == null ? null
                : InputText.parseJson(ctx.body().buffer()) instanceof JsonObject o ? o : null;
          } catch (RuntimeException e) {
            body = null;
          }
          String text = body == null ? null : body.getValue("text") instanceof String t ? t : null;
          if (text == null || text.isBlank()) {
            ApiResponses.error(ctx, 400, "invalid_input", "The body must be {\"text\": \"<your message>\"}");
            return;
          }
          forward(vertx, ctx, mode, agent, AgentBus.PROMPT, new JsonObject().put("text", text).put("source", "dashboard"), 202);
        });
    router.post("/agent/abort").handler(auth)
        .handler(ctx -> forward(vertx, ctx, mode, agent, AgentBus.ABORT, new JsonObject(), 200));
    return router;
  }

  /**
   * {@code GET /agent/prompt}: the system-prompt text Spark gives its agent in this environment, for
   * agents run by hand (the Pi extension appends it to each run) and the tools its profile allows.
   */
  static JsonObject prompt(SparkConfig cfg) {
    SparkConfig.Profile profile = cfg.profile();
    String url = ServerUrl.of(cfg.web());
    return new JsonObject().put("environment", cfg.environment()).put("behavior", profile.behavior()).put("tools", profile.tools())
        .put("toolList", new JsonArray(AgentPrompts.tools(profile)))
        .put("systemPrompt", AgentPrompts.systemPrompt(cfg.environment(), profile, url,
            Path.of(cfg.db().path()).toAbsolutePath().toString()));
  }

  /** The agent's state, or why there is none in this process. */
  static Future<JsonObject> state(Vertx vertx, Dashboard.Mode mode, AgentConfig agent, boolean withTranscript) {
    return vertx.eventBus().<JsonObject>request(AgentBus.STATE, new JsonObject().put("transcript", withTranscript), QUICK)
        .map(Message::body)
        .recover(e -> e instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS
            ? Future.succeededFuture(absent(mode, agent))
            : Future.failedFuture(e));
  }

  static JsonObject absent(Dashboard.Mode mode, AgentConfig agent) {
    return AgentAbsence.describe(mode == Dashboard.Mode.SIDECAR, agent);
  }


  private static void forward(Vertx vertx, RoutingContext ctx, Dashboard.Mode mode, AgentConfig agent, String address, JsonObject body,
      int okStatus) {
    vertx.eventBus().<JsonObject>request(address, body, PROMPT).onComplete(ar -> {
      if (ar.succeeded()) {
        ApiResponses.json(ctx, okStatus, ar.result().body());
        return;
      }
      if (ar.cause() instanceof ReplyException r) {
        if (r.failureType() == ReplyFailure.NO_HANDLERS) {
          ApiResponses.error(ctx, 503, "unavailable", absent(mode, agent).getString("message"));
        } else if (r.failureType() == ReplyFailure.RECIPIENT_FAILURE && r.failureCode() >= 400 && r.failureCode() < 600) {
          ApiResponses.error(ctx, r.failureCode(), ApiResponses.codeFor(r.failureCode()), r.getMessage());
        } else {
          ApiResponses.error(ctx, 504, "timeout", "The agent did not answer: " + r.getMessage());
        }
      } else {
        ApiResponses.error(ctx, 500, "internal_error", String.valueOf(ar.cause().getMessage()));
      }
    });
  }

  private static void stream(Vertx vertx, RoutingContext ctx, Dashboard.Mode mode, AgentConfig agent, long heartbeatMs) {
    HttpServerResponse res = ctx.response();
    res.setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Accel-Buffering", "no");
    List<JsonObject> early = new ArrayList<>();
    long[] since = {-1};
    MessageConsumer<JsonObject> changes = vertx.eventBus().localConsumer(AgentBus.TRANSCRIPT, m -> {
      if (since[0] < 0) early.add(m.body());
      else if (m.body().getLong("v", 0L) > since[0]) send(res, "change", m.body());
    });
    long heartbeat = vertx.setPeriodic(heartbeatMs, t -> {
      if (!res.closed() && !res.ended()) res.write(": heartbeat\n\n");
    });
    res.closeHandler(v -> {
      vertx.cancelTimer(heartbeat);
      changes.unregister();
    });
    changes.completion()
        .compose(v -> state(vertx, mode, agent, true))
        .onComplete(ar -> {
          if (res.closed()) return;
          JsonObject snapshot = ar.succeeded() ? ar.result() : absent(mode, agent).put("reason", String.valueOf(ar.cause().getMessage()));
          send(res, "snapshot", snapshot);
          since[0] = snapshot.getLong("version", 0L);
          for (JsonObject change : early) if (change.getLong("v", 0L) > since[0]) send(res, "change", change);
          early.clear();
        });
  }

  private static void send(HttpServerResponse res, String event, JsonObject data) {
    if (res.closed() || res.ended()) return;
    if (res.writeQueueFull()) {
      // A console that cannot keep up is dropped; it reconnects and gets a fresh snapshot.
      res.reset();
      return;
    }
    res.write("event: " + event + "\ndata: " + data.encode() + "\n\n");
  }
}
