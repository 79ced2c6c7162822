package dev.spark.query;

import dev.spark.ingest.IngestValidator;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * The filters of a fix list ({@code GET /api/v1/fixes}, MCP {@code list_fixes}, {@code spark fixes}):
 * {@code status} and {@code issue} (an issue's fingerprint), checked the same way for every caller.
 * Each check answers the message of the 4xx naming the parameter, or null when the value is fine.
 */
public final class FixFilters {
  public static final Set<String> STATUSES = Set.of("verified", "failed", "unverified", "no-change", "interrupted", "applied", "discarded");

  private FixFilters() {}

  public static String invalidStatus(Object status) {
    if (status == null || status instanceof String s && STATUSES.contains(s)) return null;
    return "status must be one of " + String.join(", ", STATUSES.stream().sorted().toList());
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

  /** The storage request listing fixes, newest first, with the filters given (null: not filtered). */
  public static JsonObject listRequest(String status, String issue) {
    JsonObject req = new JsonObject().put("action", "list").put("limit", 200);
    if (status != null) req.put("status", status);
    if (issue != null) req.put("fingerprint", issue);
    return req;
  }
}
