package dev.spark.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;

import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Map;

/**
 * An access-log entry's {@code input} as it is stored, in one walk: what {@link JsonDepth#limitValue},
 * {@link Redactor#redactValue} and then {@link JsonCapper} give when the text fits the cap, written
 * straight from the sender's value without the two copies and the depth pass in between (they were
 * most of Spark's own CPU per request in the realistic app of {@code bin/bench-integration}). The
 * scalars are written by Vert.x's own encoder on a generator of the same settings, so the text is the
 * one {@code Json.encode} gives. Anything else takes the full path: {@link #encode} answers null.
 */
final class InputJson {
  /** Vert.x's codec builds its factory with read constraints only; writing is Jackson's default. */
  private static final JsonFactory FACTORY = new JsonFactory();
  /** The bytes {@code {"input":}} adds: JsonCapper measures a value that is not an object inside that wrapper. */
  private static final int WRAPPER_BYTES = "{\"input\":}".length();
  private static final ThreadLocal<Chars> CHARS = ThreadLocal.withInitial(Chars::new);

  private InputJson() {}

  /** Thrown inside the walk when the one pass does not apply; never escapes {@link #encode}. */
  private static final class NotHere extends RuntimeException {
    NotHere() {
      super(null, null, false, false);
    }
  }

  private static final NotHere NOT_HERE = new NotHere();

  /**
   * The stored text of {@code value}, found at nesting {@code level} of its entry; null when it does not
   * fit {@code maxBytes} or holds something the walk leaves to the full path (a key that is not a
   * string, a value of a type only Vert.x's codec writes).
   */
  static String encode(Object value, Redactor redactor, int level, int maxDepth, int maxBytes) {
    Chars out = CHARS.get();
    // A char is at least one UTF-8 byte: text longer than the cap in chars cannot fit it.
    out.reset(maxBytes);
    try (JsonGenerator gen = FACTORY.createGenerator(out)) {
      write(value, gen, redactor, level, maxDepth);
      gen.flush();
    } catch (NotHere | EncodeException | IOException e) {
      return null;
    }
    String json = out.text();
    boolean object = value instanceof JsonObject || value instanceof Map<?, ?>;
    return JsonSize.fits(json, object ? maxBytes : maxBytes - WRAPPER_BYTES) ? json : null;
  }

  private static void write(Object v, JsonGenerator gen, Redactor redactor, int depth, int maxDepth) throws IOException {
    Object c = v instanceof JsonObject o ? o.getMap() : v instanceof JsonArray a ? a.getList() : v;
    if (c instanceof Map<?, ?> map) {
      if (depth > maxDepth) {
        gen.writeString(JsonDepth.marker(maxDepth));
        return;
      }
      gen.writeStartObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String key)) throw NOT_HERE;
        gen.writeFieldName(key);
        Object item = e.getValue();
        if (item != null && redactor.isSensitive(key)) gen.writeString(Redactor.REDACTED);
        else write(item, gen, redactor, depth + 1, maxDepth);
      }
      gen.writeEndObject();
    } else if (c instanceof List<?> list) {
      if (depth > maxDepth) {
        gen.writeString(JsonDepth.marker(maxDepth));
        return;
      }
      gen.writeStartArray();
      for (Object item : list) write(item, gen, redactor, depth + 1, maxDepth);
      gen.writeEndArray();
    } else {
      JacksonCodec.encodeJson(c, gen);
    }
  }

  /** A writer over one builder per thread: the text is copied out once. */
  private static final class Chars extends Writer {
    private StringBuilder sb = new StringBuilder(256);
    /** Past this many chars the text cannot fit any cap the caller gives: the walk stops. */
    private int limit;

    void reset(int maxChars) {
      if (sb.capacity() > 2 * maxChars + 256) sb = new StringBuilder(256);
      sb.setLength(0);
      limit = maxChars;
    }

    String text() {
      return sb.toString();
    }

    @Override
    public void write(char[] buf, int off, int len) {
      if (sb.length() + len > limit) throw NOT_HERE;
      sb.append(buf, off, len);
    }

    @Override
    public void write(String s, int off, int len) {
      if (sb.length() + len > limit) throw NOT_HERE;
      sb.append(s, off, len);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
