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
    if (path == null || path.isEmpty()) return path;
    StringBuilder out = null;
    int start = 0;
    int n = path.length();
    while (start <= n) {
      int end = path.indexOf('/', start);
      if (end < 0) end = n;
      if (end > start && isId(path, start, end)) {
        if (out == null) out = new StringBuilder(n).append(path, 0, start);
        out.append(ID);
      } else if (out != null) {
        out.append(path, start, end);
      }
      if (end < n && out != null) out.append('/');
      start = end + 1;
    }
    return out == null ? path : out.toString();
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
