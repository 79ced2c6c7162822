package dev.spark.event;

/**
 * A validated, redacted and capped error event, column for column as it goes into {@code events}.
 * {@code fingerprint} groups it with the other occurrences of the same problem (see
 * {@link Fingerprinter}); null only for rows stored before fingerprints existed. {@code summary} is
 * what its issue shows (exception class, message, top frame): set on rows fresh from validation,
 * null on rows read back from the database. {@code eventId} is the client's own id for the event
 * (retries with it are stored once), or null.
 */
public record EventRow(
    String type,
    String traceId,
    String timestamp,
    String environment,
    String feature,
    String route,
    Integer status,
    String data,
    String fingerprint,
    IssueSummary summary,
    String eventId) {

  /** A row without a client-supplied {@code eventId}. */
  public EventRow(String type, String traceId, String timestamp, String environment, String feature, String route,
      Integer status, String data, String fingerprint, IssueSummary summary) {
    this(type, traceId, timestamp, environment, feature, route, status, data, fingerprint, summary, null);
  }

  /** A row without a fingerprint (as stored before fingerprints existed). */
  public EventRow(String type, String traceId, String timestamp, String environment, String feature, String route,
      Integer status, String data) {
    this(type, traceId, timestamp, environment, feature, route, status, data, null, null);
  }

  /** A rough in-memory size, used to bound the storage queue by bytes. */
  public long approxBytes() {
    return 160L + 2L * (data.length() + len(traceId) + len(eventId) + len(feature) + len(route) + len(fingerprint)
        + (summary == null ? 0 : len(summary.message()) + len(summary.errorClass()) + len(summary.culprit())));
  }

  static int len(String s) {
    return s == null ? 0 : s.length();
  }
}
