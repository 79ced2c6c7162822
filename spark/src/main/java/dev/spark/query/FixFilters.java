package dev.spark.query;

import dev.spark.bus.FixOp;
import dev.spark.ingest.IngestValidator;

/**
 * The filters of a fix list ({@code GET /api/v1/fixes}, MCP {@code list_fixes}, {@code spark fixes}):
 * {@code status} and {@code issue} (an issue's fingerprint), checked the same way for every caller.
 * Each check answers the message of the 4xx naming the parameter, or null when the value is fine.
 */
public final class FixFilters {
  private FixFilters() {}

  public static String invalidStatus(Object status) {
    if (status == null || status instanceof String s && FixOp.STATUSES.contains(s)) return null;
    return "status must be one of " + String.join(", ", FixOp.STATUSES.stream().sorted().toList());
  }

  /** A fingerprint as issues have them: 1 to 256 characters, none of them a control character. */
  public static String invalidIssue(Object issue) {
    if (issue == null) return null;
    if (issue instanceof String s && !s.isEmpty() && s.length() <= IngestValidator.FINGERPRINT_MAX_CHARS
        && s.chars().noneMatch(Character::isISOControl)) {
      return null;
    }
    return "issue must be an issue's fingerprint (1 to " + IngestValidator.FINGERPRINT_MAX_CHARS
        + " characters, no control characters), as GET /api/v1/issues lists them";
  }

  /** The storage request listing fixes, newest first (the 200 newest), with the filters given (null: not filtered). */
  public static FixOp.Find listRequest(String status, String issue) {
    return new FixOp.Find(status, issue, 200);
  }
}
