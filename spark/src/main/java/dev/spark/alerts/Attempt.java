package dev.spark.alerts;

/**
 * What one attempt to deliver came to: delivered; failed and worth retrying (a 5xx, 408 or 429, a
 * timeout, a refused connection, an SMTP 4xx); or failed for good (any other 4xx, an SMTP 5xx), which
 * no retry would change. {@code error} says why, without the target's secrets.
 */
public record Attempt(boolean delivered, boolean retry, String error) {
  public static Attempt ok() {
    return new Attempt(true, false, null);
  }

  public static Attempt retry(String error) {
    return new Attempt(false, true, error);
  }

  public static Attempt fail(String error) {
    return new Attempt(false, false, error);
  }

  /** An HTTP answer's status as an attempt. */
  public static Attempt ofHttpStatus(int status, String reason) {
    if (status >= 200 && status < 300) return ok();
    String error = "HTTP " + status + (reason == null || reason.isBlank() ? "" : " " + reason);
    return status >= 500 || status == 408 || status == 429 ? retry(error) : fail(error);
  }
}
