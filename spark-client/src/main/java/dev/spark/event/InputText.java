package dev.spark.event;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * The rules for text that comes from outside, the same at every entry point (ingest bodies, query
 * strings, MCP messages, agent prompts): strictly valid UTF-8 (no overlong forms, no CESU-8, no
 * encoded surrogates, nothing past U+10FFFF), no lone surrogates written as JSON escapes
 * (a JSON {@code "\\ud800"}), and, when echoed back in an error, only a short prefix with control characters
 * escaped.
 */
public final class InputText {
  /** Most characters of a bad value an error message repeats. */
  public static final int ECHO_CHARS = 40;

  private InputText() {}

  /**
   * {@code value} for an error message: quoted (as text), at most {@link #ECHO_CHARS} characters (then "…" and
   * the full length), control characters, lone surrogates and other invisible format characters
   * written as {@code \xNN} / {@code \\uNNNN}.
   */
  public static String echo(Object value) {
    return echo(value, ECHO_CHARS);
  }

  /** As {@link #echo(Object)}, with at most {@code maxChars} characters (a parser's message, which quotes its own snippet). */
  public static String echo(Object value, int maxChars) {
    if (value == null) return "nothing";
    String s = String.valueOf(value);
    StringBuilder out = new StringBuilder("\"");
    int n = Math.min(s.length(), maxChars);
    for (int i = 0; i < n; i++) escape(out, s.charAt(i));
    out.append('"');
    if (s.length() > maxChars) out.append("… (").append(s.length()).append(" characters)");
    return out.toString();
  }

  private static void escape(StringBuilder out, char c) {
    if (c == '"' || c == '\\') out.append('\\').append(c);
    else if (c < 0x20 || c == 0x7f) out.append(String.format("\\x%02x", (int) c));
    else if ((c >= 0x80 && c < 0xa0) || Character.isSurrogate(c) || Character.getType(c) == Character.FORMAT) {
      out.append(String.format("\\u%04x", (int) c));
    } else out.append(c);
  }

  /**
   * Parses JSON text that must be strictly valid UTF-8 and hold no lone surrogate; a
   * {@link ValidationException} (naming the byte, or the JSON path of the string) otherwise. A
   * syntax error is Vert.x's {@link io.vertx.core.json.DecodeException}.
   */
  public static Object parseJson(Buffer raw) {
    return parseJson(List.of(raw), raw.length(), null);
  }

  /** Reads checked JSON text its own way: what it made of the text, or null to have it parsed as a tree. */
  @FunctionalInterface
  public interface TextReader {
    Object read(byte[] utf8, int length);
  }

  /**
   * As {@link #parseJson(Buffer)}, for text that arrived in {@code parts} ({@code length} bytes in all):
   * copied once for the checks, and joined only when the tree parse needs it. {@code direct}, when
   * given, is offered the checked text before the tree parse; it is not offered text that may hold an
   * escaped surrogate (the tree parse checks those).
   */
  public static Object parseJson(List<Buffer> parts, int length, TextReader direct) {
    // One copy, then both scans and the parse on the array: several times faster than Buffer.getByte per byte.
    byte[] bytes = scratch(length);
    int at = 0;
    for (Buffer part : parts) {
      part.getBytes(0, part.length(), bytes, at);
      at += part.length();
    }
    int bad = invalidUtf8(bytes, length);
    if (bad >= 0) {
      throw new ValidationException("", "The request body is not valid UTF-8 at byte " + bad
          + " (overlong forms, CESU-8, encoded surrogates and code points past U+10FFFF are refused)");
    }
    boolean mayHoldSurrogate = mayHoldEscapedSurrogate(bytes, length);
    if (direct != null && !mayHoldSurrogate) {
      Object read = direct.read(bytes, length);
      if (read != null) return read;
    }
    Object parsed = Json.decodeValue(parts.size() == 1 ? parts.get(0) : joined(parts, length));
    if (mayHoldSurrogate) {
      String where = loneSurrogate(parsed, "");
      if (where != null) throw new ValidationException(where, where + " holds a lone surrogate (an unpaired \\ud800-\\udfff escape): not valid Unicode text");
    }
    return parsed;
  }

  private static Buffer joined(List<Buffer> parts, int length) {
    Buffer all = Buffer.buffer(length);
    for (Buffer part : parts) all.appendBuffer(part);
    return all;
  }

  /**
   * An array of at least {@code len} bytes for the scans: this thread's, reused, for a body of up to
   * {@link #SCRATCH_MAX} bytes (one array per request was a twentieth of what an event's ingest allocates).
   */
  private static byte[] scratch(int len) {
    if (len > SCRATCH_MAX) return new byte[len];
    byte[] mine = SCRATCH.get();
    if (mine.length >= len) return mine;
    byte[] grown = new byte[Math.min(SCRATCH_MAX, Math.max(len, 2 * mine.length))];
    SCRATCH.set(grown);
    return grown;
  }

