package dev.spark.bus;

import dev.spark.event.EventBatch;

import java.util.List;

/**
 * What an agent asks storage about the batches held for it at {@link Addresses#STORAGE_OUTBOX}
 * (consumed for it, not yet taken by its process). Each operation is answered with its reply type
 * {@code R}; both travel within one JVM only (local codecs, see {@link EventBusCodecs}).
 *
 * @param <R> the reply storage answers with
 */
public sealed interface OutboxOp<R extends OutboxOp.Reply> {

  /** The subscriber's held batches, oldest first (batches whose events are all gone are dropped). */
  record ListHeld(String subscriber) implements OutboxOp<Held> {
    public ListHeld {
      requireSubscriber(subscriber);
    }
  }

  /** The subscriber has taken the batch that starts at event {@code firstId}: storage no longer holds it. */
  record Release(String subscriber, long firstId) implements OutboxOp<Released> {
    public Release {
      requireSubscriber(subscriber);
    }
  }

  /** What storage answers. */
  sealed interface Reply {}

  /** A held batch and the id of its first event, the key to release it by. */
  record HeldBatch(long firstId, EventBatch batch) {}

  /** The held batches, oldest first. */
  record Held(List<HeldBatch> batches) implements Reply {
    public Held {
      batches = List.copyOf(batches);
    }
  }

  /** How many batches were removed (0 when it was released before). */
  record Released(int batches) implements Reply {}

  private static void requireSubscriber(String subscriber) {
    if (subscriber == null || subscriber.isEmpty()) throw new IllegalArgumentException("an outbox operation needs a subscriber id");
  }
}
