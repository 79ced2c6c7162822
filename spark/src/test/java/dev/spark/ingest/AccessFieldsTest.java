package dev.spark.ingest;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The access-log field names Spark keeps, in both spellings, and only those. */
class AccessFieldsTest {
  static final List<String> DOCUMENTED = List.of("timestamp", "method", "path", "status", "durationMs", "duration_ms", "ip",
      "feature", "requestId", "request_id", "input", "error", "userAgent", "user_agent");

  @Test
  void everyDocumentedNameIsKnownAndNothingElse() {
    for (String name : DOCUMENTED) assertTrue(AccessFields.known(name), name);
    for (String other : List.of("", "Timestamp", "durationms", "duration-ms", "userAgent ", "tenant", "id", "type", "requestid", "inputs")) {
      assertFalse(AccessFields.known(other), other);
    }
  }

  @Test
  void anEntryWithEveryFieldInBothSpellingsHasNoneToNameBack() {
    JsonObject entry = new JsonObject();
    for (String name : DOCUMENTED) entry.put(name, switch (name) {
      case "status" -> 200;
      case "durationMs", "duration_ms" -> 1.5;
      case "input" -> new JsonObject().put("q", "x");
      case "timestamp" -> "2026-12-07T01:00:00.000Z";
      case "ip" -> "127.0.0.1";
      default -> "v";
    });
    AccessFields.Unknown unknown = AccessFields.unknown(entry.copy().put("tenant", "a").put("shard", 2));
    assertEquals(List.of("tenant", "shard"), unknown.names());
    assertEquals(2, unknown.count());
    assertEquals(0, AccessFields.unknown(entry).count());
  }
}
