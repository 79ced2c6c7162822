package dev.spark.bus;

import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Set;

/**
 * What the alert sender asks storage about the alert outbox at {@link Addresses#STORAGE_ALERTS}:
 * the deliveries due now, and what one attempt came to. Each operation is answered with its reply type
 * {@code R}. Storage also publishes the deliveries a commit just wrote, as {@link Committed}, at
 * {@link Addresses#ALERTS_PENDING}. All travel within one JVM only (local codecs, see
 * {@link EventBusCodecs}).
 *
 * @param <R> the reply storage answers with
 */
public sealed interface AlertOp<R extends AlertOp.Reply> {

  /**
   * Up to {@code limit} pending deliveries due by {@code nowMs} (epoch ms), leaving out {@code inFlight}
   * (the outbox ids being sent), and when the next one not yet due is.
   */
  record ListDue(long nowMs, int limit, Set<Long> inFlight) implements AlertOp<Due> {
    public ListDue {
      if (limit < 1) throw new IllegalArgumentException("limit must be at least 1 (got " + limit + ")");
      inFlight = Set.copyOf(inFlight);
    }
  }

  /**
   * One attempt's result for the outbox row {@code id}: delivered; or not, with {@code error}, to be
   * tried again at {@code retryAtMs} when {@code retry} and fewer than {@code maxAttempts} were made,
   * else dropped.
   */
  record RecordAttempt(long id, boolean delivered, boolean retry, String error, long retryAtMs, int maxAttempts)
      implements AlertOp<Recorded> {
    public RecordAttempt {
      if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1 (got " + maxAttempts + ")");
    }
  }

  /**
   * One outbox row to send: {@code id} the row, {@code deliveryId} the idempotency key sent with every
   * attempt, {@code payload} the alert as written in the triggering transaction (a copy: the sender may
   * not change what storage holds), {@code attempts} made so far.
   */
  record Outgoing(long id, String deliveryId, String rule, String target, String kind, JsonObject payload, int attempts) {
    public Outgoing {
      payload = payload.copy();
    }
  }

  /** Published by storage after a commit that wrote alerts: their rows, to send at once. */
  record Committed(List<Outgoing> deliveries) {
    public Committed {
      deliveries = List.copyOf(deliveries);
    }
  }

  /** What storage answers. */
  sealed interface Reply {}

  /** The due deliveries, oldest first, and the epoch ms of the next pending one not yet due (null for none). */
  record Due(List<Outgoing> deliveries, Long nextAt) implements Reply {
    public Due {
      deliveries = List.copyOf(deliveries);
    }
  }

  /** The row's status after the attempt (pending, delivered, dropped; gone when it no longer exists) and its attempts. */
  record Recorded(String status, int attempts) implements Reply {}
}
