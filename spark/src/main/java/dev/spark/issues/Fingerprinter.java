package dev.spark.issues;

import dev.spark.event.IssueSummary;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Groups events that are the same problem. An event's fingerprint is a hash of:
 * <ol>
 *   <li>its type;</li>
 *   <li>its exception class ({@code error.type}, {@code error.name} or {@code error.class}, else the
 *       {@code Name:} that starts the stack's first line, as Java and JavaScript print it);</li>
 *   <li>its message with the variable parts replaced: URLs, e-mail addresses, UUIDs, dates and
 *       times, IP addresses, quoted strings, hex ids and numbers (the first
 *       {@value #MESSAGE_CHARS} characters);</li>
 *   <li>the top {@value #FRAMES} application frames of the stack, as class or file plus method, without
 *       line or column numbers. JDK, Vert.x and Netty frames (and Node's internals and
 *       {@code node_modules}) are skipped; a stack with no application frame uses its top frames as
 *       they are. With no stack at all, the route (else the feature, else a process-error's
 *       command) stands in for the code location.</li>
 * </ol>
 * Stack lines understood: Java ({@code at a.b.C.m(C.java:12)}, with or without a module prefix),
 * V8 / Node / Bun ({@code at fn (/path/file.ts:12:5)}, {@code at /path/file.ts:12:5},
 * {@code at db.ts:12}), Firefox / Safari ({@code fn@file.js:12:5}) and Python
 * ({@code File "x.py", line 12, in fn}). Thread-safe; allocation-light.
 *
 * <p>The parts: {@link MessageNormaliser}, {@link StackFrames} (one class per stack format), {@link FingerprintHash}.
 */
public final class Fingerprinter {
  /** Application frames that take part in the fingerprint. */
  public static final int FRAMES = 3;
  /** The part of the message that is normalised and hashed. */
  public static final int MESSAGE_CHARS = 1_000;
  /** The representative message kept on the issue. */
  static final int SUMMARY_MESSAGE_CHARS = 1_000;

  private Fingerprinter() {}

  /** The fingerprint and what an issue shows of it. {@code fingerprint} is 16 hex digits unless the client chose one. */
  public record Result(String fingerprint, IssueSummary summary) {}

  /**
   * Fingerprints an event. {@code clientFingerprint}, when not null, is used as it is (the client
   * knows best); the summary is computed either way.
   */
  public static Result of(String type, JsonObject error, String route, String feature, String command, String clientFingerprint) {
    String message = error == null ? null : stringOrNull(error.getValue("message"));
    String stack = error == null ? null : stringOrNull(error.getValue("stack"));
    String errorClass = errorClass(error, stack);
    List<String> frames = new ArrayList<>(FRAMES);
    boolean app = stack != null && StackFrames.collect(stack, frames);
    String culprit = frames.isEmpty() ? null : frames.get(0);
    IssueSummary summary = new IssueSummary(errorClass, message == null ? null : cut(message, SUMMARY_MESSAGE_CHARS), culprit);
    if (clientFingerprint != null) return new Result(clientFingerprint, summary);

    FingerprintHash h = new FingerprintHash().add(type).add(errorClass).add(message == null ? null : normaliseMessage(message));
    if (!frames.isEmpty()) {
      h.add(app ? "app" : "top");
      for (String f : frames) h.add(f);
    } else {
      String where = route != null ? route : feature != null ? feature : command;
      h.add("at").add(where == null ? null : normaliseMessage(where));
    }
    return new Result(h.hex(), summary);
  }

  /** The message with its variable parts replaced by placeholders ({@code <n>}, {@code <uuid>}, ...), whitespace collapsed. */
  public static String normaliseMessage(String message) {
    return MessageNormaliser.normalise(message);
  }

  /** {@code error.type}/{@code name}/{@code class} when given, else the {@code Name:} starting the stack's first line. */
  static String errorClass(JsonObject error, String stack) {
    if (error != null) {
      for (String key : new String[] {"type", "name", "class"}) {
        String s = stringOrNull(error.getValue(key));
        if (s != null && !s.isBlank()) return cut(s.strip(), 256);
      }
    }
    if (stack == null) return null;
    int start = 0;
    int len = stack.length();
    while (start < len && Character.isWhitespace(stack.charAt(start))) start++;
    int end = start;
    while (end < len && isNameChar(stack.charAt(end))) end++;
    if (end == start || end - start > 256 || !Character.isJavaIdentifierStart(stack.charAt(start))) return null;
    // "Name: message", or "Name" alone on its line (a Java exception without a message).
    if (end == len || stack.charAt(end) == ':' || stack.charAt(end) == '\n' || stack.charAt(end) == '\r') {
      return stack.substring(start, end);
    }
    return null;
  }

  private static boolean isNameChar(char c) {
    return Character.isJavaIdentifierPart(c) || c == '.';
  }

  private static String stringOrNull(Object v) {
    return v instanceof String s ? s : null;
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
