package dev.spark.client;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Text of a throwable for an event, defensive against throwables whose own methods throw. */
final class Throwables {
  private Throwables() {}

  /** The message, or the class name when there is none. */
  static String message(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getName() : m;
  }

  /** What {@code printStackTrace} prints: the throwable, its frames, causes and suppressed ones. */
  static String stackTrace(Throwable t) {
    StringWriter out = new StringWriter(1024);
    try (PrintWriter w = new PrintWriter(out)) {
      t.printStackTrace(w);
    }
    return out.toString();
  }
}
