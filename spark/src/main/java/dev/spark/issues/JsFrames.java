package dev.spark.issues;

import static dev.spark.issues.Spans.allDigits;
import static dev.spark.issues.Spans.contains;
import static dev.spark.issues.Spans.indexOf;
import static dev.spark.issues.Spans.lastIndexOf;

/**
 * JavaScript-style frames: V8 / Node / Bun ({@code at fn (/path/file.ts:12:5)}, {@code at /path/file.ts:12:5},
 * {@code at db.ts:12}) and Firefox / Safari ({@code fn@file.js:12:5}). A frame is its function and its
 * file with the directory above it, without line and column.
 */
final class JsFrames {
  private JsFrames() {}

  /** A Firefox / Safari line {@code s[from, to)} ({@code fn@file.js:12:5}, {@code @file.js:12}), or null. */
  static Frame firefox(String s, int from, int to) {
    int at = indexOf(s, '@', from, to);
    if (at >= 0 && at < to - 1 && indexOf(s, ' ', from, to) < 0
        && indexOf(s, ':', at + 1, to) > 0 && Character.isDigit(s.charAt(to - 1))) {
      return location(s, at == from ? -1 : from, at, at + 1, to);
    }
    return null;
  }

  /** True for a location in Node's internals or {@code node_modules}. */
  static boolean frameworkLine(String s, int start, int to) {
    return contains(s, "node_modules/", start, to) || contains(s, "node:", start, to)
        || s.startsWith("internal/", start) || contains(s, "(internal/", start, to);
  }

  /**
   * The function {@code s[fnStart, fnEnd)} (none when fnStart is -1) and its location
   * {@code s[locStart, locEnd)}, line and column taken off.
   */
  static Frame location(String s, int fnStart, int fnEnd, int locStart, int locEnd) {
    if (fnStart >= 0) {
      while (fnStart < fnEnd && s.charAt(fnStart) == ' ') fnStart++;
      while (fnEnd > fnStart && s.charAt(fnEnd - 1) == ' ') fnEnd--;
      if (s.startsWith("async ", fnStart) && fnStart + 6 <= fnEnd) fnStart += 6;
      if (fnStart >= fnEnd) fnStart = -1;
    }
    while (locStart < locEnd && s.charAt(locStart) == ' ') locStart++;
    while (locEnd > locStart && s.charAt(locEnd - 1) == ' ') locEnd--;
    if (s.startsWith("file://", locStart)) locStart += 7;
    int q = indexOf(s, '?', locStart, locEnd);
    int pathEnd = q >= 0 ? q : locEnd;
    if (q < 0) {
      // Strip ":line" and ":line:column".
      for (int i = 0; i < 2; i++) {
        int c = lastIndexOf(s, ":", locStart, pathEnd);
        if (c > locStart && c < pathEnd - 1 && allDigits(s, c + 1, pathEnd)) pathEnd = c;
      }
    }
    boolean framework = s.startsWith("node:", locStart) || s.startsWith("internal/", locStart) || s.startsWith("bun:", locStart)
        || contains(s, "node_modules/", locStart, pathEnd)
        || (pathEnd - locStart == 6 && s.startsWith("native", locStart))
        || (pathEnd - locStart == 11 && s.startsWith("<anonymous>", locStart));
    // The file and its directory ("users/service.ts"), digit runs folded (release and bundle hashes vary).
    int last = lastIndexOf(s, "/", locStart, pathEnd);
    int cut = last > locStart ? lastIndexOf(s, "/", locStart, last) : -1;
    int tailStart = cut >= 0 ? cut + 1 : locStart;
    StringBuilder key = new StringBuilder((fnStart >= 0 ? fnEnd - fnStart + 1 : 0) + pathEnd - tailStart + 2);
    if (fnStart >= 0) key.append(s, fnStart, fnEnd).append(' ');
    key.append('(');
    boolean inDigits = false;
    for (int i = tailStart; i < pathEnd; i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        if (!inDigits) key.append('#');
        inDigits = true;
      } else {
        key.append(c);
        inDigits = false;
      }
    }
    return new Frame(key.append(')').toString(), framework);
  }
}
