package dev.spark.issues;

/**
 * What the delivery decision needs to know about an issue, as stored when its occurrences are
 * consumed (timestamps in Spark's ISO-8601 format; null where the column is).
 *
 * @param status                  open, resolved or muted
 * @param regression              it occurred again after being resolved and has not been delivered since
 * @param count                   occurrences stored so far (pending ones included)
 * @param suppressedSinceDelivery occurrences consumed without delivery since its last delivery
 * @param lastDeliveredAt         when it was last delivered (null: never)
 * @param resolvedAt              when it was last resolved
 * @param resolvedThroughEventId  the last occurrence stored before that resolve
 */
public record IssueState(
    Status status,
    boolean regression,
    long count,
    long suppressedSinceDelivery,
    String firstSeen,
    String lastSeen,
    String lastDeliveredAt,
    String resolvedAt,
    Long resolvedThroughEventId) {

  public enum Status {
    OPEN, RESOLVED, MUTED;

    /** The {@code issues.status} column's value ({@code open}, {@code resolved}, {@code muted}); anything else counts as open. */
    public static Status of(String column) {
      if ("resolved".equals(column)) return RESOLVED;
      if ("muted".equals(column)) return MUTED;
      return OPEN;
    }
  }
}
