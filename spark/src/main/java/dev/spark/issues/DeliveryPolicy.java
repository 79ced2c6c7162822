package dev.spark.issues;

import dev.spark.event.IssueDelivery;
import dev.spark.event.StoredEvent;
import dev.spark.event.Timestamps;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Whether an issue's occurrences in a consumed batch are delivered, and as what (see README,
 * "Issues"): muted and resolved issues never are; a regression and a new issue at once; an issue
 * delivered before only when its cooldown has passed since then. One event stands for the issue:
 * its first occurrence in the batch, for a regression its first occurrence after the resolve.
 */
public final class DeliveryPolicy {
  private DeliveryPolicy() {}

  /** The event that stands for the issue in its batch, and what the agent is told about the issue. */
  public record Delivery(StoredEvent event, IssueDelivery issue) {}

  /**
   * @param state  the issue as stored, or null when its row is gone (an aged issue removed while its
   *               events waited): then it is delivered as new
   * @param events the issue's occurrences in this batch, oldest first (at least one)
   * @return the delivery, or empty when the occurrences are consumed without one
   */
  public static Optional<Delivery> decide(String fingerprint, IssueState state, List<StoredEvent> events, Instant now, long cooldownMs) {
    int n = events.size();
    if (state == null) {
      return Optional.of(new Delivery(events.get(0), new IssueDelivery(fingerprint, IssueDelivery.NEW, n, n, n, null, null,
          events.get(0).row().timestamp(), events.get(n - 1).row().timestamp())));
    }
    if (state.status() != IssueState.Status.OPEN) return Optional.empty();
    String previous = state.lastDeliveredAt();
    String kind;
    if (state.regression()) {
      kind = IssueDelivery.REGRESSION;
    } else if (previous == null) {
      kind = IssueDelivery.NEW;
    } else {
      Instant last = Timestamps.parse(previous);
      if (last != null && now.toEpochMilli() - last.toEpochMilli() < cooldownMs) return Optional.empty();
      kind = IssueDelivery.STILL_HAPPENING;
    }
    boolean regression = IssueDelivery.REGRESSION.equals(kind);
    IssueDelivery delivery = new IssueDelivery(fingerprint, kind, n, state.count(), state.suppressedSinceDelivery() + n, previous,
        regression ? state.resolvedAt() : null, state.firstSeen(), state.lastSeen());
    return Optional.of(new Delivery(regression ? firstAfter(state.resolvedThroughEventId(), events) : events.get(0), delivery));
  }

  /** The first occurrence stored after the resolve (older ones may wait in the same batch); the first when unknown. */
  private static StoredEvent firstAfter(Long resolvedThrough, List<StoredEvent> events) {
    if (resolvedThrough != null) {
      for (StoredEvent e : events) if (e.id() > resolvedThrough) return e;
    }
    return events.get(0);
  }
}
