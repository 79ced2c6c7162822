package dev.spark.ingest;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Sizes of JSON values in UTF-8 bytes, estimated without encoding: mirrors Vert.x's Jackson encoding
 * (compact output, Jackson's string escapes, raw non-ASCII), so {@link JsonCapper} encodes the tree
 * normally once more, to verify.
 */
final class JsonSize {
  private JsonSize() {
  }


  /** Bytes of {@code v} as encoded by {@link JsonObject#encode()} in UTF-8. */
  static long size(Object v) {
    Object c = unwrap(v);
    if (c == null) {
      return 4;
    } else if (c instanceof String s) {
      return jsonStringLength(s);
    } else if (c instanceof Boolean b) {
      return b ? 4 : 5;
    } else if (c instanceof Integer || c instanceof Long || c instanceof Short || c instanceof Byte) {
      return digits(((Number) c).longValue());
    } else if (c instanceof BigInteger || (c instanceof Double d && Double.isFinite(d))) {
      return c.toString().length();
    } else if (c instanceof Float f && Float.isFinite(f)) {
      return f.toString().length();
    } else if (c instanceof Map<?, ?> m) {
      long total = 2 + Math.max(0, m.size() - 1);
      for (Map.Entry<?, ?> e : m.entrySet()) {
        total += entrySize(e.getKey(), e.getValue());
      }
      return total;
    } else if (c instanceof List<?> l) {
      long total = 2 + Math.max(0, l.size() - 1);
      for (Object item : l) {
        total += size(item);
      }
      return total;
    }
    // BigDecimal, NaN, Instant, byte[], Buffer, Enum: rare enough to let the codec say
    return utf8Length(Json.encode(c));
  }

  static Object unwrap(Object v) {
    if (v instanceof JsonObject o) {
      return o.getMap();
    } else if (v instanceof JsonArray a) {
      return a.getList();
    }
    return v;
  }

  static int digits(long x) {
    if (x == Long.MIN_VALUE) {
      return 20;
    }
    int n = x < 0 ? 2 : 1;
    for (long a = Math.abs(x); a >= 10; a /= 10) {
      n++;
    }
    return n;
  }

  static boolean fits(String s, int maxBytes) {
    if (s.length() > maxBytes) {
      return false; // every char is at least one byte
    }
    return (long) s.length() * 3 <= maxBytes || utf8Length(s) <= maxBytes;
  }

  static long utf8Length(String s) {
    return encodedLength(s, s.length(), false);
  }

  /** Bytes of {@code s} as a JSON string literal, quotes included. */
  static long jsonStringLength(String s) {
    return 2 + encodedLength(s, s.length(), true);
  }

  static long encodedLength(String s, int end, boolean json) {
    long n = 0;
    for (int i = 0; i < end; i++) {
      int w = width(s, i, json);
      n += w;
      if (w == 4) {
        i++;
      }
    }
    return n;
  }

  /** Index where a prefix of {@code s} of at most {@code budget} bytes ends; never inside a surrogate pair. */
  static int prefixEnd(String s, long budget, boolean json) {
    long n = 0;
    int i = 0;
    while (i < s.length()) {
      int w = width(s, i, json);
      if (n + w > budget) {
        break;
      }
      n += w;
      i += w == 4 ? 2 : 1;
    }
    return i;
  }

  /**
   * UTF-8 bytes of the char at {@code i} (4 for a surrogate pair starting there). With {@code json},
   * Jackson's escapes are counted. A lone surrogate counts 3: more than its real encoding, never less.
   */
  static int width(String s, int i, boolean json) {
    char c = s.charAt(i);
    if (c < 0x80) {
      if (!json || (c >= 0x20 && c != '"' && c != '\\')) {
        return 1;
      }
      return (c == '"' || c == '\\' || c == '\b' || c == '\t' || c == '\n' || c == '\f' || c == '\r') ? 2 : 6;
    } else if (c < 0x800) {
      return 2;
    } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
      return 4;
    }
    return 3;
  }

  /** Bytes of an object entry {@code "key":value}. */
  static long entrySize(Object key, Object value) {
    return jsonStringLength(String.valueOf(key)) + 1 + size(value);
  }
}