  private static final int SCRATCH_MAX = 64 * 1024;
  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[4096]);

  /** The byte offset of the first byte that breaks strict UTF-8 in {@code bytes}, or -1 when it is valid. */
  public static int invalidUtf8(byte[] bytes) {
    return invalidUtf8(bytes, bytes.length);
  }

  /** {@link #invalidUtf8(byte[])} of the first {@code len} bytes. */
  public static int invalidUtf8(byte[] bytes, int len) {
    int i = 0;
    while (i < len) {
      int b = bytes[i];
      if (b >= 0) {
        i++;
        continue;
      }
      b &= 0xff;
      int need;
      int min;
      if (b >= 0xc2 && b <= 0xdf) {
        need = 1;
        min = 0x80;
      } else if (b >= 0xe0 && b <= 0xef) {
        need = 2;
        min = 0x800;
      } else if (b >= 0xf0 && b <= 0xf4) {
        need = 3;
        min = 0x10000;
      } else {
        return i; // a continuation byte first, C0/C1 (overlong two-byte forms) or F5..FF
      }
      if (i + need >= len) return i; // cut short
      int cp = b & (0x3f >> need);
      for (int k = 1; k <= need; k++) {
        int c = bytes[i + k] & 0xff;
        if ((c & 0xc0) != 0x80) return i;
        cp = (cp << 6) | (c & 0x3f);
      }
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i; // overlong, too large, CESU-8 / surrogates
      i += need + 1;
    }
    return -1;
  }

  /** True when {@code raw} JSON text may hold an escaped surrogate ({@code \\ud800} to {@code \\udfff}): then check the parsed strings. */
  public static boolean mayHoldEscapedSurrogate(byte[] raw) {
    return mayHoldEscapedSurrogate(raw, raw.length);
  }

  /** {@link #mayHoldEscapedSurrogate(byte[])} of the first {@code len} bytes. */
  public static boolean mayHoldEscapedSurrogate(byte[] raw, int len) {
    for (int i = 0; i + 3 < len; i++) {
      if (raw[i] == '\\' && (raw[i + 1] | 0x20) == 'u' && (raw[i + 2] | 0x20) == 'd') {
        int c = raw[i + 3] | 0x20;
        if (c == '8' || c == '9' || (c >= 'a' && c <= 'f')) return true;
      }
    }
    return false;
  }

  /** The JSON path of the first key or string value with a lone surrogate in {@code json}, or null when none has one. */
  public static String loneSurrogate(Object json, String at) {
    if (json instanceof String s) return hasLoneSurrogate(s) ? (at.isEmpty() ? "body" : at) : null;
    if (json instanceof JsonObject o) {
      for (Map.Entry<String, Object> e : o) {
        String path = at.isEmpty() ? e.getKey() : at + "." + e.getKey();
        if (hasLoneSurrogate(e.getKey())) return path;
        String found = loneSurrogate(e.getValue(), path);
        if (found != null) return found;
      }
    } else if (json instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        String found = loneSurrogate(a.getValue(i), at + "[" + i + "]");
        if (found != null) return found;
      }
    }
    return null;
  }

  public static boolean hasLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) i++;
      else if (Character.isSurrogate(c)) return true;
    }
    return false;
  }

  private static boolean plainAscii(String uri) {
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c == '%' || c >= 0x80) return false;
    }
    return true;
  }

  /**
   * Why a request target's percent-encoding is broken or does not decode to strict UTF-8, or null
   * when it is fine.
   */
  public static String brokenUri(String uri) {
    if (uri == null || plainAscii(uri)) return null;
    Buffer bytes = Buffer.buffer();
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c == '%') {
        int hi = i + 2 < uri.length() ? Character.digit(uri.charAt(i + 1), 16) : -1;
        int lo = hi < 0 ? -1 : Character.digit(uri.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) return "has a broken percent-escape at character " + i + ": " + echo(uri.substring(i, Math.min(uri.length(), i + 3)));
        bytes.appendByte((byte) (hi * 16 + lo));
        i += 2;
      } else if (c <= 0xff) {
        bytes.appendByte((byte) c); // the request line arrives as bytes, one char each
      } else {
        bytes.appendString(String.valueOf(c));
      }
    }
    int bad = invalidUtf8(bytes.getBytes());
    return bad < 0 ? null : "is not valid UTF-8 once percent-decoded (byte " + bad + ")";
  }
}
