package dev.spark.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The bodies the workloads send. Throughput workloads cycle through a pool of distinct pre-built
 * bodies, so the client (which shares the 2 cores with Spark) spends its time on I/O, not on
 * building JSON. Every access log carries a distinct-looking requestId and path.
 */
final class Payloads {
  static final String STACK = String.join("\n",
      "Error: Connection refused",
      "    at Socket.connect (node:net:1187:16)",
      "    at PgPool.acquire (/app/node_modules/pg-pool/index.js:45:11)",
      "    at UserRepository.create (/app/src/users/repository.ts:88:21)",
      "    at UserService.create (/app/src/users/service.ts:41:30)",
      "    at createUser (/app/src/users/routes.ts:27:18)",
      "    at Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5)",
      "    at next (/app/node_modules/express/lib/router/route.js:149:13)");

  private Payloads() {}

  static JsonObject accessLog(long n) {
    return new JsonObject()
        .put("method", "GET")
        .put("path", "/api/users/" + (n % 10_000))
        .put("status", n % 50 == 0 ? 404 : 200)
        .put("durationMs", 3 + n % 40)
        .put("ip", "127.0.0.1")
        .put("feature", "get-user")
        .put("requestId", "bench-" + n)
        .put("userAgent", "bench");
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

  static JsonArray accessBatch(long first, int size) {
    JsonArray arr = new JsonArray();
    for (int i = 0; i < size; i++) arr.add(accessLog(first + i));
    return arr;
  }

  /** {@code count} distinct single access-log objects. */
  static JsonObject[] accessObjects(int count) {
    JsonObject[] out = new JsonObject[count];
    for (int i = 0; i < count; i++) out[i] = accessLog(i);
    return out;
  }

  /** {@code count} distinct arrays of {@code size} access logs. */
  static JsonArray[] accessArrays(int count, int size) {
    JsonArray[] out = new JsonArray[count];
    for (int i = 0; i < count; i++) out[i] = accessBatch((long) i * size, size);
    return out;
  }

  static Buffer[] encoded(Object[] jsons) {
    Buffer[] out = new Buffer[jsons.length];
    for (int i = 0; i < jsons.length; i++) {
      out[i] = jsons[i] instanceof JsonObject o ? o.toBuffer() : ((JsonArray) jsons[i]).toBuffer();
    }
    return out;
  }

  static JsonObject[] errorEvents(int count) {
    JsonObject[] out = new JsonObject[count];
    for (int i = 0; i < count; i++) out[i] = errorEvent(i);
    return out;
  }
}
