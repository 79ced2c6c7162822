package dev.spark.bench;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * Workload (s): Sentry envelopes, gzipped, one error event each, to {@code POST /api/1/envelope/}
 * as an SDK sends them. Each envelope's {@code event_id} is its sequence number in hex, so the
 * acknowledged ones can be found in the file afterwards (by {@code data.eventId}). The bodies are
 * built and gzipped before the run (up to {@link #PREBUILT}), so the clients spend their CPU on
 * HTTP as in (d), not on compression.
 */
final class SentryEnvelopes {
  static final String TABLE = "events (by Sentry event_id)";
  private static final int PREBUILT = 400_000;
  private static final String AUTH = "Sentry sentry_version=7, sentry_client=spark-bench/1.0, sentry_key=bench";

  private final Buffer[] bodies;

  SentryEnvelopes(double seconds) {
    bodies = new Buffer[(int) Math.min(PREBUILT, Math.max(10_000, seconds * 25_000))];
    for (int i = 0; i < bodies.length; i++) bodies[i] = envelope(i);
  }

  Future<ClosedLoop.Outcome> post(HttpClientAgent http, long seq) {
    Buffer body = seq < bodies.length ? bodies[(int) seq] : envelope(seq);
    return http.request(HttpMethod.POST, "/api/1/envelope/")
        .compose(req -> req.putHeader("X-Sentry-Auth", AUTH).putHeader("Content-Encoding", "gzip")
            .putHeader("Content-Type", "application/x-sentry-envelope").send(body))
        .compose(resp -> resp.body().map(b -> {
          if (resp.statusCode() == 200 && id(seq).equals(new JsonObject(b).getString("id"))) {
            return ClosedLoop.Outcome.ok(new JsonArray().add(seq));
          }
          // 429 is Spark's "busy" here, counted as the other workloads count their 503
          return ClosedLoop.Outcome.failed(resp.statusCode() == 429 ? 503 : resp.statusCode(), b.toString());
        }));
  }

  static String id(long seq) {
    return String.format(Locale.ROOT, "%032x", seq);
  }

  /** A Java-SDK-shaped event (exception, 8 frames, tags, contexts), framed with length, gzipped. */
  static Buffer envelope(long seq) {
    JsonArray frames = new JsonArray();
    for (int f = 0; f < 8; f++) {
      frames.add(new JsonObject().put("module", "com.shop.orders.Service" + f).put("function", "step" + f)
          .put("filename", "Service" + f + ".java").put("lineno", 10 + f).put("in_app", true));
    }
    String id = id(seq);
    JsonObject event = new JsonObject().put("event_id", id).put("platform", "java").put("level", "error")
        .put("release", "shop@1.4.2").put("environment", "production").put("timestamp", 1_765_000_000.0 + seq / 1000.0)
        .put("transaction", "POST /api/orders").put("server_name", "shop-1")
        .put("sdk", new JsonObject().put("name", "sentry.java").put("version", "8.47.0"))
        .put("tags", new JsonObject().put("feature", "place-order").put("region", "eu"))
        .put("contexts", new JsonObject().put("trace", new JsonObject().put("trace_id", id).put("span_id", id.substring(16))))
        .put("exception", new JsonObject().put("values", new JsonArray().add(new JsonObject()
            .put("type", "IllegalStateException").put("module", "java.lang").put("value", "Order " + seq + " could not be placed")
            .put("mechanism", new JsonObject().put("type", "generic").put("handled", true))
            .put("stacktrace", new JsonObject().put("frames", frames)))));
    byte[] payload = event.encode().getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    raw.writeBytes(new JsonObject().put("event_id", id).put("sent_at", "2026-12-06T00:00:00Z").encode().getBytes(StandardCharsets.UTF_8));
    raw.write('\n');
    raw.writeBytes(new JsonObject().put("type", "event").put("length", payload.length).encode().getBytes(StandardCharsets.UTF_8));
    raw.write('\n');
    raw.writeBytes(payload);
    raw.write('\n');
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      raw.writeTo(gz);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(out.toByteArray());
  }

  /** The acknowledged sequence numbers against the event ids in the file. */
  static RunStats.Verification verify(Path db, BitSet acked) {
    return SparkServer.verify(db, TABLE, "SELECT json_extract(data, '$.eventId') FROM events", rs -> Long.parseLong(rs.getString(1), 16), acked);
  }
}
