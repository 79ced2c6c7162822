package dev.spark.issues;

/** Searches inside {@code s[from, to)} without allocating (stack lines are parsed in place). */
final class Spans {
  private Spans() {}

  static boolean contains(String s, String part, int from, int to) {
    for (int k = from; k + part.length() <= to; k++) if (s.startsWith(part, k)) return true;
    return false;
  }

  /** The first {@code c} in [from, to), or -1 (never looks past {@code to}). */
  static int indexOf(String s, char c, int from, int to) {
    for (int i = from; i < to; i++) if (s.charAt(i) == c) return i;
    return -1;
  }

  /** The last {@code part} starting in [from, to - part.length()], or -1. */
  static int lastIndexOf(String s, String part, int from, int to) {
    for (int i = to - part.length(); i >= from; i--) if (s.startsWith(part, i)) return i;
    return -1;
  }

  /** The first {@code part} inside [from, to), or -1. */
  static int indexOf(String s, String part, int from, int to) {
    for (int i = from; i + part.length() <= to; i++) if (s.startsWith(part, i)) return i;
    return -1;
  }

  static boolean allDigits(String s, int from, int to) {
    for (int i = from; i < to; i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
    return from < to;
  }
}
