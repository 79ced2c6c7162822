package dev.spark.ingest;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Caps a JSON object to a UTF-8 byte budget while keeping it valid JSON.
 *
 * <p>Order of sacrifice: first the longest string values are shortened (never below a floor of
 * {@code max(64, maxBytes / 64)} bytes, so short fields keep their content); then elements are
 * dropped, from the end, out of the array or object whose bytes are spread over the most elements
 * (objects lose nested containers before scalars), a marker taking their place; as a last resort
 * only the top-level scalar fields are kept. A capped result always has top-level {@code "truncated": true}.
 *
 * <p>Sizes come from an estimator that mirrors Vert.x's Jackson encoding (compact output, Jackson's
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
  private static final int MAX_DROPS = 64;
  private static final int LAST_RESORT_FLOOR = 16;
  // a container is only worth cutting when it can give back clearly more than its marker costs
  private static final int MIN_DROP_BENEFIT = 64;

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
    Drops drops = new Drops();
    long bias = 0; // grows only if the estimator ever under-counts
    for (int round = 0; round < MAX_ROUNDS; round++) {
      long need = size(out) + bias - maxBytes;
      if (need > 0) {
        need = cutStrings(out, need + SLACK, floor, originals);
        if (need > 0) {
          need = dropElements(out, need, floor, drops);
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
      cutStrings(scalars, need + SLACK, LAST_RESORT_FLOOR, new IdentityHashMap<>());
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

  // ---- phase 1: strings --------------------------------------------------------------------

  private record Slot(Object parent, Object key, String original, long bytes) {
    @SuppressWarnings("unchecked")
    void set(String value) {
      if (parent instanceof Map<?, ?> m) {
        ((Map<Object, Object>) m).put(key, value);
      } else {
        ((List<Object>) parent).set((Integer) key, value);
      }
    }
  }

  /** Shortens the longest strings first until {@code need} bytes are saved; returns what is still needed. */
  private static long cutStrings(JsonObject root, long need, long floor, Map<String, String> originals) {
    List<Slot> slots = new ArrayList<>();
    collectStrings(root, floor, originals, slots);
    slots.sort((a, b) -> Long.compare(b.bytes, a.bytes));
    for (Slot slot : slots) {
      if (need <= 0) {
        break;
      }
      long minBytes = 2 + floor + utf8Length(stringMarker(slot.original.length()));
      long target = slot.bytes - Math.min(slot.bytes - minBytes, need);
      String cut = cutJsonString(slot.original, target);
      long gain = slot.bytes - jsonStringLength(cut);
      if (gain > 0) {
        slot.set(cut);
        originals.put(cut, slot.original);
        need -= gain;
      }
    }
    return need;
  }

  private static void collectStrings(Object v, long floor, Map<String, String> originals, List<Slot> out) {
    Object c = unwrap(v);
    if (c instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        addSlot(m, e.getKey(), e.getValue(), floor, originals, out);
      }
    } else if (c instanceof List<?> l) {
      for (int i = 0; i < l.size(); i++) {
        addSlot(l, i, l.get(i), floor, originals, out);
      }
    }
  }

  private static void addSlot(Object parent, Object key, Object value, long floor, Map<String, String> originals, List<Slot> out) {
    if (value instanceof String s) {
      long bytes = jsonStringLength(s);
      String original = originals.getOrDefault(s, s);
      if (bytes > 2 + floor + utf8Length(stringMarker(original.length()))) {
        out.add(new Slot(parent, key, original, bytes));
      }
    } else {
      collectStrings(value, floor, originals, out);
    }
  }

  /** Longest prefix of {@code original} plus marker whose JSON encoding is at most {@code targetBytes}. */
  private static String cutJsonString(String original, long targetBytes) {
    long budget = targetBytes - 2 - utf8Length(stringMarker(original.length()));
    int end = prefixEnd(original, Math.max(0, budget), true);
    return original.substring(0, end) + stringMarker(original.codePointCount(end, original.length()));
  }

  // ---- phase 2: containers -----------------------------------------------------------------

  private static final class Candidate {
    Object container; // the raw Map or List
    boolean root;
    long benefit;
  }

  /** Per-shrink bookkeeping: how many elements each container has lost, and containers that cannot give more. */
  private record Drops(Map<Object, Integer> dropped, Map<Object, Boolean> exhausted) {
    Drops() {
      this(new IdentityHashMap<>(), new IdentityHashMap<>());
    }
  }

  /** Drops trailing elements of the containers with the most droppable bytes; returns what is still needed. */
  private static long dropElements(JsonObject root, long need, long floor, Drops drops) {
    for (int i = 0; i < MAX_DROPS && need > 0; i++) {
      Candidate best = new Candidate();
      measure(root, true, drops, best);
      if (best.container == null) {
        break;
      }
      long gain = best.container instanceof List<?> l
        ? cutList(l, need, floor, drops)
        : cutMap(best.container, best.root, need, floor, drops);
      if (gain <= 0) {
        drops.exhausted.put(best.container, true);
      }
      need -= Math.max(0, gain);
    }
    return need;
  }

  /**
   * Encoded size of {@code v}; records the container whose size minus its largest element is biggest,
   * i.e. where the bulk is spread over many elements rather than sitting in one child.
   */
  private static long measure(Object v, boolean root, Drops drops, Candidate best) {
    Object c = unwrap(v);
    long total = 2;
    long largest = 0;
    int droppable = 0;
    if (c instanceof Map<?, ?> m) {
      int i = 0;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        long entry = jsonStringLength(String.valueOf(e.getKey())) + 1 + measure(e.getValue(), false, drops, best);
        total += entry + (i++ > 0 ? 1 : 0);
        if (!isProtectedKey(m, e.getKey(), root, drops)) {
          largest = Math.max(largest, entry);
          droppable++;
        }
      }
    } else if (c instanceof List<?> l) {
      int n = l.size() - (drops.dropped.containsKey(l) ? 1 : 0);
      for (int i = 0; i < l.size(); i++) {
        long item = measure(l.get(i), false, drops, best);
        total += item + (i > 0 ? 1 : 0);
        if (i < n) {
          largest = Math.max(largest, item);
          droppable++;
        }
      }
    } else {
      return size(v);
    }
    long benefit = total - largest;
    if (droppable > 0 && benefit > MIN_DROP_BENEFIT && benefit > best.benefit && !drops.exhausted.containsKey(c)) {
      best.container = c;
      best.root = root;
      best.benefit = benefit;
    }
    return total;
  }

  private static boolean isProtectedKey(Map<?, ?> m, Object key, boolean root, Drops drops) {
    return (root && TRUNCATED_KEY.equals(key)) || (MARKER_KEY.equals(key) && drops.dropped.containsKey(m));
  }

  /**
   * Whether to keep a big nested container instead of dropping it whole: cutting inside it later
   * loses less than dropping it, when it is much bigger than what is still needed.
   */
  private static boolean cutInsideInstead(Object value, long valueBytes, long stillNeeded, long floor) {
    Object c = unwrap(value);
    return (c instanceof Map || c instanceof List) && valueBytes - stillNeeded > floor;
  }

  /** Drops items from the end (a marker string takes their place) until {@code need} bytes are saved. */
  private static long cutList(List<?> raw, long need, long floor, Drops drops) {
    @SuppressWarnings("unchecked")
    List<Object> list = (List<Object>) raw;
    long before = size(list);
    int prev = drops.dropped.getOrDefault(list, 0);
    int n = list.size() - (prev > 0 ? 1 : 0);
    long[] sizes = new long[n];
    long keptSum = 0;
    for (int i = 0; i < n; i++) {
      sizes[i] = size(list.get(i));
      keptSum += sizes[i];
    }
    long target = before - need;
    int keep = n;
    while (keep > 0) {
      // keep items, then the marker: keep commas
      long stillNeeded = 2 + keptSum + keep + jsonStringLength(itemsMarker(prev + n - keep)) - target;
      if (stillNeeded <= 0 || cutInsideInstead(list.get(keep - 1), sizes[keep - 1], stillNeeded, floor)) {
        break;
      }
      keep--;
      keptSum -= sizes[keep];
    }
    if (keep == n) {
      return 0;
    }
    int count = prev + n - keep;
    list.subList(keep, list.size()).clear();
    list.add(itemsMarker(count));
    drops.dropped.put(list, count);
    return before - size(list);
  }

  /**
   * Object version of {@link #cutList}: drops nested containers first, then scalars, each from the
   * end, so leading short fields such as type and message survive longest.
   */
  private static long cutMap(Object raw, boolean root, long need, long floor, Drops drops) {
    @SuppressWarnings("unchecked")
    Map<Object, Object> map = (Map<Object, Object>) raw;
    long before = size(map);
    int prev = drops.dropped.getOrDefault(map, 0);
    List<Object> containers = new ArrayList<>();
    List<Object> scalars = new ArrayList<>();
    long keptSum = 0;
    int keptCount = 0;
    for (Map.Entry<Object, Object> e : map.entrySet()) {
      boolean isProtected = isProtectedKey(map, e.getKey(), root, drops);
      if (isProtected && MARKER_KEY.equals(e.getKey())) {
        continue;
      }
      keptSum += entrySize(e.getKey(), e.getValue());
      keptCount++;
      if (!isProtected) {
        Object c = unwrap(e.getValue());
        (c instanceof Map || c instanceof List ? containers : scalars).add(e.getKey());
      }
    }
    List<Object> order = new ArrayList<>(containers.size() + scalars.size());
    for (int i = containers.size() - 1; i >= 0; i--) {
      order.add(containers.get(i));
    }
    for (int i = scalars.size() - 1; i >= 0; i--) {
      order.add(scalars.get(i));
    }
    long target = before - need;
    int count = prev;
    List<Object> removed = new ArrayList<>();
    for (Object key : order) {
      // kept entries plus the marker entry: keptCount commas
      long stillNeeded = 2 + keptSum + keptCount + entrySize(MARKER_KEY, keysMarker(count)) - target;
      Object value = map.get(key);
      long valueBytes = size(value);
      if (stillNeeded <= 0 || cutInsideInstead(value, valueBytes, stillNeeded, floor)) {
        break;
      }
      removed.add(key);
      keptSum -= jsonStringLength(String.valueOf(key)) + 1 + valueBytes;
      keptCount--;
      count++;
    }
    if (removed.isEmpty()) {
      return 0;
    }
    removed.forEach(map::remove);
    map.remove(MARKER_KEY);
    map.put(MARKER_KEY, keysMarker(count));
    drops.dropped.put(map, count);
    return before - size(map);
  }

  private static long entrySize(Object key, Object value) {
    return jsonStringLength(String.valueOf(key)) + 1 + size(value);
  }

  // ---- sizes ----------------------------------------------------------------------------------

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

  private static Object unwrap(Object v) {
    if (v instanceof JsonObject o) {
      return o.getMap();
    } else if (v instanceof JsonArray a) {
      return a.getList();
    }
    return v;
  }

  private static int digits(long x) {
    if (x == Long.MIN_VALUE) {
      return 20;
    }
    int n = x < 0 ? 2 : 1;
    for (long a = Math.abs(x); a >= 10; a /= 10) {
      n++;
    }
    return n;
  }

  private static boolean fits(String s, int maxBytes) {
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

  private static long encodedLength(String s, int end, boolean json) {
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
  private static int prefixEnd(String s, long budget, boolean json) {
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
  private static int width(String s, int i, boolean json) {
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
