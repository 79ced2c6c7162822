package dev.spark.agent;

import dev.spark.bus.Addresses;
import dev.spark.config.AgentConfig;
import dev.spark.event.EventBatch;
import dev.spark.event.StoredEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Branch delivery: one fix per batch (a batch is what Spark hands over at once, usually one issue; the
 * fix is named after its first event's issue), one at a time, oldest first. For each: a worktree of
 * the project's {@code HEAD} on a new branch ({@link Worktrees}), a Pi started in it
 * ({@link FixAgent}), the project's check after each run ({@link VerifyCommand}; on failure the agent
 * is shown the output and tries again, up to {@code agent.verify.attempts} runs), then Spark commits
 * what changed on the branch and records the fix ({@code fixes}, through storage). A batch counts as
 * delivered once its fix is recorded (the record and the batch's release from the outbox are one transaction), so a
 * crash or a stop of Spark before that sends it again, and the next start records the cut-short run as interrupted.
 */
final class FixRunner {
  private static final Logger LOG = Logger.getLogger(FixRunner.class.getName());

  private final Vertx vertx;
  private final Context context;
  private final AgentLaunch launch;
  private final AgentConfig.Verify verify;
  private final Transcript transcript;
  private final Supplier<Path> executable;
  private final LongConsumer tokens;
  private final FixStore fixes;
  private Worktrees worktrees;
  private Future<Void> tail = Future.succeededFuture();
  /** The last fix's share of Spark's time (one fix at a time, so one field each). */
  private long worktreeNanos;
  private long commitNanos;
  private long gitRuns0;
  private long gitNanos0;
  /** The fix agent at work, if any (stopped with Spark: its worktree is then cleared, and the fix recorded interrupted, at the next start). */
  private FixAgent current;
  /** Spark is stopping: a run cut short is left for the next start to record (interrupted) and to fix again. */
  private boolean stopping;

  /** What one fix came to after its last run. */
  private record Outcome(String summary, boolean changed, VerifyCommand.Outcome verify, int attempts) {}

  FixRunner(Vertx vertx, Context context, AgentLaunch launch, Transcript transcript, Supplier<Path> executable, LongConsumer tokens) {
    this.tokens = tokens;
    this.vertx = vertx;
    this.fixes = new FixStore(vertx);
    this.context = context;
    this.launch = launch;
    this.verify = launch.agent().verify();
    this.transcript = transcript;
    this.executable = executable;
  }

  /**
   * Finds the repository and clears what a crash left: worktrees git no longer has a folder for, and
   * Spark's worktrees no recorded fix owns (a run that never finished; its batch comes again).
   */
  Future<Void> start() {
    return vertx.executeBlocking(() -> {
      Path top = Git.topLevel(launch.cwd());
      if (top == null) throw new Git.GitException("agent.cwd " + launch.cwd() + " is not in a git work tree");
      worktrees = new Worktrees(top);
      worktrees.prune();
      return worktrees;
    }).compose(w -> fixes.find(null, null, FixStore.ALL))
        .compose(all -> vertx.executeBlocking(() -> {
          List<JsonObject> interrupted = new ArrayList<>();
          Set<Path> owned = new HashSet<>();
          Set<String> branches = new HashSet<>();
          for (Object o : all) {
            String wt = ((JsonObject) o).getString("worktree");
            if (wt != null) owned.add(Path.of(wt));
            String branch = ((JsonObject) o).getString("branch");
            if (branch != null) branches.add(branch);
          }
          for (Path p : worktrees.listed()) {
            if (owned.contains(p)) continue;
            String branch = "spark/" + p.getFileName().toString().replaceFirst("^spark-", "");
            JsonObject what = Worktrees.readNote(p);
            transcript.spark("Removed the worktree of a fix that never finished (" + p.getFileName() + "); its batch is sent again.");
            worktrees.remove(new Worktrees.Worktree(p, branch), true);
            if (what != null) {
              interrupted.add(fixJson(what.getString("fingerprint"), what.getJsonArray("events", new JsonArray()), "interrupted",
                  "Spark stopped while this fix was running (" + branch + "); its batch is fixed again.", null, 0));
            }
          }
          List<String> strays = worktrees.removeStrays(owned, branches);
          if (!strays.isEmpty()) transcript.spark("Removed what a crash left of fixes no record names: " + String.join(", ", strays) + ".");
          return interrupted;
        }))
        .compose(list -> {
          Future<Void> all = Future.succeededFuture();
          for (JsonObject fix : list) all = all.compose(v -> insert(fix, -1));
          return all;
        });
  }

  /** Spark is stopping: the fix agent at work is stopped too (never left running without Spark). */
  Future<Void> stop() {
    stopping = true;
    FixAgent agent = current;
    current = null;
    return agent == null ? Future.succeededFuture() : agent.stop(context);
  }

  Worktrees worktrees() {
    return worktrees;
  }

  /** Queues a fix for {@code batch}; completes once it is recorded (fails when it could not be). */
  Future<Void> offer(EventBatch batch) {
    Future<Void> mine = tail.transform(x -> fix(batch));
    tail = mine.recover(e -> Future.succeededFuture());
    return mine;
  }

  private Future<Void> fix(EventBatch batch) {
    String fingerprint = null;
    JsonArray ids = new JsonArray();
    for (StoredEvent e : batch.events()) {
      ids.add(e.id());
      if (fingerprint == null) fingerprint = e.fingerprint();
    }
    String fp = fingerprint;
    long firstId = batch.events().get(0).id();
    return earlierFix(fp).compose(earlier -> vertx.executeBlocking(() -> {
      long t0 = System.nanoTime();
      commitNanos = 0;
      gitRuns0 = Git.runs();
      gitNanos0 = Git.nanos();
      Worktrees.Worktree created = worktrees.create(fp);
      worktreeNanos = System.nanoTime() - t0;
      return created;
    }).compose(wt -> {
      Worktrees.writeNote(wt.path(), new JsonObject().put("fingerprint", fp).put("events", ids));
      transcript.spark("Fixing event(s) " + ids.encode() + " on branch " + wt.branch() + " in " + wt.path() + ".");
      FixAgent agent;
      try {
        agent = current = FixAgent.start(vertx, context, launch, executable.get(), wt.path(), transcript, tokens);
      } catch (IOException e) {
        return record(fp, ids, wt, "interrupted", "The fix agent could not be started: " + e.getMessage(), null, 0, firstId);
      }
      return attempt(agent, wt, FixPrompts.fix(batch, wt.branch(), verify.command(), earlier), 1).transform(ar -> {
        current = null;
        Future<Void> stopped = agent.stop(context);
        if (ar.failed()) {
          if (stopping) return Future.failedFuture(ar.cause());
          return stopped.transform(x -> record(fp, ids, wt, "interrupted", "The fix run did not finish: " + ar.cause().getMessage(),
              null, 0, firstId));
        }
        // The run is over, so Pi exits while Spark commits (its stop can take a while; nothing waits for it in turn).
        Future<Void> recorded = finish(fp, ids, wt, ar.result(), firstId);
        return Future.join(stopped, recorded).transform(x -> recorded);
      });
    }));
  }

  /** The fix applied last for this issue, if any: a recurrence is a regression of it. */
  private Future<JsonObject> earlierFix(String fingerprint) {
    if (fingerprint == null) return Future.succeededFuture();
    return fixes.find("applied", fingerprint, 1)
        .map(applied -> applied.isEmpty() ? (JsonObject) null : applied.getJsonObject(0))
        .recover(e -> Future.succeededFuture());
  }

  private Future<Outcome> attempt(FixAgent agent, Worktrees.Worktree wt, String text, int n) {
    return agent.turn(text).compose(summary -> vertx.executeBlocking(() -> {
      boolean changed = Worktrees.changed(wt.path());
      VerifyCommand.Outcome checked = changed && !verify.command().isBlank()
          ? VerifyCommand.run(verify.command(), wt.path(), verify.timeoutMs()) : null;
      return new Outcome(summary, changed, checked, n);
    })).compose(o -> {
      if (o.verify() != null && !o.verify().passed() && n < verify.attempts()) {
        transcript.spark("The check failed (exit " + o.verify().exitCode() + "); the agent is shown its output and tries again ("
            + (n + 1) + " of " + verify.attempts() + ").");
        return attempt(agent, wt, FixPrompts.verifyFailed(o.verify(), n, verify.attempts()), n + 1);
      }
      return Future.succeededFuture(o);
    });
  }

  private Future<Void> finish(String fp, JsonArray ids, Worktrees.Worktree wt, Outcome o, long firstId) {
    if (!o.changed()) return record(fp, ids, wt, "no-change", o.summary(), null, o.attempts(), firstId);
    String status = o.verify() == null ? "unverified" : o.verify().passed() ? "verified" : "failed";
    return vertx.executeBlocking(() -> {
      long t0 = System.nanoTime();
      Worktrees.Commit made = Worktrees.commit(wt.path(), commitMessage(fp, ids, status));
      commitNanos = System.nanoTime() - t0;
      return made;
    }).compose(c -> {
      JsonObject fix = fixJson(fp, ids, status, o.summary(), o.verify(), o.attempts())
          .put("branch", wt.branch()).put("worktree", wt.path().toString()).put("commit", c.id()).put("diff", c.diff());
      return insert(fix, firstId);
    });
  }

  /** A fix with nothing to keep: its worktree and branch go, the record stays. */
  private Future<Void> record(String fp, JsonArray ids, Worktrees.Worktree wt, String status, String summary,
      VerifyCommand.Outcome verified, int attempts, long firstId) {
    return vertx.executeBlocking(() -> {
      worktrees.remove(wt, true);
      return null;
    }).transform(x -> insert(fixJson(fp, ids, status, summary, verified, attempts), firstId));
  }

  /**
   * Records {@code fix}; with {@code firstId} (not -1) its batch leaves the agent's outbox in the same
   * transaction, so after a crash the batch is sent again exactly when no fix was recorded for it. The
   * transcript's "Fix #n" line is written before the returned future completes (the batch counted delivered).
   */
  private Future<Void> insert(JsonObject fix, long firstId) {
    long t0 = System.nanoTime();
    return fixes.record(fix, firstId)
        .onSuccess(recorded -> {
          // Spark's own share of the fix's time (the model's and the check's are not counted): for the benchmark.
          String timings = firstId < 0 ? "found at start" : String.format(Locale.ROOT,
              "worktree %.1f ms, commit and diff %.1f ms, record %.1f ms; git %d runs, %.1f ms", worktreeNanos / 1e6, commitNanos / 1e6,
              (System.nanoTime() - t0) / 1e6, Git.runs() - gitRuns0, (Git.nanos() - gitNanos0) / 1e6);
          LOG.info("Fix #" + recorded.getLong("id") + " " + recorded.getString("status") + ": " + timings);
          transcript.spark("Fix #" + recorded.getLong("id") + ": " + recorded.getString("status")
              + (recorded.getString("branch") == null ? "" : " on " + recorded.getString("branch")) + " (" + timings + ").");
        })
        .onFailure(e -> LOG.warning("Could not record a fix (its batch is sent again later): " + e.getMessage()))
        .mapEmpty();
  }

  private static JsonObject fixJson(String fp, JsonArray ids, String status, String summary, VerifyCommand.Outcome verified, int attempts) {
    return new JsonObject().put("fingerprint", fp).put("events", ids).put("status", status).put("delivery", "branch")
        .put("summary", summary == null ? "" : summary).put("verify", verified == null ? null : verified.json()).put("attempts", attempts);
  }

  private static String commitMessage(String fp, JsonArray ids, String status) {
    List<String> events = new ArrayList<>();
    for (Object id : ids) events.add("#" + id);
    return "Spark: fix for issue " + Worktrees.safe(fp) + "\n\nEvents: " + String.join(", ", events) + "\nVerification: " + status + "\n";
  }
}
