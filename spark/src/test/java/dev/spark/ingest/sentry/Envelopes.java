package dev.spark.ingest.sentry;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

/** Raw Sentry envelopes and events for tests, built byte by byte as the developer docs frame them. */
final class Envelopes {
  private Envelopes() {}

  static String newId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  /** A Java-SDK-shaped error event: one handled exception with two frames (oldest first, as Sentry orders them). */
  static JsonObject event(String id, String message) {
    JsonObject frames = new JsonObject().put("frames", new JsonArray()
        .add(new JsonObject().put("module", "com.example.Main").put("function", "main").put("filename", "Main.java").put("lineno", 10))
        .add(new JsonObject().put("module", "com.example.Orders").put("function", "place").put("filename", "Orders.java").put("lineno", 42)));
    return new JsonObject().put("event_id", id).put("platform", "java").put("level", "error").put("release", "shop@1.2.3")
        .put("environment", "staging").put("timestamp", 1_765_000_000.25)
        .put("exception", new JsonObject().put("values", new JsonArray().add(new JsonObject()
            .put("type", "IllegalStateException").put("module", "java.lang").put("value", message)
            .put("mechanism", new JsonObject().put("type", "generic").put("handled", true)).put("stacktrace", frames))));
  }

  /** A piece of an envelope: an item header and its payload, framed with or without {@code length}. */
  record Item(JsonObject header, byte[] payload, boolean withLength) {
    static Item of(String type, JsonObject payload, boolean withLength) {
      return new Item(new JsonObject().put("type", type), payload.encode().getBytes(StandardCharsets.UTF_8), withLength);
    }

    static Item raw(String type, String payload, boolean withLength) {
      return new Item(new JsonObject().put("type", type), payload.getBytes(StandardCharsets.UTF_8), withLength);
    }
  }

  static byte[] envelope(JsonObject header, Item... items) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header.encode().getBytes(StandardCharsets.UTF_8));
    out.write('\n');
    for (Item item : items) {
      JsonObject h = item.header().copy();
      if (item.withLength()) h.put("length", item.payload().length);
      out.writeBytes(h.encode().getBytes(StandardCharsets.UTF_8));
      out.write('\n');
      out.writeBytes(item.payload());
      out.write('\n');
    }
    return out.toByteArray();
  }

  static byte[] eventEnvelope(String id, String message, boolean withLength) {
    return envelope(new JsonObject().put("event_id", id), Item.of("event", event(id, message), withLength));
  }

  static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Deflate, zlib-wrapped (RFC 1950) or raw (RFC 1951): clients send both under "deflate". */
  static byte[] deflate(byte[] body, boolean zlib) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DeflaterOutputStream d = new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, !zlib))) {
      d.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Brotli, by Node's zlib (the JDK has no Brotli encoder). */
  static byte[] brotli(byte[] body) {
    try {
      Process node = new ProcessBuilder("node", "-e",
          "process.stdout.write(require('zlib').brotliCompressSync(require('fs').readFileSync(0)))").start();
      node.getOutputStream().write(body);
      node.getOutputStream().close();
      byte[] out = node.getInputStream().readAllBytes();
      if (!node.waitFor(30, TimeUnit.SECONDS) || node.exitValue() != 0) {
        throw new AssertionError("node could not brotli-compress: " + new String(node.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** {@code bytes} of zeros, gzipped: a few hundred KB that inflate to far more than Spark takes. */
  static byte[] gzipBomb(long bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] zeros = new byte[1 << 20];
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16)) {
      for (long done = 0; done < bytes; done += zeros.length) gz.write(zeros);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
