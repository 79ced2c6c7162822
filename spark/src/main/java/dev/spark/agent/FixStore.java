package dev.spark.agent;

import dev.spark.bus.Addresses;
import dev.spark.bus.FixOp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The agent's side of the fix records storage keeps: {@link FixOp}s at {@link Addresses#STORAGE_FIXES}. */
final class FixStore {
  /** Enough for every fix a project keeps (the janitor discards old ones). */
  static final int ALL = 1000;

  private final Vertx vertx;

  FixStore(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Records a fix; with {@code firstId} ≥ 0, its batch leaves the agent's outbox in the same transaction. */
  Future<JsonObject> record(JsonObject fix, long firstId) {
    FixOp.Release release = firstId < 0 ? null : new FixOp.Release(AgentVerticle.SUBSCRIBER_ID, firstId);
    return ask(new FixOp.Record(fix, release)).map(FixOp.Fix::json);
  }

  Future<JsonObject> get(long id) {
    return ask(new FixOp.Get(id)).map(FixOp.Fix::json);
  }

  /** A new status for the fix, whose worktree is gone. */
  Future<JsonObject> setStatus(long id, String status) {
    return ask(new FixOp.SetStatus(id, status, null)).map(FixOp.Fix::json);
  }

  /** The newest {@code limit} fixes with {@code status} for the issue {@code fingerprint} (null: any), newest first. */
  Future<JsonArray> find(String status, String fingerprint, int limit) {
    return ask(new FixOp.Find(status, fingerprint, limit)).map(FixOp.Fixes::fixes);
  }

  private <R extends FixOp.Reply> Future<R> ask(FixOp<R> op) {
    return vertx.eventBus().<R>request(Addresses.STORAGE_FIXES, op).map(Message::body);
  }
}
