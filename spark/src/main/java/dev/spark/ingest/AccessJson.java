package dev.spark.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonTokenId;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.spark.event.InputText;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an access-log body (one object or an array of objects) from its JSON text straight into
 * {@link AccessFields.Entry entries}, without the tree of maps Vert.x would build first: for a batch of
 * plain entries that tree was the largest thing an HTTP batch allocated (BENCHMARKS.md, session 11).
 * It reads the same tokens with Jackson set up as Vert.x sets it up, and converts each value as Vert.x does, so
 * an entry holds exactly what {@link AccessFields#read} finds in the tree. Anything else (a syntax error,
 * an empty batch, an item that is no object, trailing text) is left to the tree parse, whose answer
 * stands: this returns null then.
 */
public final class AccessJson implements InputText.TextReader {
  public static final AccessJson READER = new AccessJson();
  /**
   * Jackson as Vert.x sets it up for {@code Json.decodeValue} (comments allowed, its read limits, which
   * system properties may change), reading the checked bytes where they are; Vert.x's own takes a Buffer.
   */
  private static final JsonFactory FACTORY = JsonFactory.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
      .streamReadConstraints(vertxReadConstraints()).build();

  private static StreamReadConstraints vertxReadConstraints() {
    try (JsonParser vertx = JacksonCodec.createParser(Buffer.buffer())) {
      return vertx.streamReadConstraints();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private AccessJson() {}

  /** The entries of an access-log body, read by {@link AccessJson}; {@code batch}: it was an array. */
  public static final class Entries {
    final List<AccessFields.Entry> items;
    final boolean batch;

    Entries(List<AccessFields.Entry> items, boolean batch) {
      this.items = items;
      this.batch = batch;
    }

    public int size() {
      return items.size();
    }
  }

  @Override
  public Object read(byte[] utf8, int length) {
    try (JsonParser parser = FACTORY.createParser(utf8, 0, length)) {
      JsonToken first = parser.nextToken();
      Entries read;
      if (first == JsonToken.START_OBJECT) {
        read = new Entries(List.of(entry(parser)), false);
      } else if (first == JsonToken.START_ARRAY) {
        List<AccessFields.Entry> items = new ArrayList<>();
        JsonToken t;
        while ((t = parser.nextToken()) == JsonToken.START_OBJECT) items.add(entry(parser));
        if (t != JsonToken.END_ARRAY || items.isEmpty()) return null;
        read = new Entries(items, true);
      } else {
        return null;
      }
      return parser.nextToken() == null ? read : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** One object, its START_OBJECT read: each name as {@link AccessFields#read} sorts it, later duplicates winning as in a map. */
  private static AccessFields.Entry entry(JsonParser parser) throws IOException {
    AccessFields.Entry e = new AccessFields.Entry();
    List<String> unknown = null;
    String key;
    while ((key = parser.nextFieldName()) != null) {
      parser.nextToken();
      Object v = value(parser);
      if (!e.set(key, v)) {
        // A map keeps one of each name: an unknown name sent twice is one unknown field.
        if (unknown == null) unknown = new ArrayList<>(2);
        if (!unknown.contains(key)) {
          unknown.add(key);
          e.unknown(key);
        }
      }
    }
    return e;
  }

  /** The current value as {@link JsonObject#getValue} answers it from Vert.x's tree: maps and lists wrapped. */
  private static Object value(JsonParser parser) throws IOException {
    Object v = any(parser);
    if (v instanceof Map<?, ?> m) return new JsonObject(castMap(m));
    if (v instanceof List<?> l) return new JsonArray(l);
    return v;
  }

  /** Vert.x's JacksonCodec.parseAny, token for token: the same conversions, the same exceptions. */
  private static Object any(JsonParser parser) throws IOException {
    switch (parser.currentTokenId()) {
      case JsonTokenId.ID_START_OBJECT -> {
        Map<String, Object> obj = new LinkedHashMap<>();
        String key;
        while ((key = parser.nextFieldName()) != null) {
          parser.nextToken();
          obj.put(key, any(parser));
        }
        return obj;
      }
      case JsonTokenId.ID_START_ARRAY -> {
        List<Object> arr = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) arr.add(any(parser));
        return arr;
      }
      case JsonTokenId.ID_STRING -> {
        return parser.getText();
      }
      case JsonTokenId.ID_NUMBER_INT, JsonTokenId.ID_NUMBER_FLOAT -> {
        return parser.getNumberValue();
      }
      case JsonTokenId.ID_TRUE -> {
        return Boolean.TRUE;
      }
      case JsonTokenId.ID_FALSE -> {
        return Boolean.FALSE;
      }
      case JsonTokenId.ID_NULL -> {
        return null;
      }
      default -> throw new IOException("unexpected token " + parser.currentToken());
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }
}
