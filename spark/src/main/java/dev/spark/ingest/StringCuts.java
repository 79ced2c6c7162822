package dev.spark.ingest;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.spark.ingest.JsonCapper.stringMarker;
import static dev.spark.ingest.JsonSize.jsonStringLength;
import static dev.spark.ingest.JsonSize.prefixEnd;
import static dev.spark.ingest.JsonSize.unwrap;
import static dev.spark.ingest.JsonSize.utf8Length;

/** The capper's first phase: the longest strings are shortened, never below a floor, a marker saying how much went. */
final class StringCuts {
  private StringCuts() {
  }


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
  static long cutStrings(JsonObject root, long need, long floor, Map<String, String> originals) {
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
}
