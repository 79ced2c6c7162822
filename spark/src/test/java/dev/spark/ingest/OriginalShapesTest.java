package dev.spark.ingest;

import dev.spark.bus.Addresses;
import dev.spark.client.SparkClient;
import dev.spark.support.Await;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The original's own shapes, exactly as its TypeScript types allow them ({@code AccessLog} with
 * snake_case names; every {@code SparkEvent} type, optional fields present and absent), sent over
 * HTTP, the event bus and {@link SparkClient}, and read back column for column from the SQLite file
 * and through {@code GET /api/v1/access} and {@code GET /api/v1/events/{id}}: equal to what was sent,
 * after redaction (the {@code password} in the input) and the documented fill-ins.
 */
@ExtendWith(VertxExtension.class)
class OriginalShapesTest {
  private static final String TS = "2026-02-15T23:50:00.000Z";

  /** The original's AccessLog: every field, and the required ones only. */
  private static Map<String, JsonObject> accessShapes() {
    Map<String, JsonObject> shapes = new LinkedHashMap<>();
    shapes.put("AccessLog, every field", new JsonObject().put("timestamp", TS).put("method", "POST").put("path", "/api/users/42")
        .put("status", 201).put("duration_ms", 0.37).put("ip", "10.0.0.7").put("feature", "create-user")
        .put("request_id", "req-orig-1").put("input", "{\"name\":\"ada\"}").put("error", "slow upstream")
        .put("user_agent", "curl/8.5.0"));
    shapes.put("AccessLog, required only", new JsonObject().put("timestamp", TS).put("method", "GET").put("path", "/health")
        .put("status", 200).put("duration_ms", 0.012));
    return shapes;
  }

  /** Every SparkEvent type, with every optional field and with the required ones only, plus the original's own process-error. */
  private static Map<String, JsonObject> eventShapes() {
    Map<String, JsonObject> shapes = new LinkedHashMap<>();
    for (String type : List.of("server-error", "unhandled-error", "process-error", "rate-limit")) {
      shapes.put(type + ", every field", new JsonObject().put("type", type).put("traceId", "trace-" + type).put("timestamp", TS)
          .put("environment", "production").put("feature", "checkout").put("route", "POST /api/orders").put("status", 503)
          .put("error", new JsonObject().put("message", "Connection refused").put("stack", "Error: Connection refused\n    at db.ts:12:3"))
          .put("request", new JsonObject().put("input", new JsonObject().put("sku", "A-1").put("password", "hunter2")))
          .put("command", "bun run build").put("exitCode", 3).put("logFile", "/tmp/build.log").put("tail", "error: ENOSPC\nexit 3"));
      shapes.put(type + ", required only", new JsonObject().put("type", type).put("traceId", "trace-min-" + type));
    }
    shapes.put("process-error as the original sends it", new JsonObject().put("type", "process-error").put("traceId", "trace-proc")
        .put("command", "bun run migrate").put("exitCode", 3).put("logFile", "/var/log/migrate.log").put("tail", "relation exists"));
    shapes.put("rate-limit as the original sends it", new JsonObject().put("type", "rate-limit").put("traceId", "trace-429")
        .put("route", "GET /api/search").put("status", 429).put("feature", "search"));
    return shapes;
  }

