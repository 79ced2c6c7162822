package dev.spark.storage;

/**
 * The route a request path belongs to, for per-route statistics: path segments that are ids
 * (all digits, a UUID, a hex string of 8 or more characters with a digit, or a token of 20 or more
 * letters and digits with a digit) become {@code {id}}, so {@code /api/items/42} and
 * {@code /api/items/43} are one route, {@code /api/items/{id}}. Anything else is kept as it is.
 */
public final class RouteTemplates {
  public static final String ID = "{id}";

  private RouteTemplates() {}

  public static String of(String path) {
    int first = firstId(path);
    if (first < 0) return path;
    StringBuilder out = new StringBuilder(path.length());
    appendTemplate(path, first, out);
    return out.toString();
  }

  /** Where the first id segment of {@code path} starts; -1 when there is none (the path is its own route). */
  static int firstId(String path) {
    if (path == null) return -1;
    int n = path.length();
    for (int start = 0; start < n; ) {
      int end = path.indexOf('/', start);
      if (end < 0) end = n;
      if (end > start && isId(path, start, end)) return start;
      start = end + 1;
    }
    return -1;
  }

  /** Appends the route of {@code path} to {@code out}, given {@link #firstId}{@code (path)} ≥ 0. */
  static void appendTemplate(String path, int firstId, StringBuilder out) {
    out.append(path, 0, firstId);
    int n = path.length();
    for (int start = firstId; start <= n; ) {
      int end = path.indexOf('/', start);
      if (end < 0) end = n;
      if (end > start && isId(path, start, end)) out.append(ID);
      else out.append(path, start, end);
      if (end < n) out.append('/');
      start = end + 1;
    }
  }

  /** True when {@code path} is its own route, so a filter on it means the same on raw paths and on routes. */
  public static boolean isTemplate(String path) {
    return path != null && path.equals(of(path));
  }

  public static boolean isId(String s, int from, int to) {
    int len = to - from;
    boolean digits = true;
    boolean hex = true;
    boolean alnum = true;
    boolean anyDigit = false;
    int dashes = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      boolean digit = c >= '0' && c <= '9';
      boolean hexLetter = (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      anyDigit |= digit;
      if (!digit) digits = false;
      if (c == '-') dashes++;
      else if (!digit && !hexLetter) hex = false;
      if (!digit && !letter) alnum = false;
    }
    if (digits) return true;
    if (len == 36 && dashes == 4 && hex) return true;
    if (dashes == 0 && hex && anyDigit && len >= 8) return true;
    return alnum && anyDigit && len >= 20;
  }
}
