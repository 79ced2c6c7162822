package dev.spark.ingest;

import io.vertx.core.json.JsonObject;

import java.util.IdentityHashMap;
import java.util.Map;

import static dev.spark.ingest.JsonSize.fits;
import static dev.spark.ingest.JsonSize.jsonStringLength;
import static dev.spark.ingest.JsonSize.prefixEnd;
import static dev.spark.ingest.JsonSize.size;
import static dev.spark.ingest.JsonSize.utf8Length;

/**
 * Caps a JSON object to a UTF-8 byte budget while keeping it valid JSON.
 *
 * <p>Order of sacrifice: first the longest string values are shortened (never below a floor of
 * {@code max(64, maxBytes / 64)} bytes, so short fields keep their content); then elements are
 * dropped, from the end, out of the array or object whose bytes are spread over the most elements
 * (objects lose nested containers before scalars), a marker taking their place; as a last resort
 * only the top-level scalar fields are kept. A capped result always has top-level {@code "truncated": true}.
 *
 * <p>The phases: {@link StringCuts}, {@link ElementDrops}. Sizes come from an estimator ({@link JsonSize}) that mirrors Vert.x's Jackson encoding (compact output, Jackson's
 * string escapes, raw non-ASCII), so the tree is normally encoded only once more, to verify.
 */
public final class JsonCapper {

  public static final int DEFAULT_MAX_BYTES = 64 * 1024;

  public record Capped(String json, boolean truncated) {}

  static final String TRUNCATED_KEY = "truncated";
  static final String MARKER_KEY = "…";
  private static final String MINIMAL = "{\"truncated\":true}";
  private static final int SLACK = 16;
  private static final int MAX_ROUNDS = 8;
  private static final int LAST_RESORT_FLOOR = 16;

  private JsonCapper() {
  }

  public static Capped cap(JsonObject in, int maxBytes) {
    if (maxBytes < MINIMAL.length()) {
      throw new IllegalArgumentException("maxBytes must be at least " + MINIMAL.length() + ": " + maxBytes);
    }
    String json = in.encode();
    if (fits(json, maxBytes)) {
      return new Capped(json, false);
    }
    JsonObject out = in.copy();
    out.put(TRUNCATED_KEY, true);
    String capped = shrink(out, maxBytes, Math.max(64, maxBytes / 64));
    return new Capped(capped != null ? capped : lastResort(in, maxBytes), true);
  }

  /** Cuts {@code s} to at most {@code maxBytes} UTF-8 bytes, ending with a marker when there is room for one. */
  public static String capString(String s, int maxBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
    }
    if (s == null || fits(s, maxBytes)) {
      return s;
    }
    long markerBytes = utf8Length(stringMarker(s.length()));
    if (markerBytes > maxBytes) {
      return s.substring(0, prefixEnd(s, maxBytes, false));
    }
    int end = prefixEnd(s, maxBytes - markerBytes, false);
    return s.substring(0, end) + stringMarker(s.codePointCount(end, s.length()));
  }

  /** Returns the encoded JSON if it could be brought under budget, else null. */
  private static String shrink(JsonObject out, int maxBytes, long floor) {
    Map<String, String> originals = new IdentityHashMap<>();
    ElementDrops drops = new ElementDrops();
    long bias = 0; // grows only if the estimator ever under-counts
    for (int round = 0; round < MAX_ROUNDS; round++) {
      long need = size(out) + bias - maxBytes;
      if (need > 0) {
        need = StringCuts.cutStrings(out, need + SLACK, floor, originals);
        if (need > 0) {
          need = drops.drop(out, need, floor);
        }
        if (need > SLACK) {
          return null;
        }
      }
      String json = out.encode();
      long real = utf8Length(json);
      if (real <= maxBytes) {
        return json;
      }
      bias = Math.max(bias, real - size(out)) + SLACK;
    }
    return null;
  }

  private static String lastResort(JsonObject in, int maxBytes) {
    JsonObject scalars = new JsonObject();
    for (Map.Entry<String, Object> e : in.getMap().entrySet()) {
      Object v = e.getValue();
      if (!TRUNCATED_KEY.equals(e.getKey()) && (v == null || v instanceof String || v instanceof Number || v instanceof Boolean)) {
        scalars.put(e.getKey(), v);
      }
    }
    scalars.put(TRUNCATED_KEY, true);
    long need = size(scalars) - maxBytes;
    if (need > 0) {
      StringCuts.cutStrings(scalars, need + SLACK, LAST_RESORT_FLOOR, new IdentityHashMap<>());
    }
    // keep fields in order while they fit
    JsonObject out = new JsonObject();
    long total = MINIMAL.length();
    for (Map.Entry<String, Object> e : scalars.getMap().entrySet()) {
      long entry = jsonStringLength(e.getKey()) + 1 + size(e.getValue()) + 1;
      if (!TRUNCATED_KEY.equals(e.getKey()) && total + entry <= maxBytes) {
        out.put(e.getKey(), e.getValue());
        total += entry;
      }
    }
    out.put(TRUNCATED_KEY, true);
    String json = out.encode();
    return utf8Length(json) <= maxBytes ? json : MINIMAL;
  }

  // ---- markers --------------------------------------------------------------------------------

  static String stringMarker(int removedChars) {
    return "…[truncated " + removedChars + " chars]";
  }

  static String itemsMarker(int count) {
    return "…[" + count + " more items truncated]";
  }

  static String keysMarker(int count) {
    return "…[" + count + " more keys truncated]";
  }
}