  @Test
  void theOriginalsShapesAreStoredAsSentOverEveryEntryPoint(Vertx vertx, @TempDir Path dir) throws Exception {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    SparkClient client = SparkClient.create(vertx);
    Map<String, Function<JsonObject, Future<Long>>> accessVia = Map.of(
        "HTTP", a -> spark.post("/api/v1/access", a).map(r -> r.bodyAsJsonObject().getJsonArray("ids").getLong(0)),
        "event bus", a -> vertx.eventBus().<JsonObject>request(Addresses.INGEST_ACCESS, a).map(m -> m.body().getJsonArray("ids").getLong(0)),
        "SparkClient", a -> client.storeAccess(a).map(ids -> ids.get(0)));
    Map<String, Function<JsonObject, Future<Long>>> eventVia = Map.of(
        "HTTP", e -> spark.post("/api/v1/events", e).map(r -> r.bodyAsJsonObject().getJsonArray("ids").getLong(0)),
        "event bus", e -> vertx.eventBus().<JsonObject>request(Addresses.INGEST_EVENT, e).map(m -> m.body().getJsonArray("ids").getLong(0)),
        "SparkClient", e -> client.storeEvent(e).map(ids -> ids.get(0)));

    JsonArray listed = null;
    for (var via : accessVia.entrySet()) {
      for (var shape : accessShapes().entrySet()) {
        String what = shape.getKey() + " over " + via.getKey();
        long id = Await.result(via.getValue().apply(shape.getValue().copy()));
        JsonObject sent = shape.getValue();
        Map<String, Object> row = row(spark.db, "SELECT * FROM access_logs WHERE id = ?", id);
        assertEquals(sent.getString("timestamp"), row.get("timestamp"), what);
        assertEquals(sent.getString("method"), row.get("method"), what);
        assertEquals(sent.getString("path"), row.get("path"), what);
        assertEquals(sent.getInteger("status"), ((Number) row.get("status")).intValue(), what);
        assertEquals(sent.getDouble("duration_ms"), ((Number) row.get("duration_ms")).doubleValue(), what + ": duration_ms as sent, fraction kept");
        assertEquals(sent.getString("ip"), row.get("ip"), what);
        assertEquals(sent.getString("feature"), row.get("feature"), what);
        assertEquals(sent.getString("request_id"), row.get("request_id"), what);
        assertEquals(sent.getString("input") == null ? null : Json.encode(sent.getString("input")), row.get("input"),
            what + ": input as its JSON text");
        assertEquals(sent.getString("error"), row.get("error"), what);
        assertEquals(sent.getString("user_agent"), row.get("user_agent"), what);

        listed = spark.getJson("/api/v1/access?limit=500").getJsonArray("access");
        JsonObject api = find(listed, id);
        assertNotNull(api, what + ": listed by GET /api/v1/access");
        assertEquals(sent.getDouble("duration_ms"), api.getDouble("durationMs"), what);
        assertEquals(sent.getString("request_id"), api.getString("requestId"), what);
        assertEquals(sent.getString("user_agent"), api.getString("userAgent"), what);
        assertEquals(sent.getString("input"), api.getValue("input"), what);
        assertEquals(sent.getString("ip"), api.getString("ip"), what);
        assertEquals(sent.getString("error"), api.getString("error"), what);
      }
    }

    for (var via : eventVia.entrySet()) {
      for (var shape : eventShapes().entrySet()) {
        String what = shape.getKey() + " over " + via.getKey();
        JsonObject sent = shape.getValue();
        long id = Await.result(via.getValue().apply(sent.copy()));
        Map<String, Object> row = row(spark.db, "SELECT * FROM events WHERE id = ?", id);
        JsonObject expected = expectedData(sent);
        JsonObject data = new JsonObject((String) row.get("data"));
        if (!sent.containsKey("timestamp")) {
          assertNotNull(dev.spark.event.Timestamps.parse(data.getString("timestamp")), what + ": a missing timestamp is now");
          expected.put("timestamp", data.getString("timestamp"));
        }
        if ("SparkClient".equals(via.getKey())) {
          assertNotNull(data.getString("eventId"), what + ": the client sets an eventId");
          assertEquals(data.getString("eventId"), row.get("event_id"), what);
          expected.put("eventId", data.getString("eventId"));
        } else {
          assertNull(row.get("event_id"), what);
        }
        assertEquals(expected, data, what + ": data");
        assertEquals(sent.getString("type"), row.get("type"), what);
        assertEquals(sent.getString("traceId"), row.get("trace_id"), what);
        assertEquals(expected.getString("timestamp"), row.get("timestamp"), what);
        assertEquals(expected.getString("environment"), row.get("environment"), what);
        assertEquals(sent.getString("feature"), row.get("feature"), what);
        assertEquals(sent.getString("route"), row.get("route"), what);
        assertEquals(sent.getInteger("status"), row.get("status") == null ? null : ((Number) row.get("status")).intValue(), what);
        assertEquals(0, ((Number) row.get("consumed")).intValue(), what);
        assertNotNull(row.get("fingerprint"), what);

        JsonObject api = spark.getJson("/api/v1/events/" + id);
        assertEquals(expected, api.getJsonObject("data"), what + ": GET /api/v1/events/{id}");
        assertEquals(sent.getString("traceId"), api.getString("traceId"), what);
        assertEquals(sent.getString("route"), api.getString("route"), what);
        assertEquals(sent.getInteger("status"), api.getInteger("status"), what);
        assertEquals(expected.getString("environment"), api.getString("environment"), what);
      }
    }
    assertEquals(3L * accessShapes().size(), spark.count("SELECT count(*) FROM access_logs"));
    assertEquals(3L * eventShapes().size(), spark.count("SELECT count(*) FROM events"));
    assertTrue(listed.size() >= accessShapes().size());
  }

  /** What {@code data} holds for an event sent as {@code sent}: the event, redacted, with the documented fill-ins. */
  private static JsonObject expectedData(JsonObject sent) {
    JsonObject e = sent.copy();
    if (e.getJsonObject("request") != null) e.getJsonObject("request").getJsonObject("input").put("password", "[REDACTED]");
    if (!e.containsKey("environment")) e.put("environment", "test");
    String type = e.getString("type");
    if (!"rate-limit".equals(type) && e.getJsonObject("error") == null) {
      String message = e.getValue("exitCode") != null ? "process exited with code " + e.getValue("exitCode") : "(no message)";
      e.put("error", new JsonObject().put("message", message)).put("filledIn", new JsonArray().add("error"));
    }
    return e;
  }

  private static JsonObject find(JsonArray rows, long id) {
    for (int i = 0; i < rows.size(); i++) if (rows.getJsonObject(i).getLong("id") == id) return rows.getJsonObject(i);
    return null;
  }

  /** One row straight from the file, every column by name. */
  static Map<String, Object> row(Path db, String sql, Object... args) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); PreparedStatement st = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) st.setObject(i + 1, args[i]);
      try (ResultSet rs = st.executeQuery()) {
        assertTrue(rs.next(), "no row for " + sql);
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          // sqlite-jdbc hands a REAL column over as a float; the double stored is what is compared
          Object v = rs.getObject(i);
          row.put(rs.getMetaData().getColumnName(i), v instanceof Float ? (Object) rs.getDouble(i) : v);
        }
        return row;
      }
    }
  }
}
