package dev.spark.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The bodies the workloads send. Access log number n has the same column values in every workload
 * (the sqlite-jdbc baselines included), so they all insert the same rows and the same index keys.
 *
 * <p>{@code requestId} (indexed by {@code idx_access_logs_request_id}) is, by default, unique and
 * increasing ("req-000000000042", like time-ordered ids such as UUIDv7/ULID), so index inserts
 * append. With {@code --request-ids=cycled} it cycles through 6,400 values instead, which spreads
 * the inserts over the whole index like random ids do; that makes every workload I/O-heavier.
 */
final class Payloads {
  static final int CYCLE = 6_400;
  static volatile boolean cycledIds;

  static final String STACK = String.join("\n",
      "Error: Connection refused",
      "    at Socket.connect (node:net:1187:16)",
      "    at PgPool.acquire (/app/node_modules/pg-pool/index.js:45:11)",
      "    at UserRepository.create (/app/src/users/repository.ts:88:21)",
      "    at UserService.create (/app/src/users/service.ts:41:30)",
      "    at createUser (/app/src/users/routes.ts:27:18)",
      "    at Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5)",
      "    at next (/app/node_modules/express/lib/router/route.js:149:13)");

  private static final String ZEROS = "000000000000";

  private Payloads() {}

  static String requestId(long n) {
    String digits = Long.toString(cycledIds ? n % CYCLE : n);
    return "req-" + (digits.length() >= 12 ? digits : ZEROS.substring(digits.length()) + digits);
  }

  static String path(long n) {
    return "/api/users/" + (n % 10_000);
  }

  static int status(long n) {
    return n % 50 == 0 ? 404 : 200;
  }

  static long durationMs(long n) {
    return 3 + n % 40;
  }

  static JsonObject accessLog(long n) {
    return new JsonObject()
        .put("method", "GET")
        .put("path", path(n))
        .put("status", status(n))
        .put("durationMs", durationMs(n))
        .put("ip", "127.0.0.1")
        .put("feature", "get-user")
        .put("requestId", requestId(n))
        .put("userAgent", "bench");
  }

  static JsonArray accessArray(long first, int size) {
    JsonArray arr = new JsonArray();
    for (int i = 0; i < size; i++) arr.add(accessLog(first + i));
    return arr;
  }

  /** The JSON text of {@code accessArray(first, size)}, built directly (cheap for the client). */
  static Buffer accessArrayJson(long first, int size) {
    return accessArrayJson(first, size, false);
  }

  /**
   * As {@link #accessArrayJson(long, int)}; with {@code snake}, in the original's AccessLog names
   * ({@code duration_ms}, {@code request_id}, {@code user_agent}): the same rows.
   */
  static Buffer accessArrayJson(long first, int size, boolean snake) {
    String duration = snake ? "duration_ms" : "durationMs";
    String requestId = snake ? "request_id" : "requestId";
    String userAgent = snake ? "user_agent" : "userAgent";
    StringBuilder sb = new StringBuilder(size * 190);
    sb.append('[');
    for (int i = 0; i < size; i++) {
      long n = first + i;
      if (i > 0) sb.append(',');
      sb.append("{\"method\":\"GET\",\"path\":\"").append(path(n))
          .append("\",\"status\":").append(status(n))
          .append(",\"").append(duration).append("\":").append(durationMs(n))
          .append(",\"ip\":\"127.0.0.1\",\"feature\":\"get-user\",\"").append(requestId).append("\":\"").append(requestId(n))
          .append("\",\"").append(userAgent).append("\":\"bench\"}");
    }
    sb.append(']');
    return Buffer.buffer(sb.toString());
  }

  static JsonObject errorEvent(long n) {
    return new JsonObject()
        .put("type", "server-error")
        .put("feature", "create-user")
        .put("route", "POST /api/users")
        .put("status", 500)
        .put("seq", n)
        .put("error", new JsonObject().put("message", "Connection refused").put("stack", STACK));
  }

  /** Error events {@code first .. first + size - 1}; with {@code ids}, each with its own {@code eventId} (a UUID-sized string). */
  static JsonArray errorEvents(long first, int size, boolean ids) {
    JsonArray arr = new JsonArray();
    for (int i = 0; i < size; i++) {
      JsonObject e = errorEvent(first + i);
      if (ids) e.put("eventId", eventId(first + i));
      arr.add(e);
    }
    return arr;
  }

  /** A 36-character id, unique per n, like the UUIDv7 SparkClient sets. */
  static String eventId(long n) {
    String digits = Long.toString(n);
    return "0193a5f0-0000-7000-8000-" + (digits.length() >= 12 ? digits : ZEROS.substring(digits.length()) + digits);
  }

  /** One encoded error event for (di): the (d) event with an {@code eventId}. */
  static Buffer errorEventBodyWithId(long n) {
    return errorEvent(n % 1_024).put("eventId", eventId(n)).toBuffer();
  }

  /** {@code count} distinct encoded error events, cycled through by (d). */
  static Buffer[] errorEventBodies(int count) {
    Buffer[] out = new Buffer[count];
    for (int i = 0; i < count; i++) out[i] = errorEvent(i).toBuffer();
    return out;
  }
}
