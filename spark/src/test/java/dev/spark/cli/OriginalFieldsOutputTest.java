package dev.spark.cli;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** bin/spark events shows the original's process-error and rate-limit fields in its MESSAGE column. */
class OriginalFieldsOutputTest {

  private static JsonObject event(JsonObject data) {
    return new JsonObject().put("data", data);
  }

  @Test
  void durationsAreShownAsStored() {
    assertEquals("12", Output.ms(12.0));
    assertEquals("0.214", Output.ms(0.214));
    assertEquals("-", Output.ms(null));
  }

  @Test
  void processErrorAndRateLimitFieldsAreShown() {
    // The original's process-error: no error of its own, the message filled in by Spark from exitCode.
    assertEquals("process exited with code 3 ($ bun run build)", Output.message(event(new JsonObject().put("type", "process-error")
        .put("command", "bun run build").put("exitCode", 3)
        .put("error", new JsonObject().put("message", "process exited with code 3")))));
    assertEquals("boom ($ make, exit 2)", Output.message(event(new JsonObject().put("type", "process-error")
        .put("command", "make").put("exitCode", 2).put("error", new JsonObject().put("message", "boom")))));
    assertEquals("rate limited 10.0.0.1, limit 100, retry after 30", Output.message(event(new JsonObject().put("type", "rate-limit")
        .put("ip", "10.0.0.1").put("limit", 100).put("retryAfter", 30))));
    assertEquals("Connection refused", Output.message(event(new JsonObject().put("type", "server-error")
        .put("error", new JsonObject().put("message", "Connection refused")))));
  }
}
