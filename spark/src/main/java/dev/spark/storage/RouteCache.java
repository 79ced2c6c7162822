package dev.spark.storage;

/**
 * {@link RouteTemplates#of} for the paths the writer saw recently: one slot per hash value (the slot's
 * previous path is replaced on a miss), so an application's repeated paths skip the template's scan
 * across commits, and a flood of distinct paths costs a scan and two array stores each, with no map to
 * grow. At most {@value #SLOTS} paths of at most {@value #MAX_PATH} characters are held (a longer path,
 * which a client may send, is not kept). Not thread-safe: the writer thread's alone.
 */
final class RouteCache {
  static final int SLOTS = 1024;
  static final int MAX_PATH = 256;

  private final String[] paths = new String[SLOTS];
  private final String[] routes = new String[SLOTS];

  String of(String path) {
    if (path == null || path.length() > MAX_PATH) return RouteTemplates.of(path);
    int h = path.hashCode();
    int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
    String seen = paths[slot];
    if (seen != null && seen.equals(path)) return routes[slot];
    String route = RouteTemplates.of(path);
    paths[slot] = path;
    routes[slot] = route;
    return route;
  }
}
