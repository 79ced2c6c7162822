package dev.spark.issues;

import dev.spark.event.EventRow;
import dev.spark.event.IssueDelivery;
import dev.spark.event.StoredEvent;
import dev.spark.issues.DeliveryPolicy.Delivery;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The delivery decision on its own: typed issue state in, delivery (or none) out; no database. */
class DeliveryPolicyTest {
  private static final String FP = "fp-1";
  private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
  private static final long COOLDOWN = Duration.ofMinutes(10).toMillis();

  @Test
  void anIssueNeverDeliveredIsDeliveredAsNewWithItsFirstOccurrenceInTheBatch() {
    Delivery d = decide(open(false, null, 7, 4), events(10, 11, 12)).orElseThrow();
    assertEquals(10, d.event().id());
    assertEquals(IssueDelivery.NEW, d.issue().kind());
    assertEquals(3, d.issue().inBatch());
    assertEquals(7, d.issue().total());
    assertEquals(4 + 3, d.issue().sinceLastDelivery(), "the suppressed ones before plus this batch's");
    assertNull(d.issue().previousDeliveryAt());
    assertEquals("2026-11-24T09:00:00.000Z", d.issue().firstSeen());
  }

  @Test
  void withinTheCooldownNothingIsDeliveredAndAfterItTheIssueIsStillHappening() {
    String fiveMinutesAgo = "2026-11-24T11:55:00.000Z";
    assertEquals(Optional.empty(), decide(open(false, fiveMinutesAgo, 9, 0), events(20)));

    String elevenMinutesAgo = "2026-11-24T11:49:00.000Z";
    Delivery d = decide(open(false, elevenMinutesAgo, 9, 5), events(20, 21)).orElseThrow();
    assertEquals(IssueDelivery.STILL_HAPPENING, d.issue().kind());
    assertEquals(elevenMinutesAgo, d.issue().previousDeliveryAt());
    assertEquals(7, d.issue().sinceLastDelivery());
    assertNull(d.issue().resolvedAt(), "only a regression names its resolve");
  }

  @Test
  void theCooldownEndsExactlyWhenItHasPassed() {
    String exactlyTenMinutesAgo = "2026-11-24T11:50:00.000Z";
    assertEquals(IssueDelivery.STILL_HAPPENING, decide(open(false, exactlyTenMinutesAgo, 1, 0), events(1)).orElseThrow().issue().kind());
  }

  @Test
  void mutedAndResolvedIssuesAreNeverDelivered() {
    for (IssueState.Status status : List.of(IssueState.Status.MUTED, IssueState.Status.RESOLVED)) {
      IssueState state = new IssueState(status, false, 3, 0, "2026-11-24T09:00:00.000Z", "2026-11-24T11:00:00.000Z", null, null, null);
      assertEquals(Optional.empty(), decide(state, events(1, 2)), status.name());
    }
  }

  @Test
  void aRegressionIsDeliveredAtOnceAsItsFirstOccurrenceAfterTheResolve() {
    String justDelivered = "2026-11-24T11:59:00.000Z";
    IssueState state = new IssueState(IssueState.Status.OPEN, true, 12, 0, "2026-11-24T09:00:00.000Z", "2026-11-24T11:59:30.000Z",
        justDelivered, "2026-11-24T11:30:00.000Z", 31L);
    Delivery d = decide(state, events(30, 31, 32, 33)).orElseThrow();
    assertEquals(IssueDelivery.REGRESSION, d.issue().kind(), "the cooldown does not hold a regression back");
    assertEquals(32, d.event().id(), "30 and 31 were stored before the resolve");
    assertEquals("2026-11-24T11:30:00.000Z", d.issue().resolvedAt());
  }

  @Test
  void aRegressionWithoutAKnownResolvePointStandsAsItsFirstOccurrence() {
    IssueState state = new IssueState(IssueState.Status.OPEN, true, 2, 0, "a", "b", null, "2026-11-24T11:30:00.000Z", null);
    assertEquals(40, decide(state, events(40, 41)).orElseThrow().event().id());
  }

  @Test
  void anIssueWhoseRowIsGoneIsDeliveredAsNewFromTheBatchAlone() {
    Delivery d = DeliveryPolicy.decide(FP, null, events(5, 6), NOW, COOLDOWN).orElseThrow();
    assertEquals(IssueDelivery.NEW, d.issue().kind());
    assertEquals(2, d.issue().total());
    assertEquals(timestamp(5), d.issue().firstSeen());
    assertEquals(timestamp(6), d.issue().lastSeen());
    assertEquals(5, d.event().id());
  }

  @Test
  void aStatusColumnValueSparkDoesNotKnowCountsAsOpen() {
    assertEquals(IssueState.Status.MUTED, IssueState.Status.of("muted"));
    assertEquals(IssueState.Status.RESOLVED, IssueState.Status.of("resolved"));
    assertEquals(IssueState.Status.OPEN, IssueState.Status.of("open"));
    assertEquals(IssueState.Status.OPEN, IssueState.Status.of("something-else"));
    assertTrue(decide(new IssueState(IssueState.Status.of(null), false, 1, 0, "a", "b", null, null, null), events(1)).isPresent());
  }

  private static Optional<Delivery> decide(IssueState state, List<StoredEvent> events) {
    return DeliveryPolicy.decide(FP, state, events, NOW, COOLDOWN);
  }

  private static IssueState open(boolean regression, String lastDeliveredAt, long count, long suppressed) {
    return new IssueState(IssueState.Status.OPEN, regression, count, suppressed, "2026-11-24T09:00:00.000Z",
        "2026-11-24T11:59:00.000Z", lastDeliveredAt, null, null);
  }

  private static List<StoredEvent> events(long... ids) {
    return java.util.Arrays.stream(ids)
        .mapToObj(id -> new StoredEvent(id, new EventRow("server-error", null, timestamp(id), "test", null, null, 500, "{}", FP, null),
            true, NOW.toString()))
        .toList();
  }

  private static String timestamp(long id) {
    return String.format("2026-11-24T11:%02d:00.000Z", id % 60);
  }
}
