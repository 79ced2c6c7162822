package dev.spark.storage;

import java.util.Arrays;

/**
 * {@link RouteTemplates#of} for the writer without a new String per row: a path with an id segment
 * has its route written into a reused buffer, and the route String already returned for the same
 * characters is returned again (a path without one is its own route). Holds at most {@value #MAX}
 * routes of at most {@value #MAX_LENGTH} characters, and starts over when full, so a flood of distinct
 * routes costs what {@link RouteTemplates#of} costs and the memory stays bounded. Paths longer than
 * {@value #MAX_LENGTH} characters go to {@link RouteTemplates#of}. Not thread-safe: one per writer.
 */
final class KnownRoutes {
  static final int MAX = 4096;
  static final int MAX_LENGTH = 256;

  /** Open addressing with linear probing, at most half full. */
  private final String[] slots = new String[2 * MAX];
  private int size;
  private final StringBuilder template = new StringBuilder(MAX_LENGTH);

  String of(String path) {
    int first = RouteTemplates.firstId(path);
    if (first < 0) return path;
    if (path.length() > MAX_LENGTH) return RouteTemplates.of(path);
    template.setLength(0);
    RouteTemplates.appendTemplate(path, first, template);
    // String.hashCode's formula, so a held route's cached hash rules out most mismatches.
    int h = 0;
    for (int i = 0; i < template.length(); i++) h = 31 * h + template.charAt(i);
    int mask = slots.length - 1;
    int slot = (h ^ (h >>> 16)) & mask;
    for (String held = slots[slot]; held != null; held = slots[slot]) {
      if (held.hashCode() == h && held.contentEquals(template)) return held;
      slot = (slot + 1) & mask;
    }
    String route = template.toString();
    if (route.length() > MAX_LENGTH) return route;
    if (size == MAX) {
      Arrays.fill(slots, null);
      size = 0;
      slot = (h ^ (h >>> 16)) & mask;
    }
    slots[slot] = route;
    size++;
    return route;
  }
}
