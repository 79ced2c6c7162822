package dev.spark.ingest.sentry;

import dev.spark.ingest.sentry.Envelopes.Item;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Raw envelopes against a real Spark (ingest.token set, so keys are checked): each case with the
 * status it gets and the rows in the file after it. Every refused request stores nothing.
 */
@ExtendWith(VertxExtension.class)
class SentryEnvelopeTest {
  static final String KEY = "sentry-key";
  static final String AUTH = "Sentry sentry_version=7, sentry_client=raw-test/1.0, sentry_key=" + KEY;
  private static Vertx vertx;
  private static SparkUnderTest spark;
  private static SentryHttp http;

  /** One request: what is sent, and what must follow (status, part of the answer, rows added). */
  record Case(String name, String path, Map<String, String> headers, byte[] body, boolean chunked,
              int status, String says, int events, int access) {}

  @BeforeAll
  static void start(@TempDir Path dir) {
    vertx = Vertx.vertx();
    spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("ingest", new JsonObject().put("token", KEY)));
    http = new SentryHttp(vertx, spark.port);
  }

  @AfterAll
  static void stop() {
    http.close();
    spark.stop();
    vertx.close().await();
  }

  static Map<String, String> headers(String... kv) {
    Map<String, String> h = new HashMap<>();
    h.put("X-Sentry-Auth", AUTH);
    for (int i = 0; i < kv.length; i += 2) {
      if (kv[i + 1] == null) h.remove(kv[i]);
      else h.put(kv[i], kv[i + 1]);
    }
    return h;
  }

  static Case ok(String name, byte[] body, Map<String, String> headers, int events, int access) {
    return new Case(name, "/api/7/envelope/", headers, body, false, 200, null, events, access);
  }

  static Case refused(String name, byte[] body, Map<String, String> headers, int status, String says) {
    return new Case(name, "/api/7/envelope/", headers, body, false, status, says, 0, 0);
  }

  static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] event(boolean withLength) {
    return Envelopes.eventEnvelope(Envelopes.newId(), "boom", withLength);
  }

  static JsonObject serverTransaction() {
    double start = 1_765_000_000.000;
    return new JsonObject().put("type", "transaction").put("event_id", Envelopes.newId()).put("transaction", "GET /orders/{id}")
        .put("start_timestamp", start).put("timestamp", start + 0.125)
        .put("request", new JsonObject().put("method", "GET").put("url", "http://shop.local/orders/42?x=1"))
        .put("contexts", new JsonObject().put("trace", new JsonObject().put("op", "http.server").put("status", "not_found")
            .put("trace_id", "0af7651916cd43dd8448eb211c80319c").put("span_id", "b7ad6b7169203331")));
  }

  static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    c.add(ok("event item with length", event(true), headers(), 1, 0));
    c.add(ok("event item without length (to the newline)", event(false), headers(), 1, 0));
    byte[] noTrailing = event(true);
    c.add(ok("no trailing newline", Arrays.copyOf(noTrailing, noTrailing.length - 1), headers(), 1, 0));
    c.add(ok("zero items", text("{}\n"), headers(), 0, 0));
    c.add(ok("zero items, header only without newline", text("{\"sent_at\":\"2026-12-06T00:00:00Z\"}"), headers(), 0, 0));
    String id = Envelopes.newId();
    c.add(ok("skipped item types around one event", Envelopes.envelope(new JsonObject().put("event_id", id),
        Item.of("session", new JsonObject().put("sid", "s1").put("status", "ok"), false),
        Item.of("sessions", new JsonObject().put("aggregates", new JsonArray()), true),
        Item.of("client_report", new JsonObject().put("discarded_events", new JsonArray()), false),
        Item.raw("attachment", "line one\n\nline three\n", true),
        Item.of("event", Envelopes.event(id, "among others"), true),
        Item.of("check_in", new JsonObject().put("check_in_id", "c1").put("status", "ok"), false),
        Item.of("log", new JsonObject().put("items", new JsonArray()), true),
        Item.of("span", new JsonObject(), false),
        Item.of("profile", new JsonObject(), true),
        Item.of("replay_event", new JsonObject(), false),
        Item.of("user_report", new JsonObject().put("comments", "it broke"), false),
        Item.of("feedback", new JsonObject(), true),
        Item.of("x-not-yet-invented", new JsonObject(), false)), headers(), 1, 0));
    c.add(ok("server transaction -> access row", Envelopes.envelope(new JsonObject(),
        Item.of("transaction", serverTransaction(), true)), headers(), 0, 1));
    c.add(ok("transaction without a request is skipped", Envelopes.envelope(new JsonObject(),
        Item.of("transaction", new JsonObject().put("type", "transaction").put("transaction", "nightly-job")
            .put("contexts", new JsonObject().put("trace", new JsonObject().put("op", "task"))), true)), headers(), 0, 0));
    c.add(ok("gzip", Envelopes.gzip(event(true)), headers("Content-Encoding", "gzip"), 1, 0));
    c.add(ok("deflate (zlib)", Envelopes.deflate(event(true), true), headers("Content-Encoding", "deflate"), 1, 0));
    c.add(ok("deflate (raw)", Envelopes.deflate(event(false), false), headers("Content-Encoding", "deflate"), 1, 0));
    c.add(ok("br", Envelopes.brotli(event(true)), headers("Content-Encoding", "br"), 1, 0));
    c.add(ok("identity", event(true), headers("Content-Encoding", "identity"), 1, 0));
    c.add(new Case("gzip, chunked (no Content-Length)", "/api/7/envelope/", headers("Content-Encoding", "gzip"),
        Envelopes.gzip(event(true)), true, 200, null, 1, 0));
    c.add(new Case("chunked, plain", "/api/7/envelope", headers(), event(false), true, 200, null, 1, 0));
    c.add(ok("no Content-Type", event(true), headers(), 1, 0));
    c.add(ok("Content-Type: application/x-sentry-envelope", event(true), headers("Content-Type", "application/x-sentry-envelope"), 1, 0));
    c.add(ok("Content-Type: text/plain (browser SDKs)", event(true), headers("Content-Type", "text/plain;charset=UTF-8"), 1, 0));
    c.add(ok("Content-Type: application/json", event(true), headers("Content-Type", "application/json"), 1, 0));

    c.add(refused("empty body", new byte[0], headers(), 400, "envelope is empty"));
    c.add(refused("envelope header not JSON", text("not json\n{\"type\":\"event\"}\n{}\n"), headers(), 400, "envelope header"));
    c.add(refused("item header without type", text("{}\n{\"length\":2}\n{}\n"), headers(), 400, "no type"));
    c.add(refused("length past the end", text("{}\n{\"type\":\"event\",\"length\":500}\n{}\n"), headers(), 400, "only"));
    c.add(refused("length too short", text("{}\n{\"type\":\"event\",\"length\":3}\n{\"a\":1}\n"), headers(), 400, "not followed by a newline"));
    c.add(refused("negative length", text("{}\n{\"type\":\"event\",\"length\":-1}\n{}\n"), headers(), 400, "length"));
    String goodThenBad = new String(Envelopes.envelope(new JsonObject(), Item.of("event", Envelopes.event(Envelopes.newId(), "ok"), true)),
        StandardCharsets.UTF_8) + "{\"type\":\"event\"}\nthis is not json\n";
    c.add(refused("a good event, then a bad one: nothing stored", text(goodThenBad), headers(), 400, "Item 2 (event) is not a JSON object"));
    c.add(refused("event Spark's validator refuses", Envelopes.envelope(new JsonObject(),
        Item.of("event", Envelopes.event(Envelopes.newId(), "x").put("timestamp", "yesterday-ish"), true)), headers(), 400, "timestamp"));
    c.add(refused("not gzip under Content-Encoding: gzip", event(true), headers("Content-Encoding", "gzip"), 400, "not valid gzip"));
    c.add(refused("unknown Content-Encoding", event(true), headers("Content-Encoding", "compress"), 415, "compress"));
    String big = "x".repeat(1_100_000);
    c.add(refused("event item over 1 MB", Envelopes.envelope(new JsonObject(),
        Item.of("event", Envelopes.event(Envelopes.newId(), big), true)), headers(), 413, "1048576 bytes (1 MB)"));
    c.add(refused("gzip bomb: 512 MB of zeros", Envelopes.gzipBomb(512L << 20), headers("Content-Encoding", "gzip"), 413,
        "20971520 bytes (20 MB)"));
    c.add(refused("no key", event(true), headers("X-Sentry-Auth", null), 401, "No Sentry key"));
    c.add(refused("wrong key", event(true), headers("X-Sentry-Auth", "Sentry sentry_version=7,sentry_key=guess"), 403, "ingest.token"));
    c.add(ok("key without spaces after commas", event(true), headers("X-Sentry-Auth",
        "Sentry sentry_version=7,sentry_client=raw/1,sentry_key=" + KEY), 1, 0));
    c.add(ok("key as Authorization: Bearer", event(true), headers("X-Sentry-Auth", null, "Authorization", "Bearer " + KEY), 1, 0));
    c.add(new Case("key in the query string", "/api/7/envelope/?sentry_key=" + KEY + "&sentry_version=7",
        headers("X-Sentry-Auth", null), event(true), false, 200, null, 1, 0));
    String dsnId = Envelopes.newId();
    c.add(ok("key as the envelope header's dsn", Envelopes.envelope(new JsonObject().put("dsn", "http://" + KEY + "@127.0.0.1/7"),
        Item.of("event", Envelopes.event(dsnId, "dsn"), true)), headers("X-Sentry-Auth", null), 1, 0));
    c.add(refused("wrong key in the dsn", Envelopes.envelope(new JsonObject().put("dsn", "http://guess@127.0.0.1/7"),
        Item.of("event", Envelopes.event(Envelopes.newId(), "dsn"), true)), headers("X-Sentry-Auth", null), 403, "ingest.token"));
    byte[] twice = Envelopes.gzip(Envelopes.eventEnvelope(Envelopes.newId(), "sent twice", true));
    c.add(ok("an event_id, the first time", twice, headers("Content-Encoding", "gzip"), 1, 0));
    c.add(ok("the same event_id again (an SDK resending from its cache): 200, stored once", twice,
        headers("Content-Encoding", "gzip"), 0, 0));
    c.add(new Case("project must be a positive integer", "/api/0/envelope/", headers(), event(true), false, 400, "positive integer", 0, 0));
    c.add(new Case("/store/ with gzip", "/api/7/store/", headers("Content-Encoding", "gzip", "Content-Type", "application/json"),
        Envelopes.gzip(Envelopes.event(Envelopes.newId(), "stored").encode().getBytes(StandardCharsets.UTF_8)), false, 200, null, 1, 0));
    c.add(new Case("/store/ over 1 MB decompressed", "/api/7/store/", headers("Content-Encoding", "gzip"),
        Envelopes.gzip(Envelopes.event(Envelopes.newId(), big).encode().getBytes(StandardCharsets.UTF_8)), false, 413, "1048576", 0, 0));
    c.add(new Case("/store/ without a key", "/api/7/store/", headers("X-Sentry-Auth", null),
        Envelopes.event(Envelopes.newId(), "no key").encode().getBytes(StandardCharsets.UTF_8), false, 401, "No Sentry key", 0, 0));
    return c;
  }

  @Test
  void eachEnvelopeGetsItsStatusAndItsRows() {
    List<String> wrong = new ArrayList<>();
    for (Case c : cases()) {
      long events = spark.count("SELECT count(*) FROM events");
      long access = spark.count("SELECT count(*) FROM access_logs");
      long t0 = System.nanoTime();
      SentryHttp.Answer a;
      try {
        a = http.post(c.path(), c.headers(), c.body(), c.chunked());
      } catch (AssertionError e) {
        wrong.add(c.name() + ": " + e.getMessage());
        continue;
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      long addedEvents = spark.count("SELECT count(*) FROM events") - events;
      long addedAccess = spark.count("SELECT count(*) FROM access_logs") - access;
      String got = a.status() + " +" + addedEvents + " events +" + addedAccess + " access";
      String want = c.status() + " +" + c.events() + " events +" + c.access() + " access";
      if (!got.equals(want)) wrong.add(c.name() + ": got " + got + ", want " + want + " (" + a.body() + ")");
      if (c.says() != null && !a.body().contains(c.says())) wrong.add(c.name() + ": answer does not say \"" + c.says() + "\": " + a.body());
      if (c.status() == 200 && !a.json().getString("id", "").matches("[0-9a-f]{32}")) wrong.add(c.name() + ": no event id in " + a.body());
      if (ms > 10_000) wrong.add(c.name() + ": took " + ms + " ms");
    }
    assertEquals(List.of(), wrong);
  }
}
