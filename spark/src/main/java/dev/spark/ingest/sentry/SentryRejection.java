package dev.spark.ingest.sentry;

/**
 * A Sentry request Spark refuses before storing anything: the HTTP status (400 bad framing or
 * payload, 401 no key, 403 wrong key, 413 over a size limit) and a message naming what is wrong.
 */
public final class SentryRejection extends RuntimeException {
  private final int status;

  public SentryRejection(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }

  static SentryRejection malformed(String message) {
    return new SentryRejection(400, message);
  }

  static SentryRejection tooLarge(String message) {
    return new SentryRejection(413, message);
  }
}
