package dev.spark.agent;

import dev.spark.client.SparkClient;
import dev.spark.client.SparkSubscription;
import dev.spark.config.AgentConfig;
import dev.spark.config.SparkConfig;
import dev.spark.event.EventBatch;
import dev.spark.query.ReadStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The agent process's life: find the executable, start it, ask {@code get_state} (a Pi without a
 * model is reported, not fed), orient it, and only then subscribe for events; when it dies or cannot
 * work, unsubscribe (events stay pending) and start it again after a delay that doubles up to
 * {@code agent.restartMaxDelayMs}.
 */
final class AgentSupervisor {
  private static final Logger LOG = Logger.getLogger(AgentSupervisor.class.getName());

  private final Vertx vertx;
  private final Context context;
  private final AgentLaunch launch;
  private final AgentConfig agent;
  private final PiRpc rpc;
  private final AgentStatus status;
  private final Transcript transcript;
  private final SparkClient client;
  private final ReadStore reads;
  private final BatchDelivery delivery;
  private final PiEvents events;
  private final FixRunner fixes;
  private final AgentBudget budget;
  /** In-place delivery in a git repository: each run that took batches is recorded as a fix. */
  private final InPlaceFixes inPlace;
  private final long budgetTimer;
  /** Why the agent takes no events now (over budget), or null. */
  private String overBudget;
  private boolean gateChecking;
  private final Clock clock;
  /** How often the budget is looked at again (a limit resets by the clock, not by an event). */
  static final long BUDGET_CHECK_MS = 500;

  private boolean stopping;
  private long restartTimer = -1;
  private long restartDelay;
  private SparkSubscription subscription;
  private boolean subscribing;
  private Future<SparkSubscription> subscribeFuture;

  AgentSupervisor(Vertx vertx, Context context, AgentLaunch launch, PiRpc rpc, AgentStatus status, Transcript transcript,
      SparkClient client, ReadStore reads, AgentBudget budget, Clock clock) {
    this.clock = clock;
    this.vertx = vertx;
    this.context = context;
    this.launch = launch;
    this.agent = launch.agent();
    this.rpc = rpc;
    this.status = status;
    this.transcript = transcript;
    this.client = client;
    this.reads = reads;
    this.restartDelay = agent.restartDelayMs();
    this.budget = budget;
    this.delivery = new BatchDelivery(vertx, rpc, transcript, this::publishState, this::modelFailure, budget);
    this.events = new PiEvents(rpc, transcript, delivery, this, status, budget::tokens);
    this.fixes = launch.branch() ? new FixRunner(vertx, context, launch, transcript, () -> status.executable, budget::tokens) : null;
    this.budgetTimer = vertx.setPeriodic(BUDGET_CHECK_MS, t -> checkBudget());
    this.inPlace = SparkConfig.IN_PLACE.equals(launch.delivery()) ? InPlaceFixes.of(vertx, launch.cwd(), agent.verify(), transcript) : null;
    if (fixes != null) delivery.routeTo(fixes::offer);
    delivery.gate(agent.gate().minEvents());
  }

  /** Branch delivery's runner, or null in place. */
  FixRunner fixes() {
    return fixes;
  }

  void launch() {
    restartTimer = -1;
    if (stopping) return;
    List<String> searched = new ArrayList<>();
    Path cwd = launch.cwd();
    Optional<Path> exe = AgentCommand.find(agent.command(), cwd, System.getenv(), searched);
    if (exe.isEmpty()) {
      String what = agent.command().isBlank() ? "Pi (" + AgentCommand.PI_PACKAGE + ")" : "agent.command \"" + agent.command() + "\"";
      unavailable("No coding agent is attached: " + what + " was not found (looked in " + String.join(", ", searched) + ").",
          agent.command().isBlank() ? AgentCommand.installHint() + "; Spark looks for it again every "
              + agent.restartMaxDelayMs() / 1000 + " s" : "fix agent.command in the configuration");
      return;
    }
    if (!Files.isDirectory(cwd)) {
      unavailable("No coding agent is attached: agent.cwd " + cwd + " is not a directory.", "set agent.cwd to the project's directory");
      return;
    }
    Path executable = exe.get();
    status.executable = executable;
    List<String> command = new ArrayList<>();
    command.add(executable.toString());
    String tools = String.join(",", launch.tools());
    command.addAll(List.of("--mode", "rpc", "--append-system-prompt", launch.systemPrompt(), "--tools", tools));
    command.addAll(agent.args());
    int gen;
    try {
      gen = rpc.start(context, command, cwd, launch.env(), events::onMessage, this::onExit);
    } catch (IOException e) {
      scheduleRestart("stopped", "No coding agent is attached: " + executable + " could not be started: " + e.getMessage() + ".",
          "check agent.command and agent.cwd");
      return;
    }
    long pid = rpc.process().pid();
    status.startedAt = Instant.now().toString();
    status.ready = false;
    status.busy = false;
    status.model = null;
    setState("starting", "Pi is starting (pid " + pid + ", " + executable + ").", null);
    transcript.spark("Started the agent: " + executable.getFileName() + " --mode rpc --tools " + tools
        + " (pid " + pid + ", in " + cwd + ").");
    rpc.command(new JsonObject().put("type", "get_state"), AgentVerticle.COMMAND_TIMEOUT_MS).onComplete(ar -> {
      if (!rpc.current(gen)) return;
      if (ar.failed()) {
        modelFailure("Pi did not answer get_state: " + ar.cause().getMessage());
        return;
      }
      JsonObject m = ar.result().getJsonObject("data", new JsonObject()).getJsonObject("model");
      if (m == null || "unknown".equals(m.getString("provider")) || "unknown".equals(m.getString("id"))) {
        modelFailure("Pi has no model: no provider is configured or logged in.");
        return;
      }
      status.model = new JsonObject().put("provider", m.getString("provider")).put("id", m.getString("id"));
      delivery.loadHeld().onComplete(x -> {
        if (!rpc.current(gen)) return;
        if (agent.orient()) orient(gen);
        else ready(gen);
      });
    });
  }

