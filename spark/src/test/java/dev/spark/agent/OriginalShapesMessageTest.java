package dev.spark.agent;

import dev.spark.event.EventRow;
import dev.spark.event.StoredEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent's message shows the original's process-error fields, and says when Spark filled in the message. */
class OriginalShapesMessageTest {

  @Test
  void processErrorFieldsAndTheFillInAreInTheMessage() {
    JsonObject data = new JsonObject().put("type", "process-error").put("command", "bun run migrate").put("exitCode", 3)
        .put("logFile", "/var/log/migrate.log").put("tail", "relation \"users\" already exists")
        .put("error", new JsonObject().put("message", "process exited with code 3")).put("filledIn", new JsonArray().add("error"));
    StoredEvent e = new StoredEvent(7, new EventRow("process-error", "t-7", "2026-11-24T10:00:00.000Z", "development", null, null, null,
        data.encode()), true, "2026-11-24T10:00:01.000Z");
    StringBuilder m = new StringBuilder();
    AgentMessages.describe(m, e);
    String text = m.toString();
    for (String expected : new String[] {"- command: bun run migrate", "- exit code: 3", "- log file: /var/log/migrate.log",
        "relation \"users\" already exists", "- message: process exited with code 3", "Spark filled it in"}) {
      assertTrue(text.contains(expected), "missing \"" + expected + "\" in:\n" + text);
    }
  }
}
