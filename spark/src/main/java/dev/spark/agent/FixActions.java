package dev.spark.agent;

import dev.spark.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Apply and discard a fix made on a branch. Apply cherry-picks the fix's one commit onto the user's
 * current branch (so their tree and branch get exactly that change, as a commit authored by Spark),
 * removes the worktree (the branch stays, for the record) and resolves the issue, so the same error
 * afterwards is a regression. It refuses (409, nothing changed) when the user has staged changes, has
 * local changes to a file the fix touches, or the pick would conflict (then it is aborted). Discard
 * removes the worktree and the branch.
 */
final class FixActions {
  private static final Set<String> OPEN = Set.of("verified", "failed", "unverified");

  /** A refusal with its HTTP status. */
  static final class Refused extends RuntimeException {
    final int code;

    Refused(int code, String message) {
      super(message);
      this.code = code;
    }
  }

  private final Vertx vertx;
  private final FixRunner runner;
  private final FixStore fixes;

  FixActions(Vertx vertx, FixRunner runner) {
    this.vertx = vertx;
    this.fixes = new FixStore(vertx);
    this.runner = runner;
  }

  void apply(Message<JsonObject> msg) {
    answer(msg, fix(msg).compose(fix -> vertx.executeBlocking(() -> {
      Worktrees w = worktrees();
      Path project = w.project();
      String commit = fix.getString("commit");
      if (!Git.run(project, "diff", "--cached", "--quiet").ok()) {
        throw new Refused(409, "The index has staged changes: commit or unstage them first (nothing was changed).");
      }
      List<String> touched = lines(Git.check(project, "diff-tree", "--no-commit-id", "--name-only", "-r", commit));
      List<String> args = new ArrayList<>(List.of("status", "--porcelain", "--"));
      args.addAll(touched);
      List<String> dirty = lines(Git.check(project, args.toArray(String[]::new)));
      if (!dirty.isEmpty()) {
        throw new Refused(409, "Local changes to files the fix touches (" + String.join(", ", dirty.stream().map(l -> l.substring(3)).toList())
            + "): commit or stash them first (nothing was changed).");
      }
      Git.Result pick = Git.run(project, "cherry-pick", commit);
      if (!pick.ok()) {
        Git.run(project, "cherry-pick", "--abort");
        throw new Refused(409, "The fix does not apply to the current branch: " + (pick.err().isBlank() ? pick.out() : pick.err()).strip()
            + " (aborted: nothing was changed).");
      }
      w.remove(new Worktrees.Worktree(worktreePath(fix), fix.getString("branch")), false);
      return fix;
    })).compose(fix -> setStatus(fix, "applied")).compose(fix -> resolve(fix).map(fix)));
  }

  void discard(Message<JsonObject> msg) {
    answer(msg, fix(msg).compose(fix -> vertx.executeBlocking(() -> {
      worktrees().remove(new Worktrees.Worktree(worktreePath(fix), fix.getString("branch")), true);
      return fix;
    })).compose(fix -> setStatus(fix, "discarded")));
  }

  /**
   * The janitor's part for fixes: those never applied nor discarded and older than {@code maxAge}
   * lose their worktree and branch and become {@code discarded}.
   */
  Future<Integer> expire(Instant now, Duration maxAge) {
    return fixes.find(null, null, FixStore.ALL)
        .compose(all -> {
          List<Future<JsonObject>> done = new ArrayList<>();
          for (Object o : all) {
            JsonObject fix = (JsonObject) o;
            if (!OPEN.contains(fix.getString("status")) || !Instant.parse(fix.getString("createdAt")).isBefore(now.minus(maxAge))) continue;
            done.add(vertx.executeBlocking(() -> {
              worktrees().remove(new Worktrees.Worktree(worktreePath(fix), fix.getString("branch")), true);
              return fix;
            }).compose(f -> setStatus(f, "discarded")));
          }
          return Future.join(done).map(x -> done.size());
        });
  }

  private Future<JsonObject> fix(Message<JsonObject> msg) {
    Object id = msg.body() == null ? null : msg.body().getValue("id");
    if (!(id instanceof Number n)) return Future.failedFuture(new Refused(400, "\"id\" must be a fix's number"));
    return fixes.get(n.longValue())
        .compose(fix -> {
          String status = fix.getString("status");
          if (!OPEN.contains(status)) {
            return Future.failedFuture(new Refused(409, "Fix #" + id + " is " + status + ": there is nothing to apply or discard."));
          }
          return Future.succeededFuture(fix);
        });
  }

  private Future<JsonObject> setStatus(JsonObject fix, String status) {
    return fixes.setStatus(fix.getLong("id"), status);
  }

  private Future<Void> resolve(JsonObject fix) {
    if (fix.getString("fingerprint") == null) return Future.succeededFuture();
    return vertx.eventBus().request(Addresses.ISSUE_STATUS, new JsonObject().put("fingerprint", fix.getString("fingerprint"))
        .put("action", "resolve")).<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  private Worktrees worktrees() {
    Worktrees w = runner.worktrees();
    if (w == null) throw new Refused(503, "Branch delivery is not ready: the project's git repository was not found.");
    return w;
  }

  private static Path worktreePath(JsonObject fix) {
    return fix.getString("worktree") == null ? null : Path.of(fix.getString("worktree"));
  }

  private static List<String> lines(String out) {
    return out.lines().filter(l -> !l.isBlank()).toList();
  }

  private static void answer(Message<JsonObject> msg, Future<JsonObject> result) {
    result.onSuccess(msg::reply).onFailure(e -> {
      if (e instanceof Refused r) msg.fail(r.code, r.getMessage());
      else if (e instanceof ReplyException r) msg.fail(r.failureCode(), r.getMessage());
      else msg.fail(500, String.valueOf(e.getMessage()));
    });
  }
}
