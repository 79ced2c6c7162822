package dev.spark.issues;

import static dev.spark.issues.Spans.indexOf;
import static dev.spark.issues.Spans.lastIndexOf;

/** Java stack frames: {@code at a.b.C.m(C.java:12)}, with or without a module or class-loader prefix. */
final class JavaFrames {
  /** Packages whose frames are framework frames: the JDK, Vert.x and Netty. */
  static final String[] SKIPPED = {
      "java.", "javax.", "jdk.", "sun.", "com.sun.", "io.vertx.", "io.netty."};

  private JavaFrames() {}

  /** True when the class starting at {@code s[cls]} is in a skipped package. */
  static boolean skipped(String s, int cls) {
    for (String p : SKIPPED) if (s.startsWith(p, cls)) return true;
    return false;
  }

  /** {@code a.b.C.m} from {@code s[a, open)}: the class (generated suffix and module prefix off) and the method. */
  static Frame parse(String s, int a, int open) {
    int dot = lastIndexOf(s, ".", a, open);
    if (dot <= a) return null;
    int clsEnd = dot;
    // Generated classes (lambdas, proxies: "Foo$$Lambda$12/0x0000...") count as the class they serve.
    int generated = indexOf(s, "$$", a, dot);
    if (generated > a) clsEnd = generated;
    // A module or class-loader prefix: "java.base/java.lang.Thread", "app//dev.shop.Foo".
    int slash = lastIndexOf(s, "/", a, clsEnd);
    int clsStart = slash >= 0 ? slash + 1 : a;
    if (clsStart >= clsEnd) return null;
    int mStart = dot + 1;
    int mEnd = open;
    if (s.startsWith("lambda$", mStart)) {
      int lastDollar = lastIndexOf(s, "$", mStart, mEnd);
      if (lastDollar > mStart + "lambda$".length()) mEnd = lastDollar;
    }
    String key = new StringBuilder(clsEnd - clsStart + 1 + mEnd - mStart)
        .append(s, clsStart, clsEnd).append('.').append(s, mStart, mEnd).toString();
    return new Frame(key, skipped(s, clsStart));
  }
}
