package dev.spark.agent;

import dev.spark.bus.EventBusCodecs;
import dev.spark.client.SparkClient;
import dev.spark.query.ReadStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * Runs the coding agent (Pi in RPC mode) and feeds it Spark's events.
 *
 * <p>Start-up: find the executable, start {@code pi --mode rpc --append-system-prompt <who you are>
 * --tools <the profile's tools> <agent.args>}, ask {@code get_state} (a Pi without a model is reported,
 * not fed), send the orientation and status prompt, and only then subscribe as an agent on the event
 * bus ({@link SparkClient#subscribe}): until an agent process is ready, events stay pending in the
 * database.
 *
 * <p>Each batch becomes one {@code prompt} with {@code streamingBehavior: "followUp"} (queued while
 * Pi is busy). A batch is delivered when Pi acknowledges the prompt ({@code response} with
 * {@code success: true}) and has taken it into its conversation (its {@code message_start}): a
 * follow-up that Pi accepted into its queue lives only in that process, so if the process dies
 * before starting it, it is sent again. When the process dies, the subscription is closed (events
 * stay pending), the process is restarted after a delay that doubles up to
 * {@code agent.restartMaxDelayMs}, and every batch not delivered is sent again, oldest first.
 *
 * <p>The jobs: {@link AgentSupervisor} (the process's life and restarts), {@link PiRpc} (commands and
 * their responses), {@link PiEvents} (what Pi says), {@link BatchDelivery} (batches and the outbox),
 * {@link AgentStatus} (the state shown); this verticle wires them and answers the bus ({@link AgentBus}).
 *
 * <p>It subscribes as a held subscriber: storage records each batch it consumes for the agent in
 * {@code agent_outbox}, in the consuming transaction, and the agent releases it once Pi has taken it.
 * Whenever Pi is ready (at start-up and after each restart), the held batches are read back (through
 * the storage writer, so after every release already asked for) and those not already waiting here
 * are sent first: a batch Spark consumed but Pi never took survives a crash of Spark itself.
 */
public final class AgentVerticle extends VerticleBase {
  static final String SUBSCRIBER_ID = "spark-agent";
  static final long COMMAND_TIMEOUT_MS = 60_000;

  private Transcript transcript;
  private ReadStore reads;
  private PiRpc rpc;
  private AgentStatus status;
  private AgentSupervisor supervisor;
  private final Clock clock;
  private long expireTimer = -1;
  private static final Logger LOG = Logger.getLogger(AgentVerticle.class.getName());

  public AgentVerticle() {
    this(Clock.systemUTC());
  }

  /** With the clock the budget is counted by (tests move it by hand). */
  public AgentVerticle(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    AgentLaunch launch = AgentLaunch.from(config());
    EventBusCodecs.register(vertx);
    transcript = new Transcript(launch.agent().transcriptLimit(), change -> vertx.eventBus().publish(AgentBus.TRANSCRIPT, change));
    reads = new ReadStore(vertx, Path.of(launch.cfg().db().path()));
    rpc = new PiRpc(vertx);
    status = new AgentStatus(launch);
    supervisor = new AgentSupervisor(vertx, context, launch, rpc, status, transcript, SparkClient.create(vertx), reads,
        new AgentBudget(clock, launch.agent().budget().runsPerHour(), launch.agent().budget().tokensPerDay()), clock);
    FixRunner fixes = supervisor.fixes();
    FixActions actions = fixes == null ? null : new FixActions(vertx, fixes);
    if (actions != null) {
      vertx.eventBus().<JsonObject>localConsumer(AgentBus.FIX_APPLY, actions::apply);
      vertx.eventBus().<JsonObject>localConsumer(AgentBus.FIX_DISCARD, actions::discard);
    }
    if (launch.deliveryNote() != null) transcript.spark(launch.deliveryNote());
    Future<Void> cleared = fixes == null ? Future.succeededFuture() : fixes.start().recover(e -> {
      transcript.spark("Branch delivery could not start: " + e.getMessage());
      return Future.succeededFuture();
    });
    long maxAgeDays = launch.cfg().db().cleanup().maxAgeDays();
    if (actions != null && maxAgeDays > 0) {
      // Fixes nobody applied or discarded age out like the events they came from.
      Runnable expire = () -> actions.expire(clock.instant(), Duration.ofDays(maxAgeDays))
          .onFailure(e -> LOG.warning("Could not expire old fixes: " + e.getMessage()));
      cleared = cleared.onSuccess(v -> expire.run());
      expireTimer = vertx.setPeriodic(launch.cfg().db().cleanup().intervalMs(), t -> expire.run());
    }
    return Future.all(cleared,
            vertx.eventBus().<JsonObject>localConsumer(AgentBus.STATE, m -> m.reply(snapshot(m.body()))).completion(),
            vertx.eventBus().<JsonObject>localConsumer(AgentBus.PROMPT, this::userPrompt).completion(),
            vertx.eventBus().<JsonObject>localConsumer(AgentBus.ABORT, this::abort).completion())
        .onSuccess(v -> supervisor.launch());
  }

  @Override
  public Future<?> stop() {
    if (expireTimer >= 0) vertx.cancelTimer(expireTimer);
    FixRunner fixes = supervisor.fixes();
    return Future.join(supervisor.stop(), fixes == null ? Future.succeededFuture() : fixes.stop()).eventually(() -> reads.close());
  }

  // ------------------------------------------------------------------ the dashboard's and MCP's requests

  private void userPrompt(Message<JsonObject> msg) {
    String text = msg.body() == null ? null : msg.body().getString("text");
    if (text == null || text.isBlank()) {
      msg.fail(400, "the message needs a non-empty \"text\"");
      return;
    }
    if (!status.ready || !rpc.running()) {
      msg.fail(503, "The agent is not ready: " + status.reason());
      return;
    }
    boolean queued = status.busy;
    transcript.add("user", new JsonObject().put("text", text).put("source", msg.body().getString("source", "dashboard")).put("queued", queued));
    rpc.command(PiRpc.prompt(text), COMMAND_TIMEOUT_MS).onComplete(ar -> {
      if (ar.succeeded()) msg.reply(new JsonObject().put("accepted", true).put("queued", queued));
      else msg.fail(502, "Pi refused the message: " + ar.cause().getMessage());
    });
  }

  private void abort(Message<JsonObject> msg) {
    if (!rpc.running()) {
      msg.fail(503, "The agent is not running: " + status.reason());
      return;
    }
    transcript.spark("Abort requested.");
    rpc.command(new JsonObject().put("type", "abort"), COMMAND_TIMEOUT_MS).onComplete(ar -> {
      if (ar.succeeded()) msg.reply(new JsonObject().put("aborted", true).put("wasBusy", status.busy));
      else msg.fail(502, "Pi refused to abort: " + ar.cause().getMessage());
    });
  }

  private JsonObject snapshot(JsonObject request) {
    JsonObject s = supervisor.stateJson();
    if (request == null || request.getBoolean("transcript", true)) {
      s.put("transcript", transcript.snapshot()).put("version", transcript.version());
    }
    return s;
  }
}
