package dev.spark.agent;

import dev.spark.bus.Addresses;
import dev.spark.bus.OutboxOp;
import dev.spark.event.EventBatch;
import dev.spark.event.StoredEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The batches on their way to Pi. Each becomes one follow-up {@code prompt}; it is delivered when Pi
 * has acknowledged the prompt and taken it into its conversation (its {@code message_start}). Until
 * then it waits here, and storage holds it in {@code agent_outbox} ({@link #loadHeld}, {@link #release}),
 * so a batch survives a crash of Pi (sent again, oldest first) and of Spark itself.
 */
final class BatchDelivery {
  private static final Logger LOG = Logger.getLogger(BatchDelivery.class.getName());

  private final Vertx vertx;
  private final PiRpc rpc;
  private final Transcript transcript;
  private final Runnable changed;
  private final Consumer<String> refused;
  private final AgentBudget budget;
  /** Batches not yet delivered to the current process, by their first event id: oldest first. */
  private final TreeMap<Long, PendingBatch> pending = new TreeMap<>();
  /** Event ids of the batches the current run has taken (for telling a restarted agent what was interrupted). */
  private final List<Long> inRun = new ArrayList<>();
  private List<Long> interrupted = List.of();
  private String inRunFingerprint;
  private long deliveredBatches;
  private long deliveredEvents;
  private long resentBatches;
  /** Branch delivery: each batch goes to a fix agent of its own instead of the running Pi; null in place. */
  private Function<EventBatch, Future<Void>> fixes;
  private int gateMinEvents = 1;

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
    /** Its issue has had enough occurrences ({@code agent.gate}); always true with a gate of 1. */
    boolean gateOpen;

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

  /**
   * @param changed called when what {@link #json} shows has changed
   * @param refused called when Pi refuses a batch (it cannot work: the process is to be restarted)
   */
  BatchDelivery(Vertx vertx, PiRpc rpc, Transcript transcript, Runnable changed, Consumer<String> refused, AgentBudget budget) {
    this.budget = budget;
    this.vertx = vertx;
    this.rpc = rpc;
    this.transcript = transcript;
    this.changed = changed;
    this.refused = refused;
  }

  /** {@code agent.gate.minEvents}: 1 sends every batch at once. */
  void gate(int minEvents) {
    this.gateMinEvents = minEvents;
  }

  /**
   * Asks {@code open} about each batch still waiting for the gate (by its first event's issue);
   * completes once all have answered. A batch without a fingerprint is let through.
   */
  Future<Void> checkGate(Function<String, Future<Boolean>> open) {
    List<Future<Boolean>> asked = new ArrayList<>();
    for (PendingBatch p : pending.values()) {
      if (p.gateOpen) continue;
      String fp = p.batch.events().get(0).fingerprint();
      asked.add((fp == null ? Future.succeededFuture(true) : open.apply(fp)).onSuccess(yes -> {
        if (yes) p.gateOpen = true;
      }));
    }
    return Future.join(asked).mapEmpty();
  }

  /** Branch delivery: batches go to {@code fixes}, delivered once it completes (a fix recorded). */
  void routeTo(Function<EventBatch, Future<Void>> fixes) {
    this.fixes = fixes;
  }

  /** A batch consumed for the agent: kept until delivered, and sent at once when {@code sendNow}. */
  void offer(EventBatch batch, boolean sendNow) {
    if (batch == null || batch.isEmpty()) return;
    PendingBatch p = new PendingBatch(batch);
    if (pending.putIfAbsent(p.key, p) != null) return;
    p.gateOpen = gateMinEvents <= 1;
    if (sendNow && p.gateOpen && budget.blocked() == null) send(p);
    if (!p.gateOpen) {
      transcript.spark("Event #" + p.key + " waits until its issue has " + gateMinEvents + " occurrences within the gate's window (agent.gate).");
    }
    changed.run();
  }

  /**
   * Adds the batches storage holds for this agent (consumed, never taken by Pi: before a crash of
   * Spark, or published while the agent was not listening) that are not waiting here already. Read
   * through the storage writer, so every release asked for before is committed. A failure leaves the
   * batches held for the next start.
   */
  Future<Void> loadHeld() {
    return vertx.eventBus().<OutboxOp.Held>request(Addresses.STORAGE_OUTBOX, new OutboxOp.ListHeld(AgentVerticle.SUBSCRIBER_ID))
        .map(m -> {
          int added = 0;
          for (OutboxOp.HeldBatch held : m.body().batches()) {
            PendingBatch p = new PendingBatch(held.batch());
            // Held across a restart, it passes the gate as a new batch does (with a gate of 1, at once).
            p.gateOpen = gateMinEvents <= 1;
            if (pending.putIfAbsent(p.key, p) == null) added++;
          }
          if (added > 0) {
            transcript.spark(added + " batch(es) Spark had consumed for the agent and Pi never took (held in the database, e.g. "
                + "across a restart of Spark) will be sent again.");
            changed.run();
          }
          return (Void) null;
        })
        .recover(e -> {
          LOG.warning("Could not read the batches held for the agent: " + e.getMessage());
          return Future.succeededFuture();
        });
  }

  /** Sends every batch not yet sent to the current process, oldest first. */
  void sendUnsent() {
    for (PendingBatch p : pending.values()) {
      if (budget.blocked() != null) return;  // the rest wait here (held in the outbox) until the budget allows
      if (p.commandId == null && p.gateOpen) send(p);
    }
  }

  private void send(PendingBatch p) {
    budget.run();
    p.sends++;
    if (p.sends > 1) resentBatches++;
    transcript.add("batch", new JsonObject().put("eventIds", new JsonArray(p.ids())).put("text", p.text).put("resent", p.sends > 1));
    if (fixes != null) {
      p.commandId = "fix";
      fixes.apply(p.batch).onSuccess(v -> {
        if (pending.get(p.key) == p) delivered(p);
      });
      changed.run();
      return;
    }
    int gen = rpc.generation();
    Future<JsonObject> answer = rpc.command(PiRpc.prompt(p.text), AgentVerticle.COMMAND_TIMEOUT_MS);
    p.commandId = rpc.lastCommandId();
    answer.onComplete(ar -> {
      if (!rpc.current(gen) || pending.get(p.key) != p) return;
      if (ar.succeeded()) {
        p.acknowledged = true;
        if (p.started) delivered(p);
        else changed.run();
      } else {
        refused.accept("Pi refused a batch: " + ar.cause().getMessage());
      }
    });
  }

  /** Pi took a user message into its conversation: if it is a batch sent, the batch is delivered once acknowledged. */
  void taken(String text) {
    for (PendingBatch p : pending.values()) {
      if (p.commandId != null && !p.started && p.text.equals(text)) {
        p.started = true;
        if (inRunFingerprint == null) inRunFingerprint = p.batch.events().get(0).fingerprint();
        inRun.addAll(p.ids());
        if (p.acknowledged) delivered(p);
        return;
      }
    }
  }

  private void delivered(PendingBatch p) {
    pending.remove(p.key);
    if (fixes == null) release(p);  // a fix's record released its batch in the same transaction
    deliveredBatches++;
    deliveredEvents += p.batch.events().size();
    changed.run();
  }

  /** Pi has taken the batch: storage no longer needs to hold it. */
  private void release(PendingBatch p) {
    vertx.eventBus().request(Addresses.STORAGE_OUTBOX, new OutboxOp.Release(AgentVerticle.SUBSCRIBER_ID, p.key))
        .onFailure(e -> LOG.warning("Could not release the agent's batch #" + p.key
            + " (it may be sent again after a restart): " + e.getMessage()));
  }

  /** The event ids a run took and the issue of its first event (null when it has none). */
  record Run(List<Long> eventIds, String fingerprint) {}

  /** Pi finished a run: its batches were not interrupted. Answers what it took. */
  Run runEnded() {
    Run run = new Run(List.copyOf(inRun), inRunFingerprint);
    inRun.clear();
    inRunFingerprint = null;
    return run;
  }

  /** The process is gone: every batch is to be sent again to the next one; the current run's batches were interrupted. */
  void processGone() {
    if (!inRun.isEmpty()) interrupted = List.copyOf(inRun);
    inRun.clear();
    for (PendingBatch p : pending.values()) {
      if (fixes != null) continue;  // a fix agent of its own: not the process that died
      p.commandId = null;
      p.acknowledged = false;
      p.started = false;
    }
  }

  /** Event ids of the run a dead process did not finish (for the next orientation). */
  List<Long> interrupted() {
    return interrupted;
  }

  /** The orientation told Pi about the interrupted run. */
  void interruptionReported() {
    interrupted = List.of();
  }

  int size() {
    return pending.size();
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }

  long pendingEvents() {
    return pending.values().stream().mapToLong(p -> p.batch.events().size()).sum();
  }

  /** The {@code batches} part of the agent's state. */
  JsonObject json() {
    long waiting = 0;
    long unacknowledged = 0;
    long queued = 0;
    long gated = 0;
    for (PendingBatch p : pending.values()) {
      if (!p.gateOpen) gated++;
      waiting += p.batch.events().size();
      if (p.commandId != null && !p.acknowledged) unacknowledged++;
      if (p.acknowledged && !p.started) queued++;
    }
    return new JsonObject()
        .put("pending", pending.size())
        .put("pendingEvents", waiting)
        .put("unacknowledged", unacknowledged)
        .put("queued", queued)
        .put("gated", gated)
        .put("delivered", deliveredBatches)
        .put("deliveredEvents", deliveredEvents)
        .put("resent", resentBatches);
  }
}
