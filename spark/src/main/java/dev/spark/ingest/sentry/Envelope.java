package dev.spark.ingest.sentry;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A Sentry envelope, framed as Sentry's developer documentation defines it: a header line (a JSON
 * object), then items, each an item header line (a JSON object with a {@code type}, and optionally
 * {@code length}: the payload's exact size in bytes) and its payload: {@code length} bytes, or
 * without {@code length} everything up to the next newline. Each payload is followed by a newline
 * or the end of the envelope; a trailing newline is optional; zero items is a valid envelope.
 */
public record Envelope(JsonObject header, List<Item> items) {
  /** One item: its header and its payload, {@code length} bytes of {@code body} from {@code offset} (not a copy). */
  public record Item(JsonObject header, byte[] body, int offset, int length) {
    public String type() {
      return header.getString("type");
    }
  }

  /** Parses {@code body} or throws a 400 {@link SentryRejection} naming the first thing wrong with it. */
  public static Envelope parse(byte[] body) {
    return parse(body, body.length);
  }

  /** Parses {@code body[0, length)}; the items' payloads point into {@code body}. */
  public static Envelope parse(byte[] body, int length) {
    int[] pos = {0};
    String headerLine = line(body, length, pos);
    if (headerLine.isBlank()) throw SentryRejection.malformed("The envelope is empty: its first line must be a JSON object (the envelope header)");
    JsonObject header = object(headerLine, "the envelope header (line 1)");
    List<Item> items = new ArrayList<>();
    while (pos[0] < length) {
      int n = items.size() + 1;
      if (body[pos[0]] == '\n' && pos[0] == length - 1) break; // one more trailing newline
      String itemHeaderLine = line(body, length, pos);
      JsonObject itemHeader = object(itemHeaderLine, "the header of item " + n);
      Object type = itemHeader.getValue("type");
      if (!(type instanceof String t) || t.isBlank()) {
        throw SentryRejection.malformed("Item " + n + " has no type: its header needs a \"type\" string (e.g. \"event\")");
      }
      int offset = pos[0];
      int size;
      Object declared = itemHeader.getValue("length");
      if (declared == null) {
        int end = lineEnd(body, length, offset);
        pos[0] = end < length ? end + 1 : end;
        size = (end > offset && body[end - 1] == '\r' ? end - 1 : end) - offset;
      } else {
        if (!(declared instanceof Number num) || num.doubleValue() != Math.rint(num.doubleValue()) || num.doubleValue() < 0) {
          throw SentryRejection.malformed("Item " + n + " (" + t + "): length must be a whole number of bytes, 0 or more");
        }
        long len = num.longValue();
        if (len > length - pos[0]) {
          throw SentryRejection.malformed("Item " + n + " (" + t + ") says length " + len + " but only "
              + (length - pos[0]) + " bytes follow its header");
        }
        size = (int) len;
        pos[0] += size;
        if (pos[0] < length) {
          if (body[pos[0]] != '\n') {
            throw SentryRejection.malformed("Item " + n + " (" + t + "): its " + len
                + " bytes of payload are not followed by a newline (is length right?)");
          }
          pos[0]++;
        }
      }
      items.add(new Item(itemHeader, body, offset, size));
    }
    return new Envelope(header, items);
  }

  /** The text from {@code pos} to the next newline (consumed) or the end; a trailing \r is dropped. */
  private static String line(byte[] body, int length, int[] pos) {
    int start = pos[0];
    int end = lineEnd(body, length, start);
    pos[0] = end < length ? end + 1 : end;
    int stop = end > start && body[end - 1] == '\r' ? end - 1 : end;
    return new String(body, start, stop - start, StandardCharsets.UTF_8);
  }

  /** The offset of the newline at or after {@code start}, or {@code length}. */
  private static int lineEnd(byte[] body, int length, int start) {
    int end = start;
    while (end < length && body[end] != '\n') end++;
    return end;
  }

  private static JsonObject object(String line, String what) {
    if (line.isBlank()) throw SentryRejection.malformed("Expected " + what + " but found an empty line");
    try {
      return new JsonObject(line);
    } catch (DecodeException | ClassCastException e) {
      throw SentryRejection.malformed(what.substring(0, 1).toUpperCase() + what.substring(1)
          + " is not a JSON object: " + shorten(line));
    }
  }

  private static String shorten(String s) {
    String one = s.length() > 80 ? s.substring(0, 80) + "…" : s;
    StringBuilder out = new StringBuilder();
    for (char c : one.toCharArray()) out.append(Character.isISOControl(c) ? '?' : c);
    return out.toString();
  }
}
