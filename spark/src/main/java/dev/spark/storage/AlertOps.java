package dev.spark.storage;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/** Reads a request on {@code Addresses.STORAGE_ALERTS} and runs it on the writer thread. */
final class AlertOps {
  private AlertOps() {}

  static Object run(SqliteDatabase db, JsonObject body) throws SQLException {
    JsonObject b = body == null ? new JsonObject() : body;
    String action = b.getString("action", "");
    switch (action) {
      case "due" -> {
        Set<Long> inFlight = new HashSet<>();
        for (Object o : b.getJsonArray("inFlight", new JsonArray())) if (o instanceof Number n) inFlight.add(n.longValue());
        return AlertDeliveries.due(db, b.getLong("now", System.currentTimeMillis()), b.getInteger("limit", 50), inFlight);
      }
      case "attempted" -> {
        return AlertDeliveries.attempted(db, b.getLong("id"), b.getBoolean("delivered", false), b.getBoolean("retry", false),
            b.getString("error"), b.getLong("retryAt", 0L), b.getInteger("maxAttempts", 1));
      }
      default -> throw new StorageVerticle.Refusal(400, "expected an action: due or attempted");
    }
  }
}
