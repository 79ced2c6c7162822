package dev.spark.event;

/** A validated access-log entry, column for column as it goes into {@code access_logs}. */
public record AccessRow(
    String timestamp,
    String method,
    String path,
    int status,
    Double durationMs,
    String ip,
    String feature,
    String requestId,
    String input,
    String error,
    String userAgent) {

  public long approxBytes() {
    return 128L + 2L * (EventRow.len(path) + EventRow.len(ip) + EventRow.len(feature) + EventRow.len(requestId)
        + EventRow.len(input) + EventRow.len(error) + EventRow.len(userAgent));
  }
}
