package dev.spark.agent;

import dev.spark.bus.Addresses;
import dev.spark.config.AgentConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;

/**
 * In-place runs recorded as fixes, so both deliveries show the same history. The working tree is
 * snapshotted (a git tree written through an index of its own: the user's index is untouched) when
 * the agent starts and after each run; a run that took batches is recorded with the diff between the
 * snapshot before it and after it, the check's verdict ({@code agent.verify.command}, run in
 * {@code agent.cwd} when something changed) and the agent's last answer. Edits you make between runs
 * are counted into the next run's diff. Only when {@code agent.cwd} is in a git repository.
 */
final class InPlaceFixes {
  private static final Logger LOG = Logger.getLogger(InPlaceFixes.class.getName());

  private final Vertx vertx;
  private final Worktrees project;
  private final AgentConfig.Verify verify;
  private final Transcript transcript;
  /** Snapshots in order (ordered blocking work on this context): each run's "before" is the last one taken. */
  private Future<String> last;

  private InPlaceFixes(Vertx vertx, Worktrees project, AgentConfig.Verify verify, Transcript transcript) {
    this.vertx = vertx;
    this.project = project;
    this.verify = verify;
    this.transcript = transcript;
    this.last = vertx.executeBlocking(project::snapshot);
  }

  /** Null when {@code cwd} is not in a git repository (nothing to diff against). */
  static InPlaceFixes of(Vertx vertx, Path cwd, AgentConfig.Verify verify, Transcript transcript) {
    Path top = Git.workTreeRoot(cwd);
    return top == null ? null : new InPlaceFixes(vertx, new Worktrees(top), verify, transcript);
  }

  /** A run ended; {@code eventIds} are the batches it took (none: orientation or a chat, only the snapshot moves on). */
  void runEnded(List<Long> eventIds, String fingerprint, String summary) {
    Future<String> before = last;
    Future<String> after = before.transform(x -> vertx.executeBlocking(project::snapshot));
    last = after;
    if (eventIds.isEmpty()) return;
    Future.join(before, after).compose(x -> vertx.executeBlocking(() -> {
      String diff = before.result().equals(after.result()) ? "" : project.diff(before.result(), after.result());
      VerifyCommand.Outcome checked = !diff.isEmpty() && !verify.command().isBlank()
          ? VerifyCommand.run(verify.command(), project.project(), verify.timeoutMs()) : null;
      String status = diff.isEmpty() ? "no-change" : checked == null ? "unverified" : checked.passed() ? "verified" : "failed";
      return new JsonObject().put("fingerprint", fingerprint).put("events", new JsonArray(eventIds)).put("status", status)
          .put("delivery", "in-place").put("diff", diff).put("summary", summary == null ? "" : summary)
          .put("verify", checked == null ? null : checked.json()).put("attempts", 1);
    })).compose(fix -> new FixStore(vertx).record(fix, -1))
        .onSuccess(recorded -> transcript.spark("Fix #" + recorded.getLong("id") + ": " + recorded.getString("status") + " (in place)."))
        .onFailure(e -> LOG.warning("Could not record the in-place run: " + e.getMessage()));
  }
}
