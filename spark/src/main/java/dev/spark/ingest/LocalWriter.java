package dev.spark.ingest;

import dev.spark.bus.WriteRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

/**
 * The storage writer of this Vert.x instance, reached without the event bus: the rows go straight
 * onto its queue, and the future completes on the caller's context once they are committed. An
 * event-bus request and its reply cost a reply consumer, a timer, two messages and a context per
 * reply (BENCHMARKS.md, issue 14); this costs one task on the caller's context. Storage registers
 * itself while it runs; without it the {@link Ingestor} sends to {@code spark.storage.write}.
 */
public interface LocalWriter extends Shareable {
  /**
   * How long a write waits for its answer, over the bus or handed over, before it is answered 503
   * "may still be stored" (a write queued behind a long VACUUM, a writer that hangs).
   */
  long ANSWER_TIMEOUT_MS = 60_000;

  /**
   * Completes with the committed rows' ids, in order; fails as the bus consumer does, with a
   * {@link io.vertx.core.eventbus.ReplyException} carrying 503 (queue full, shutting down, cannot write).
   */
  Future<long[]> write(WriteRequest req);

  static void register(Vertx vertx, LocalWriter writer) {
    registry(vertx).put(LocalWriter.class.getName(), writer);
  }

  static void unregister(Vertx vertx, LocalWriter writer) {
    registry(vertx).removeIfPresent(LocalWriter.class.getName(), writer);
  }

  /** The writer registered in this Vert.x instance, or null. */
  static LocalWriter of(Vertx vertx) {
    return registry(vertx).get(LocalWriter.class.getName());
  }

  private static LocalMap<String, LocalWriter> registry(Vertx vertx) {
    return vertx.sharedData().getLocalMap(LocalWriter.class.getName());
  }
}
