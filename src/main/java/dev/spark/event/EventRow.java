package dev.spark.event;

/** A validated, redacted and capped error event, column for column as it goes into {@code events}. */
public record EventRow(
    String type,
    String traceId,
    String timestamp,
    String environment,
    String feature,
    String route,
    Integer status,
    String data) {

  /** A rough in-memory size, used to bound the storage queue by bytes. */
  public long approxBytes() {
    return 128L + 2L * (data.length() + len(traceId) + len(feature) + len(route));
  }

  static int len(String s) {
    return s == null ? 0 : s.length();
  }
}
