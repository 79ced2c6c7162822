package dev.spark.storage;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;

/**
 * Answers the local hand-overs of one committed group from the writer thread, with one task per
 * caller event loop: it completes each write of that loop in group order, on the write's own context
 * (at once when that is the task's context, else queued on the same thread, with no wake-up).
 * Answering each write with a task of its own from the storage verticle's context cost that context
 * a task per group and one per write, and the callers' event loops a cross-thread task, often a
 * wake-up, per write (BENCHMARKS.md, session 8). A write already answered (its timeout) is skipped, as
 * {@link LocalReply} would.
 */
final class LocalAnswers {
  /** Per target: the event-loop thread (or, for a worker context, the context itself) and its writes. */
  private final List<Object> targets = new ArrayList<>(4);
  private final List<List<LocalReply>> replies = new ArrayList<>(4);
  private final List<List<long[]>> ids = new ArrayList<>(4);
  private final Context fallback;
  private Runnable onAnswered;

  /** {@code fallback} (the storage verticle's context) completes writes from no context: no caller's code runs on the writer thread. */
  LocalAnswers(Context fallback) {
    this.fallback = fallback;
  }

  /** Takes {@code reply}'s answer if it is still unanswered. */
  void add(LocalReply reply, long[] committed) {
    if (!reply.claim()) return;
    onAnswered = reply.onAnswered;
    Object target = reply.loop != null ? reply.loop : reply.caller != null ? reply.caller : fallback;
    int i = indexOf(target);
    if (i < 0) {
      i = targets.size();
      targets.add(target);
      replies.add(new ArrayList<>());
      ids.add(new ArrayList<>());
    }
    replies.get(i).add(reply);
    ids.get(i).add(committed);
  }

  private int indexOf(Object target) {
    for (int i = 0; i < targets.size(); i++) if (targets.get(i) == target) return i;
    return -1;
  }

  /** Sends the answers taken: the admission forgets them first, then one task per target. */
  void send() {
    if (onAnswered != null) onAnswered.run();
    for (int i = 0; i < targets.size(); i++) {
      List<LocalReply> these = replies.get(i);
      List<long[]> theirIds = ids.get(i);
      Context first = these.get(0).caller;
      (first == null ? fallback : first).runOnContext(v -> complete(these, theirIds));
    }
  }

  private static void complete(List<LocalReply> these, List<long[]> theirIds) {
    Context here = Vertx.currentContext();
    for (int j = 0; j < these.size(); j++) {
      LocalReply r = these.get(j);
      long[] committed = theirIds.get(j);
      if (r.caller == null || r.caller == here) r.promise.complete(committed);
      else r.caller.runOnContext(v -> r.promise.complete(committed));
    }
  }
}