  private void orient(int gen) {
    Future<JsonObject> counts = reads.counts().recover(e -> Future.succeededFuture(new JsonObject()));
    Future<AgentMessages.GitStatus> git = vertx.executeBlocking(() -> GitProbe.status(launch.cwd()));
    Future.join(counts, git).onComplete(x -> {
      if (!rpc.current(gen)) return;
      long pendingInDb = counts.succeeded() && counts.result().getLong("pendingEvents") != null ? counts.result().getLong("pendingEvents") : -1;
      SparkConfig.Profile profile = launch.cfg().profile();
      String text = AgentMessages.orientation(launch.cfg().environment(), profile.behavior(), profile.tools(),
          git.succeeded() ? git.result() : null, pendingInDb < 0 ? -1 : pendingInDb + delivery.pendingEvents(),
          delivery.interrupted(), status.restarts);
      transcript.add("user", new JsonObject().put("text", text).put("source", "spark"));
      rpc.command(PiRpc.prompt(text), AgentVerticle.COMMAND_TIMEOUT_MS).onComplete(ar -> {
        if (!rpc.current(gen)) return;
        if (ar.failed()) modelFailure("Pi refused the orientation prompt: " + ar.cause().getMessage());
        else {
          delivery.interruptionReported();
          ready(gen);
        }
      });
    });
  }

  private void ready(int gen) {
    if (!rpc.current(gen) || !rpc.running()) return;
    status.ready = true;
    setState(status.busy ? "busy" : "idle", status.busy ? "Pi is working." : "Pi is ready and waiting for events.", null);
    delivery.sendUnsent();
    subscribe();
  }

  /**
   * Over budget: stop taking events (they stay pending in the database) and say why; back within
   * budget: send what waits here and take events again.
   */
  private void checkBudget() {
    checkGate();
    String why = budget.blocked();
    if (why != null && !why.equals(overBudget)) {
      boolean first = overBudget == null;
      overBudget = why;
      if (first) {
        transcript.spark(why);
        LOG.info("Agent: " + why);
      }
      unsubscribe();
      publishState();
    } else if (why == null && overBudget != null) {
      overBudget = null;
      transcript.spark("Within budget again: taking events.");
      if (status.ready && rpc.running()) {
        delivery.sendUnsent();
        subscribe();
      }
      publishState();
    }
  }

  /** Batches waiting for {@code agent.gate}: sent once their issue has had enough occurrences within the window. */
  private void checkGate() {
    int min = agent.gate().minEvents();
    if (min <= 1 || gateChecking || delivery.isEmpty()) return;
    gateChecking = true;
    Instant since = clock.instant().minus(Duration.ofMinutes(agent.gate().windowMinutes()));
    delivery.checkGate(fp -> reads.eventsOfIssue(fp, min).map(events ->
            events.stream().filter(e -> !Instant.parse(e.row().timestamp()).isBefore(since)).count() >= min))
        .onComplete(ar -> {
          gateChecking = false;
          if (status.ready && rpc.running() && budget.blocked() == null) delivery.sendUnsent();
          publishState();
        });
  }

