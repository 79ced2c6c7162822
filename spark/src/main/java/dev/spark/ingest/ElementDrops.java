package dev.spark.ingest;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static dev.spark.ingest.JsonCapper.MARKER_KEY;
import static dev.spark.ingest.JsonCapper.TRUNCATED_KEY;
import static dev.spark.ingest.JsonCapper.itemsMarker;
import static dev.spark.ingest.JsonCapper.keysMarker;
import static dev.spark.ingest.JsonSize.entrySize;
import static dev.spark.ingest.JsonSize.jsonStringLength;
import static dev.spark.ingest.JsonSize.size;
import static dev.spark.ingest.JsonSize.unwrap;

/**
 * The capper's second phase: elements are dropped, from the end, out of the array or object whose
 * bytes are spread over the most elements (objects lose nested containers before scalars), a marker
 * taking their place. One instance per capping: it remembers how many elements each container has
 * lost and which cannot give more.
 */
final class ElementDrops {
  private static final int MAX_DROPS = 64;
  // a container is only worth cutting when it can give back clearly more than its marker costs
  private static final int MIN_DROP_BENEFIT = 64;

  private final Map<Object, Integer> dropped = new IdentityHashMap<>();
  private final Map<Object, Boolean> exhausted = new IdentityHashMap<>();


  private static final class Candidate {
    Object container; // the raw Map or List
    boolean root;
    long benefit;
  }

  /** Drops trailing elements of the containers with the most droppable bytes; returns what is still needed. */
  long drop(JsonObject root, long need, long floor) {
    for (int i = 0; i < MAX_DROPS && need > 0; i++) {
      Candidate best = new Candidate();
      measure(root, true, best);
      if (best.container == null) {
        break;
      }
      long gain = best.container instanceof List<?> l
        ? cutList(l, need, floor)
        : cutMap(best.container, best.root, need, floor);
      if (gain <= 0) {
        exhausted.put(best.container, true);
      }
      need -= Math.max(0, gain);
    }
    return need;
  }

  /**
   * Encoded size of {@code v}; records the container whose size minus its largest element is biggest,
   * i.e. where the bulk is spread over many elements rather than sitting in one child.
   */
  private long measure(Object v, boolean root, Candidate best) {
    Object c = unwrap(v);
    long total = 2;
    long largest = 0;
    int droppable = 0;
    if (c instanceof Map<?, ?> m) {
      int i = 0;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        long entry = jsonStringLength(String.valueOf(e.getKey())) + 1 + measure(e.getValue(), false, best);
        total += entry + (i++ > 0 ? 1 : 0);
        if (!isProtectedKey(m, e.getKey(), root)) {
          largest = Math.max(largest, entry);
          droppable++;
        }
      }
    } else if (c instanceof List<?> l) {
      int n = l.size() - (dropped.containsKey(l) ? 1 : 0);
      for (int i = 0; i < l.size(); i++) {
        long item = measure(l.get(i), false, best);
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
    if (droppable > 0 && benefit > MIN_DROP_BENEFIT && benefit > best.benefit && !exhausted.containsKey(c)) {
      best.container = c;
      best.root = root;
      best.benefit = benefit;
    }
    return total;
  }

  private boolean isProtectedKey(Map<?, ?> m, Object key, boolean root) {
    return (root && TRUNCATED_KEY.equals(key)) || (MARKER_KEY.equals(key) && dropped.containsKey(m));
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
  private long cutList(List<?> raw, long need, long floor) {
    @SuppressWarnings("unchecked")
    List<Object> list = (List<Object>) raw;
    long before = size(list);
    int prev = dropped.getOrDefault(list, 0);
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
    dropped.put(list, count);
    return before - size(list);
  }

  /**
   * Object version of {@link #cutList}: drops nested containers first, then scalars, each from the
   * end, so leading short fields such as type and message survive longest.
   */
  private long cutMap(Object raw, boolean root, long need, long floor) {
    @SuppressWarnings("unchecked")
    Map<Object, Object> map = (Map<Object, Object>) raw;
    long before = size(map);
    int prev = dropped.getOrDefault(map, 0);
    List<Object> containers = new ArrayList<>();
    List<Object> scalars = new ArrayList<>();
    long keptSum = 0;
    int keptCount = 0;
    for (Map.Entry<Object, Object> e : map.entrySet()) {
      boolean isProtected = isProtectedKey(map, e.getKey(), root);
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
    dropped.put(map, count);
    return before - size(map);
  }
}
