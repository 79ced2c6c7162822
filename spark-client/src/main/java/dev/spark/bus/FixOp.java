package dev.spark.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * What the agent, the HTTP API and MCP ask storage about fix records at {@link Addresses#STORAGE_FIXES}.
 * Each operation is answered with its reply type {@code R}; both travel within one JVM only (local
 * codecs, see {@link EventBusCodecs}). A fix is the JSON object {@code GET /api/v1/fixes/{id}} shows.
 *
 * @param <R> the reply storage answers with
 */
public sealed interface FixOp<R extends FixOp.Reply> {
  /** Every status a fix can have. */
  Set<String> STATUSES = Set.of("verified", "failed", "unverified", "no-change", "interrupted", "applied", "discarded");

  /**
   * Records a new fix (its fields without {@code id}, {@code createdAt}, {@code updatedAt}). With
   * {@code release}, the batch the fix was made for leaves the agent's outbox in the same transaction:
   * a crash leaves both or neither, so a batch is fixed again exactly when no fix was recorded for it.
   */
  record Record(JsonObject fix, Release release) implements FixOp<Fix> {
    public Record {
      requireStatus(fix.getString("status"));
      fix = fix.copy();
    }
  }

  /** The agent outbox's batch a fix was made for: its subscriber and the id of its first event. */
  record Release(String subscriber, long firstId) {
    public Release {
      if (subscriber == null || subscriber.isEmpty()) throw new IllegalArgumentException("a release needs a subscriber id");
    }
  }

  /** A fix's new status (its worktree, null once removed); answered with the fix, or failed 404. */
  record SetStatus(long id, String status, String worktree) implements FixOp<Fix> {
    public SetStatus {
      requireStatus(status);
    }
  }

  /** One fix; failed 404 when there is none with that id. */
  record Get(long id) implements FixOp<Fix> {}

  /** Fixes newest first, with the given status and for the given issue (null: any), at most {@code limit} (1 to 1,000). */
  record Find(String status, String fingerprint, int limit) implements FixOp<Fixes> {
    public Find {
      if (status != null) requireStatus(status);
      if (limit < 1 || limit > 1000) throw new IllegalArgumentException("limit must be 1 to 1000, not " + limit);
    }
  }

  /** What storage answers, as the HTTP API shows it. */
  sealed interface Reply {
    JsonObject toJson();
  }

  /** One fix. */
  record Fix(JsonObject json) implements Reply {
    @Override
    public JsonObject toJson() {
      return json;
    }
  }

  /** A list of fixes, newest first. */
  record Fixes(JsonArray fixes) implements Reply {
    @Override
    public JsonObject toJson() {
      return new JsonObject().put("fixes", fixes);
    }
  }

  private static void requireStatus(String status) {
    if (!STATUSES.contains(status)) {
      throw new IllegalArgumentException("a fix's status is one of " + String.join(", ", STATUSES.stream().sorted().toList()) + ", not " + status);
    }
  }
}