  private void subscribe() {
    if (subscription != null || subscribing || stopping || budget.blocked() != null) return;
    subscribing = true;
    subscribeFuture = client.subscribe(AgentVerticle.SUBSCRIBER_ID, true, this::onBatch);
    subscribeFuture.onComplete(ar -> {
      subscribing = false;
      if (ar.failed()) {
        LOG.warning("The agent could not subscribe to Spark's events: " + ar.cause().getMessage());
        if (status.ready && !stopping) vertx.setTimer(agent.restartDelayMs(), t -> subscribe());
        return;
      }
      subscription = ar.result();
      if (stopping) return;  // stop() closes it
      // The process died while we were subscribing: stop taking events again.
      if (!status.ready) unsubscribe();
      else publishState();
    });
  }

  private void onBatch(EventBatch batch) {
    delivery.offer(batch, status.ready && rpc.running());
    checkBudget();
  }

  private Future<Void> unsubscribe() {
    SparkSubscription s = subscription;
    subscription = null;
    return s == null ? Future.succeededFuture() : s.close().recover(e -> Future.succeededFuture());
  }

  private void onExit(int gen, int code) {
    if (!rpc.current(gen)) return;
    RpcProcess p = rpc.detach();  // what is still pending for the dead process is answered by afterProcessGone, not by its callbacks
    String tail = p == null ? "" : lastLine(p.stderrTail());
    afterProcessGone();
    if (stopping) return;
    status.restarts++;
    scheduleRestart("restarting", "Pi exited with code " + code + (tail.isEmpty() ? "" : " (" + tail + ")") + ".", null);
  }

  /** Pi runs but cannot work (no model, no key, a refused prompt): say so, stop it, try again later. */
  void modelFailure(String why) {
    RpcProcess p = rpc.detach();
    if (p != null) p.stop(2_000);
    afterProcessGone();
    scheduleRestart("stopped", "No working model: " + why,
        "configure a model for Pi (an API key or a login for a provider, or a models.json in PI_CODING_AGENT_DIR, by default ~/.pi/agent), "
            + "and choose it with --provider/--model in agent.args; Spark tries again");
  }

  private void afterProcessGone() {
    status.ready = false;
    status.busy = false;
    events.processGone();
    rpc.failAll("the agent process exited");
    transcript.lostUntaken();
    unsubscribe();
    delivery.processGone();
  }

  private void scheduleRestart(String newState, String why, String howToFix) {
    if (stopping) return;
    long delay = restartDelay;
    restartDelay = Math.min(restartDelay * 2, agent.restartMaxDelayMs());
    setState(newState, why + " Restarting in " + delay + " ms.", howToFix);
    transcript.spark(why + " Restarting in " + delay + " ms" + (delivery.isEmpty() ? "." : "; " + delivery.size()
        + " batch(es) not yet delivered will be sent again."));
    LOG.warning("Agent: " + why + " Restarting in " + delay + " ms.");
    restartTimer = vertx.setTimer(delay, t -> launch());
  }

  private void unavailable(String why, String howToFix) {
    setState("unavailable", why, howToFix);
    transcript.spark(why + " To fix: " + howToFix + ".");
    LOG.warning(why + " To fix: " + howToFix + ".");
    restartTimer = vertx.setTimer(agent.restartMaxDelayMs(), t -> launch());
  }

  /** Pi finished a run: it works, so the next restart waits the shortest delay again; an in-place run is recorded. */
  void runEnded(BatchDelivery.Run run, String answer) {
    restartDelay = agent.restartDelayMs();
    if (inPlace != null) inPlace.runEnded(run.eventIds(), run.fingerprint(), answer);
  }

  /** Stops the process and closes the subscription (one still being made is closed once it exists, before the poller goes away). */
  Future<Void> stop() {
    stopping = true;
    vertx.cancelTimer(budgetTimer);
    if (restartTimer >= 0) vertx.cancelTimer(restartTimer);
    Future<Void> unsubscribed = subscribing ? subscribeFuture.transform(ar -> unsubscribe()) : unsubscribe();
    RpcProcess p = rpc.detach();
    rpc.failAll("Spark is stopping");
    Future<Void> exited = Future.succeededFuture();
    if (p != null) {
      p.stop(2_000);
      exited = Future.fromCompletionStage(p.onExit(), context).<Void>mapEmpty()
          .timeout(5, TimeUnit.SECONDS).recover(e -> Future.succeededFuture());
    }
    return Future.join(unsubscribed, exited).mapEmpty();
  }

  void setState(String newState, String why, String howToFix) {
    status.set(newState, why, howToFix);
    publishState();
  }

  void publishState() {
    transcript.state(stateJson());
  }

  JsonObject stateJson() {
    return status.json(rpc.process(), subscription != null, delivery.json()).put("budget", budget.json());
  }

  private static String lastLine(String text) {
    if (text == null || text.isBlank()) return "";
    String[] lines = text.split("\n");
    return RpcProcess.abbreviate(lines[lines.length - 1]);
  }
}
