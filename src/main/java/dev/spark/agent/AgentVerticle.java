package dev.spark.agent;

import dev.spark.bus.Addresses;
import dev.spark.bus.EventBusCodecs;
import dev.spark.client.SparkClient;
import dev.spark.client.SparkSubscription;
import dev.spark.config.AgentConfig;
import dev.spark.config.SparkConfig;
import dev.spark.event.EventBatch;
import dev.spark.event.StoredEvent;
import dev.spark.query.ReadStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
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
 * <p>It subscribes as a held subscriber: storage records each batch it consumes for the agent in
 * {@code agent_outbox}, in the consuming transaction, and the agent releases it once Pi has taken it.
 * Whenever Pi is ready (at start-up and after each restart), the held batches are read back (through
 * the storage writer, so after every release already asked for) and those not already waiting here
 * are sent first: a batch Spark consumed but Pi never took survives a crash of Spark itself.
 */
public final class AgentVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(AgentVerticle.class.getName());
  static final String SUBSCRIBER_ID = "spark-agent";
  static final long COMMAND_TIMEOUT_MS = 60_000;

  private SparkConfig cfg;
  private AgentConfig agent;
  private Path cwd;
  private List<String> tools;
  private String systemPrompt;
  private Map<String, String> env;
  private Transcript transcript;
  private SparkClient client;
  private ReadStore reads;

  private RpcProcess process;
  private int generation;
  private Path executable;
  private String state = "starting";
  private String reason = "";
  private String fix;
  private JsonObject model;
  private boolean ready;
  private boolean busy;
  private boolean stopping;
  private long restartTimer = -1;
  private long restartDelay;
  private int restarts;
  private String startedAt;
  private SparkSubscription subscription;
  private boolean subscribing;
  private Future<SparkSubscription> subscribeFuture;

  private long commandSeq;
  /** Batches not yet delivered to the current process, by their first event id: oldest first. */
  private final TreeMap<Long, PendingBatch> pending = new TreeMap<>();
  private final Map<String, Promise<JsonObject>> requests = new HashMap<>();
  /** Event ids of the batches the current run has taken (for telling a restarted agent what was interrupted). */
  private final List<Long> inRun = new ArrayList<>();
  private List<Long> interrupted = List.of();
  private JsonObject currentAssistant;
  private long deliveredBatches;
  private long deliveredEvents;
  private long resentBatches;

  /** A consumed batch on its way to the agent. */
  private static final class PendingBatch {
    /** The batch's first event id: its key here and in {@code agent_outbox}. */
    final long key;
    final EventBatch batch;
    final String text;
    String commandId;
    boolean acknowledged;
    boolean started;
    int sends;

    PendingBatch(EventBatch batch) {
      this.key = batch.events().get(0).id();
      this.batch = batch;
      this.text = AgentMessages.batch(batch);
    }

    List<Long> ids() {
      List<Long> ids = new ArrayList<>();
      for (StoredEvent e : batch.events()) ids.add(e.id());
      return ids;
    }
  }

  @Override
  public Future<?> start() {
    cfg = SparkConfig.fromJson(config());
    agent = AgentConfig.fromJson(config());
    EventBusCodecs.register(vertx);
    cwd = (agent.cwd().isBlank() ? Path.of("") : Path.of(agent.cwd())).toAbsolutePath().normalize();
    SparkConfig.Profile profile = cfg.profile();
    tools = AgentPrompts.tools(profile);
    String url = cfg.web().enabled() ? "http://" + hostForUrl(cfg.web().host()) + ":" + cfg.web().port() : null;
    String dbPath = Path.of(cfg.db().path()).toAbsolutePath().toString();
    systemPrompt = AgentPrompts.systemPrompt(cfg.environment(), profile, url, dbPath);
    env = new HashMap<>();
    if (url != null) env.put("SPARK_URL", url);
    env.put("SPARK_WEB_TOKEN", cfg.web().token());
    env.put("SPARK_DB_PATH", dbPath);
    // Tells Spark's Pi extension (installed by spark init for human sessions) not to subscribe too.
    env.put("SPARK_MANAGED_AGENT", "1");
    env.putAll(agent.env());
    restartDelay = agent.restartDelayMs();
    transcript = new Transcript(agent.transcriptLimit(), change -> vertx.eventBus().publish(AgentBus.TRANSCRIPT, change));
    client = SparkClient.create(vertx);
    reads = new ReadStore(vertx, Path.of(cfg.db().path()));
    return Future.all(
            vertx.eventBus().<JsonObject>localConsumer(AgentBus.STATE, m -> m.reply(snapshot(m.body()))).completion(),
            vertx.eventBus().<JsonObject>localConsumer(AgentBus.PROMPT, this::userPrompt).completion(),
            vertx.eventBus().<JsonObject>localConsumer(AgentBus.ABORT, this::abort).completion())
        .onSuccess(v -> launch());
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (restartTimer >= 0) vertx.cancelTimer(restartTimer);
    // A subscription still being made is closed once it exists, before the poller goes away.
    Future<Void> unsubscribed = subscribing ? subscribeFuture.transform(ar -> unsubscribe()) : unsubscribe();
    RpcProcess p = process;
    process = null;
    generation++;
    failRequests("Spark is stopping");
    Future<Void> exited = Future.succeededFuture();
    if (p != null) {
      p.stop(2_000);
      exited = Future.fromCompletionStage(p.onExit(), context).<Void>mapEmpty()
          .timeout(5, TimeUnit.SECONDS).recover(e -> Future.succeededFuture());
    }
    return Future.join(unsubscribed, exited).eventually(() -> reads.close());
  }

  // ------------------------------------------------------------------ process lifecycle

  private void launch() {
    restartTimer = -1;
    if (stopping) return;
    List<String> searched = new ArrayList<>();
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
    executable = exe.get();
    List<String> command = new ArrayList<>();
    command.add(executable.toString());
    command.addAll(List.of("--mode", "rpc", "--append-system-prompt", systemPrompt, "--tools", String.join(",", tools)));
    command.addAll(agent.args());
    int gen = ++generation;
    try {
      process = RpcProcess.start(context, command, cwd, env, msg -> onMessage(gen, msg), code -> onExit(gen, code));
    } catch (IOException e) {
      process = null;
      scheduleRestart("stopped", "No coding agent is attached: " + executable + " could not be started: " + e.getMessage() + ".",
          "check agent.command and agent.cwd");
      return;
    }
    startedAt = Instant.now().toString();
    ready = false;
    busy = false;
    model = null;
    setState("starting", "Pi is starting (pid " + process.pid() + ", " + executable + ").", null);
    transcript.spark("Started the agent: " + executable.getFileName() + " --mode rpc --tools " + String.join(",", tools)
        + " (pid " + process.pid() + ", in " + cwd + ").");
    command(new JsonObject().put("type", "get_state"), COMMAND_TIMEOUT_MS).onComplete(ar -> {
      if (gen != generation) return;
      if (ar.failed()) {
        modelFailure("Pi did not answer get_state: " + ar.cause().getMessage());
        return;
      }
      JsonObject m = ar.result().getJsonObject("data", new JsonObject()).getJsonObject("model");
      if (m == null || "unknown".equals(m.getString("provider")) || "unknown".equals(m.getString("id"))) {
        modelFailure("Pi has no model: no provider is configured or logged in.");
        return;
      }
      model = new JsonObject().put("provider", m.getString("provider")).put("id", m.getString("id"));
      loadHeld().onComplete(x -> {
        if (gen != generation) return;
        if (agent.orient()) orient(gen);
        else ready(gen);
      });
    });
  }

  private void orient(int gen) {
    Future<JsonObject> counts = reads.counts().recover(e -> Future.succeededFuture(new JsonObject()));
    Future<AgentMessages.GitStatus> git = vertx.executeBlocking(() -> gitStatus(cwd));
    Future.join(counts, git).onComplete(x -> {
      if (gen != generation) return;
      long pendingInDb = counts.succeeded() && counts.result().getLong("pendingEvents") != null ? counts.result().getLong("pendingEvents") : -1;
      long pendingHere = pending.values().stream().mapToLong(p -> p.batch.events().size()).sum();
      SparkConfig.Profile profile = cfg.profile();
      String text = AgentMessages.orientation(cfg.environment(), profile.behavior(), profile.tools(),
          git.succeeded() ? git.result() : null, pendingInDb < 0 ? -1 : pendingInDb + pendingHere, interrupted, restarts);
      transcript.add("user", new JsonObject().put("text", text).put("source", "spark"));
      command(prompt(text), COMMAND_TIMEOUT_MS).onComplete(ar -> {
        if (gen != generation) return;
        if (ar.failed()) modelFailure("Pi refused the orientation prompt: " + ar.cause().getMessage());
        else {
          interrupted = List.of();
          ready(gen);
        }
      });
    });
  }

  private void ready(int gen) {
    if (gen != generation || process == null) return;
    ready = true;
    setState(busy ? "busy" : "idle", busy ? "Pi is working." : "Pi is ready and waiting for events.", null);
    for (PendingBatch p : pending.values()) if (p.commandId == null) send(p);
    subscribe();
  }

  private void subscribe() {
    if (subscription != null || subscribing || stopping) return;
    subscribing = true;
    subscribeFuture = client.subscribe(SUBSCRIBER_ID, true, this::onBatch);
    subscribeFuture.onComplete(ar -> {
      subscribing = false;
      if (ar.failed()) {
        LOG.warning("The agent could not subscribe to Spark's events: " + ar.cause().getMessage());
        if (ready && !stopping) vertx.setTimer(agent.restartDelayMs(), t -> subscribe());
        return;
      }
      subscription = ar.result();
      if (stopping) return;  // stop() closes it
      // The process died while we were subscribing: stop taking events again.
      if (!ready) unsubscribe();
      else publishState();
    });
  }

  private Future<Void> unsubscribe() {
    SparkSubscription s = subscription;
    subscription = null;
    return s == null ? Future.succeededFuture() : s.close().recover(e -> Future.succeededFuture());
  }

  private void onExit(int gen, int code) {
    if (gen != generation) return;
    String tail = process == null ? "" : lastLine(process.stderrTail());
    process = null;
    generation++;  // what is still pending for the dead process is answered by afterProcessGone, not by its callbacks
    afterProcessGone();
    if (stopping) return;
    restarts++;
    scheduleRestart("restarting", "Pi exited with code " + code + (tail.isEmpty() ? "" : " (" + tail + ")") + ".", null);
  }

  /** Pi runs but cannot work (no model, no key, a refused prompt): say so, stop it, try again later. */
  private void modelFailure(String why) {
    RpcProcess p = process;
    process = null;
    generation++;
    if (p != null) p.stop(2_000);
    afterProcessGone();
    scheduleRestart("stopped", "No working model: " + why,
        "configure a model for Pi (an API key or a login for a provider, or a models.json in PI_CODING_AGENT_DIR, by default ~/.pi/agent), "
            + "and choose it with --provider/--model in agent.args; Spark tries again");
  }

  private void afterProcessGone() {
    ready = false;
    busy = false;
    currentAssistant = null;
    failRequests("the agent process exited");
    transcript.lostUntaken();
    unsubscribe();
    if (!inRun.isEmpty()) interrupted = List.copyOf(inRun);
    inRun.clear();
    for (PendingBatch p : pending.values()) {
      p.commandId = null;
      p.acknowledged = false;
      p.started = false;
    }
  }

  private void scheduleRestart(String newState, String why, String howToFix) {
    if (stopping) return;
    long delay = restartDelay;
    restartDelay = Math.min(restartDelay * 2, agent.restartMaxDelayMs());
    setState(newState, why + " Restarting in " + delay + " ms.", howToFix);
    transcript.spark(why + " Restarting in " + delay + " ms" + (pending.isEmpty() ? "." : "; " + pending.size()
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

  // ------------------------------------------------------------------ batches

  private void onBatch(EventBatch batch) {
    if (batch == null || batch.isEmpty()) return;
    PendingBatch p = new PendingBatch(batch);
    if (pending.putIfAbsent(p.key, p) != null) return;
    if (ready && process != null) send(p);
    publishState();
  }

  /**
   * Adds the batches storage holds for this agent (consumed, never taken by Pi: before a crash of
   * Spark, or published while the agent was not listening) that are not waiting here already. Read
   * through the storage writer, so every release asked for before is committed. A failure leaves the
   * batches held for the next start.
   */
  private Future<Void> loadHeld() {
    return vertx.eventBus().<JsonObject>request(Addresses.STORAGE_OUTBOX, new JsonObject().put("action", "list").put("subscriber", SUBSCRIBER_ID))
        .map(m -> {
          int added = 0;
          for (Object o : m.body().getJsonArray("batches", new JsonArray())) {
            PendingBatch p = new PendingBatch(EventBatch.fromJson((JsonObject) o));
            if (pending.putIfAbsent(p.key, p) == null) added++;
          }
          if (added > 0) {
            transcript.spark(added + " batch(es) Spark had consumed for the agent and Pi never took (held in the database, e.g. "
                + "across a restart of Spark) will be sent again.");
            publishState();
          }
          return (Void) null;
        })
        .recover(e -> {
          LOG.warning("Could not read the batches held for the agent: " + e.getMessage());
          return Future.succeededFuture();
        });
  }

  /** Pi has taken the batch: storage no longer needs to hold it. */
  private void release(PendingBatch p) {
    vertx.eventBus().request(Addresses.STORAGE_OUTBOX, new JsonObject().put("action", "release").put("subscriber", SUBSCRIBER_ID)
        .put("firstId", p.key)).onFailure(e -> LOG.warning("Could not release the agent's batch #" + p.key
            + " (it may be sent again after a restart): " + e.getMessage()));
  }

  private void send(PendingBatch p) {
    p.sends++;
    if (p.sends > 1) resentBatches++;
    transcript.add("batch", new JsonObject().put("eventIds", new JsonArray(p.ids())).put("text", p.text).put("resent", p.sends > 1));
    int gen = generation;
    Future<JsonObject> answer = command(prompt(p.text), COMMAND_TIMEOUT_MS);
    p.commandId = lastCommandId;
    answer.onComplete(ar -> {
      if (gen != generation || pending.get(p.key) != p) return;
      if (ar.succeeded()) {
        p.acknowledged = true;
        if (p.started) delivered(p);
        else publishState();
      } else {
        modelFailure("Pi refused a batch: " + ar.cause().getMessage());
      }
    });
  }

  private void delivered(PendingBatch p) {
    pending.remove(p.key);
    release(p);
    deliveredBatches++;
    deliveredEvents += p.batch.events().size();
    publishState();
  }

  // ------------------------------------------------------------------ what Pi says

  private void onMessage(int gen, JsonObject msg) {
    if (gen != generation) return;
    String type = msg.getString("type", "");
    switch (type) {
      case "response" -> {
        Promise<JsonObject> promise = requests.remove(msg.getString("id", ""));
        if (promise == null) return;
        if (Boolean.TRUE.equals(msg.getBoolean("success"))) promise.tryComplete(msg);
        else promise.tryFail(msg.getString("error", "refused without a reason"));
      }
      case "agent_start" -> {
        busy = true;
        transcript.add("run-start", null);
        if (ready) setState("busy", "Pi is working.", null);
      }
      case "agent_end" -> {
        busy = false;
        inRun.clear();
        currentAssistant = null;
        restartDelay = agent.restartDelayMs();
        transcript.add("run-end", null);
        if (ready) setState("idle", "Pi is ready and waiting for events.", null);
      }
      case "message_start" -> messageStart(msg.getJsonObject("message", new JsonObject()));
      case "message_update" -> {
        JsonObject e = msg.getJsonObject("assistantMessageEvent", new JsonObject());
        if ("text_delta".equals(e.getString("type"))) {
          if (currentAssistant == null) currentAssistant = transcript.add("assistant", new JsonObject().put("text", ""));
          transcript.assistantDelta(e.getString("delta", ""), currentAssistant);
        }
      }
      case "message_end" -> {
        JsonObject m = msg.getJsonObject("message", new JsonObject());
        if ("assistant".equals(m.getString("role"))) {
          currentAssistant = null;
          if ("error".equals(m.getString("stopReason"))) {
            transcript.spark("The model call failed: " + m.getString("errorMessage", "no reason given"));
          } else if ("aborted".equals(m.getString("stopReason"))) {
            transcript.spark("Aborted.");
          }
        }
      }
      case "tool_execution_start" -> transcript.toolStart(msg.getString("toolCallId"), msg.getString("toolName"), msg.getValue("args"));
      case "tool_execution_update" -> transcript.toolUpdate(msg.getString("toolCallId"), msg.getValue("partialResult"), false, false);
      case "tool_execution_end" -> transcript.toolUpdate(msg.getString("toolCallId"), msg.getValue("result"), true,
          Boolean.TRUE.equals(msg.getBoolean("isError")));
      case "extension_ui_request" -> {
        // Nobody sits at this session: dialogs an extension opens are dismissed rather than left to block the agent.
        String method = msg.getString("method", "");
        if (List.of("select", "confirm", "input", "editor").contains(method) && process != null) {
          process.send(new JsonObject().put("type", "extension_ui_response").put("id", msg.getValue("id")).put("cancelled", true));
        }
      }
      default -> {
        // turn_start/turn_end, queue_update, compaction and retry events: not shown
      }
    }
  }

  private void messageStart(JsonObject message) {
    String role = message.getString("role", "");
    if ("assistant".equals(role)) {
      currentAssistant = null;  // its entry starts with its first text (a message of tool calls only has none)
      return;
    }
    if (!"user".equals(role)) return;
    String text = userText(message);
    transcript.taken(text);
    for (PendingBatch p : pending.values()) {
      if (p.commandId != null && !p.started && p.text.equals(text)) {
        p.started = true;
        inRun.addAll(p.ids());
        if (p.acknowledged) delivered(p);
        return;
      }
    }
  }

  private static String userText(JsonObject message) {
    Object content = message.getValue("content");
    if (content instanceof String s) return s;
    StringBuilder s = new StringBuilder();
    if (content instanceof JsonArray arr) {
      for (Object o : arr) {
        if (o instanceof JsonObject c && "text".equals(c.getString("type"))) s.append(c.getString("text", ""));
      }
    }
    return s.toString();
  }

  // ------------------------------------------------------------------ the dashboard's and MCP's requests

  private void userPrompt(Message<JsonObject> msg) {
    String text = msg.body() == null ? null : msg.body().getString("text");
    if (text == null || text.isBlank()) {
      msg.fail(400, "the message needs a non-empty \"text\"");
      return;
    }
    if (!ready || process == null) {
      msg.fail(503, "The agent is not ready: " + reason);
      return;
    }
    boolean queued = busy;
    transcript.add("user", new JsonObject().put("text", text).put("source", msg.body().getString("source", "dashboard")).put("queued", queued));
    command(prompt(text), COMMAND_TIMEOUT_MS).onComplete(ar -> {
      if (ar.succeeded()) msg.reply(new JsonObject().put("accepted", true).put("queued", queued));
      else msg.fail(502, "Pi refused the message: " + ar.cause().getMessage());
    });
  }

  private void abort(Message<JsonObject> msg) {
    if (process == null) {
      msg.fail(503, "The agent is not running: " + reason);
      return;
    }
    transcript.spark("Abort requested.");
    command(new JsonObject().put("type", "abort"), COMMAND_TIMEOUT_MS).onComplete(ar -> {
      if (ar.succeeded()) msg.reply(new JsonObject().put("aborted", true).put("wasBusy", busy));
      else msg.fail(502, "Pi refused to abort: " + ar.cause().getMessage());
    });
  }

  // ------------------------------------------------------------------ commands

  private String lastCommandId;

  private static JsonObject prompt(String text) {
    return new JsonObject().put("type", "prompt").put("message", text).put("streamingBehavior", "followUp");
  }

  /** Sends a command with a fresh id; completes with Pi's successful response, fails with its error or after {@code timeoutMs}. */
  private Future<JsonObject> command(JsonObject command, long timeoutMs) {
    if (process == null) return Future.failedFuture("the agent process is not running");
    String id = command.getString("type") + "-" + (++commandSeq);
    lastCommandId = id;
    Promise<JsonObject> promise = Promise.promise();
    requests.put(id, promise);
    long timer = vertx.setTimer(timeoutMs, t -> {
      Promise<JsonObject> p = requests.remove(id);
      if (p != null) p.tryFail("no answer within " + timeoutMs + " ms");
    });
    process.send(command.copy().put("id", id));
    return promise.future().onComplete(ar -> vertx.cancelTimer(timer));
  }

  private void failRequests(String why) {
    List<Promise<JsonObject>> open = new ArrayList<>(requests.values());
    requests.clear();
    for (Promise<JsonObject> p : open) p.tryFail(why);
  }

  // ------------------------------------------------------------------ state

  private void setState(String newState, String why, String howToFix) {
    state = newState;
    reason = why;
    fix = howToFix;
    publishState();
  }

  private void publishState() {
    if (transcript != null) transcript.state(stateJson());
  }

  private JsonObject snapshot(JsonObject request) {
    JsonObject s = stateJson();
    if (request == null || request.getBoolean("transcript", true)) {
      s.put("transcript", transcript.snapshot()).put("version", transcript.version());
    }
    return s;
  }

  JsonObject stateJson() {
    SparkConfig.Profile profile = cfg.profile();
    long waiting = 0;
    long unacknowledged = 0;
    long queued = 0;
    for (PendingBatch p : pending.values()) {
      waiting += p.batch.events().size();
      if (p.commandId != null && !p.acknowledged) unacknowledged++;
      if (p.acknowledged && !p.started) queued++;
    }
    return new JsonObject()
        .put("enabled", true)
        .put("available", ready)
        .put("state", state)
        .put("reason", reason)
        .put("fix", fix)
        .put("message", fix == null ? reason : reason + " To fix: " + fix + ".")
        .put("command", executable == null ? null : executable.toString())
        .put("cwd", cwd.toString())
        .put("pid", process == null ? null : process.pid())
        .put("startedAt", process == null ? null : startedAt)
        .put("model", model)
        .put("environment", cfg.environment())
        .put("behavior", profile.behavior())
        .put("tools", new JsonArray(tools))
        .put("subscribed", subscription != null)
        .put("restarts", restarts)
        .put("batches", new JsonObject()
            .put("pending", pending.size())
            .put("pendingEvents", waiting)
            .put("unacknowledged", unacknowledged)
            .put("queued", queued)
            .put("delivered", deliveredBatches)
            .put("deliveredEvents", deliveredEvents)
            .put("resent", resentBatches));
  }

  // ------------------------------------------------------------------ helpers

  static AgentMessages.GitStatus gitStatus(Path dir) {
    try {
      String branch = run(dir, "git", "rev-parse", "--abbrev-ref", "HEAD");
      if (branch == null) return null;
      String porcelain = run(dir, "git", "status", "--porcelain");
      List<String> changed = new ArrayList<>();
      if (porcelain != null) {
        for (String line : porcelain.split("\n")) {
          if (line.length() > 3) changed.add(line.substring(3).trim());
          if (changed.size() == 50) {
            changed.add("…");
            break;
          }
        }
      }
      return new AgentMessages.GitStatus(branch.trim(), changed);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String run(Path dir, String... command) {
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(false).start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static String lastLine(String text) {
    if (text == null || text.isBlank()) return "";
    String[] lines = text.split("\n");
    return RpcProcess.abbreviate(lines[lines.length - 1]);
  }

  private static String hostForUrl(String host) {
    if (host.equals("0.0.0.0") || host.equals("::")) return "127.0.0.1";
    return host.contains(":") ? "[" + host + "]" : host;
  }
}
