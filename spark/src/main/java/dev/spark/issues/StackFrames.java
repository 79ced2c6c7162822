package dev.spark.issues;

import java.util.List;

import static dev.spark.issues.Spans.indexOf;
import static dev.spark.issues.Spans.lastIndexOf;

/**
 * The frames of a stack trace, line by line, each format parsed by its own class ({@link JavaFrames},
 * {@link JsFrames}, {@link PythonFrames}). Lines that are no frame ("Caused by: ...", "... 3 more",
 * the message) are skipped.
 */
final class StackFrames {
  /** Lines of a stack looked at, at most. */
  static final int MAX_LINES = 400;

  private StackFrames() {}

  /**
   * Collects up to {@link Fingerprinter#FRAMES} frames into {@code out}: application frames when there
   * are any (answers true), else the top frames whatever they are (answers false).
   */
  static boolean collect(String stack, List<String> out) {
    // Application frames first, the common case: framework lines are recognised in place and skipped.
    walk(stack, out, true);
    if (!out.isEmpty()) return true;
    walk(stack, out, false);
    return false;
  }

  /** Adds up to {@link Fingerprinter#FRAMES} frames, application frames only or any. */
  private static void walk(String stack, List<String> out, boolean appOnly) {
    int pos = 0;
    int lines = 0;
    int len = stack.length();
    while (pos < len && lines < MAX_LINES && out.size() < Fingerprinter.FRAMES) {
      int nl = stack.indexOf('\n', pos);
      int end = nl < 0 ? len : nl;
      lines++;
      if (!appOnly || !looksLikeFramework(stack, pos, end)) {
        Frame f = parse(stack, pos, end);
        if (f != null && (!appOnly || !f.framework())) out.add(f.key());
      }
      pos = end + 1;
    }
  }

  /** A cheap look, without allocating, for "at" frames {@link #parse} would call framework frames. */
  static boolean looksLikeFramework(String stack, int from, int to) {
    while (from < to && Character.isWhitespace(stack.charAt(from))) from++;
    if (!stack.startsWith("at ", from)) return false;
    int start = from + 3;
    int paren = indexOf(stack, '(', start, to);
    if (paren > start && indexOf(stack, ' ', start, paren) < 0) {
      int slash = -1;
      for (int k = paren - 1; k >= start; k--) {
        if (stack.charAt(k) == '/') {
          slash = k;
          break;
        }
      }
      return JavaFrames.skipped(stack, slash >= 0 ? slash + 1 : start);
    }
    return JsFrames.frameworkLine(stack, start, to);
  }

  /** One stack line {@code s[from, to)}, or null when it is not a frame. */
  static Frame parse(String s, int from, int to) {
    while (from < to && Character.isWhitespace(s.charAt(from))) from++;
    while (to > from && Character.isWhitespace(s.charAt(to - 1))) to--;
    if (to - from < 3) return null;
    if (s.startsWith("at ", from)) return atLine(s, from + 3, to);
    if (s.startsWith("File \"", from)) return PythonFrames.parse(s.substring(from, to));
    return JsFrames.firefox(s, from, to);
  }

  /** The rest of an "at " line, Java's or V8's: {@code a.b.C.m(C.java:12)}, {@code fn (file:1:2)}, {@code file:1:2}. */
  private static Frame atLine(String s, int a, int to) {
    while (a < to && s.charAt(a) == ' ') a++;
    int b = to;
    // Logback's packaging data after a Java frame: "at a.B.m(B.java:3) ~[app.jar:1.0]".
    if (s.charAt(b - 1) == ']') {
      int k = lastIndexOf(s, ") ", a, b);
      if (k > a) b = k + 1;
    }
    if (b <= a) return null;
    if (s.charAt(b - 1) != ')') return JsFrames.location(s, -1, -1, a, b);
    int open = indexOf(s, '(', a, b);
    if (open < 0) return JsFrames.location(s, -1, -1, a, b);
    if (open == a) return JsFrames.location(s, -1, -1, a + 1, b - 1);
    if (s.charAt(open - 1) == ' ') return JsFrames.location(s, a, open - 1, open + 1, b - 1);
    if (indexOf(s, ' ', a, open) >= 0) return null;
    return JavaFrames.parse(s, a, open);
  }
}
