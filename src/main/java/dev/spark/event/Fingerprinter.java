package dev.spark.event;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 */
public final class Fingerprinter {
  /** Application frames that take part in the fingerprint. */
  public static final int FRAMES = 3;
  /** The part of the message that is normalised and hashed. */
  public static final int MESSAGE_CHARS = 1_000;
  /** Lines of a stack looked at, at most. */
  static final int MAX_LINES = 400;
  /** The representative message kept on the issue. */
  static final int SUMMARY_MESSAGE_CHARS = 1_000;

  private static final String[] SKIPPED_JAVA = {
      "java.", "javax.", "jdk.", "sun.", "com.sun.", "io.vertx.", "io.netty."};

  private static final Pattern VARIABLE = Pattern.compile(
      "(?<url>\\b[A-Za-z][A-Za-z0-9+.-]{1,15}://[^\\s\"'<>()\\[\\]{}]+)"
          + "|(?<email>\\b[\\w.+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+)"
          + "|(?<uuid>\\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\\b)"
          + "|(?<date>\\b\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?)"
          + "|(?<time>\\b\\d{1,2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?\\b)"
          + "|(?<ip>\\b\\d{1,3}(?:\\.\\d{1,3}){3}(?::\\d{1,5})?\\b"
          + "|(?<![\\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{1,4}(?![\\w:]))"
          + "|(?<str>\"[^\"\\n]*\"|(?<!\\w)'[^'\\n]*'(?!\\w)|`[^`\\n]*`)"
          + "|(?<hex>\\b0[xX][0-9A-Fa-f]+\\b|\\b(?=[0-9A-Fa-f]*\\d)(?=[0-9A-Fa-f]*[A-Fa-f])[0-9A-Fa-f]{6,}\\b)"
          + "|(?<num>\\d+(?:\\.\\d+)?)");
  private static final String[] GROUPS = {"url", "email", "uuid", "date", "time", "ip", "str", "hex", "num"};
  private static final String[] TOKENS = {"<url>", "<email>", "<uuid>", "<date>", "<time>", "<ip>", "<str>", "<hex>", "<n>"};

  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });
  private static final char[] HEX = "0123456789abcdef".toCharArray();

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
    boolean app = stack != null && frames(stack, frames);
    String culprit = frames.isEmpty() ? null : frames.get(0);
    IssueSummary summary = new IssueSummary(errorClass, message == null ? null : cut(message, SUMMARY_MESSAGE_CHARS), culprit);
    if (clientFingerprint != null) return new Result(clientFingerprint, summary);

    StringBuilder basis = new StringBuilder(256)
        .append(type).append('\n')
        .append(errorClass == null ? "" : errorClass).append('\n')
        .append(message == null ? "" : normaliseMessage(message)).append('\n');
    if (!frames.isEmpty()) {
      basis.append(app ? "app" : "top");
      for (String f : frames) basis.append('\n').append(f);
    } else {
      String where = route != null ? route : feature != null ? feature : command;
      basis.append("at ").append(where == null ? "" : normaliseMessage(where));
    }
    return new Result(hash(basis), summary);
  }

  /** The message with its variable parts replaced by placeholders ({@code <n>}, {@code <uuid>}, ...), whitespace collapsed. */
  public static String normaliseMessage(String message) {
    String in = message.length() > MESSAGE_CHARS ? message.substring(0, MESSAGE_CHARS) : message;
    StringBuilder out = new StringBuilder(in.length());
    int n = in.length();
    int i = 0;
    // One pass over whitespace-separated words. Quoted strings (which may hold spaces) are replaced
    // whole; words without a digit, '@' or ':' are copied as they are (most words); a word of digits
    // is a number; only the rest go through the VARIABLE pattern.
    while (i < n) {
      char c = in.charAt(i);
      if (Character.isWhitespace(c)) {
        if (out.length() > 0 && out.charAt(out.length() - 1) != ' ') out.append(' ');
        i++;
        continue;
      }
      if (c == '"' || c == '`' || (c == '\'' && (i == 0 || !isWordChar(in.charAt(i - 1))))) {
        int close = closingQuote(in, i, c);
        if (close > 0) {
          out.append("<str>");
          i = close + 1;
          continue;
        }
      }
      int end = i;
      boolean digits = true;
      boolean plain = true;
      while (end < n) {
        char d = in.charAt(end);
        if (Character.isWhitespace(d) || d == '"' || d == '`' || (d == '\'' && end > i && !isWordChar(in.charAt(end - 1)))) break;
        if (d < '0' || d > '9') digits = false;
        if ((d >= '0' && d <= '9') || d == '@' || d == ':') plain = false;
        end++;
      }
      if (end == i) {
        out.append(c); // a quote that closes nowhere
        i++;
      } else if (plain) {
        out.append(in, i, end);
      } else if (digits) {
        out.append("<n>");
      } else {
        replaceVariables(in.substring(i, end), out);
      }
      i = Math.max(end, i + 1);
    }
    int len = out.length();
    while (len > 0 && out.charAt(len - 1) == ' ') len--;
    out.setLength(len);
    return out.toString();
  }

  /** The closing quote on the same line (a single quote must end a word), or -1. */
  private static int closingQuote(String in, int open, char q) {
    for (int j = open + 1; j < in.length(); j++) {
      char d = in.charAt(j);
      if (d == '\n') return -1;
      if (d == q && (q != '\'' || j + 1 == in.length() || !isWordChar(in.charAt(j + 1)))) return j;
    }
    return -1;
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  private static void replaceVariables(String word, StringBuilder out) {
    Matcher m = VARIABLE.matcher(word);
    int last = 0;
    while (m.find()) {
      out.append(word, last, m.start()).append(token(m));
      last = m.end();
    }
    out.append(word, last, word.length());
  }

  private static String token(Matcher m) {
    for (int i = 0; i < GROUPS.length; i++) if (m.start(GROUPS[i]) >= 0) return TOKENS[i];
    return "<?>";
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

  /**
   * Collects up to {@link #FRAMES} frames into {@code out}: application frames when there are any
   * (answers true), else the top frames whatever they are (answers false).
   */
  static boolean frames(String stack, List<String> out) {
    List<String> any = new ArrayList<>(FRAMES);
    int pos = 0;
    int lines = 0;
    int len = stack.length();
    while (pos < len && lines < MAX_LINES) {
      int nl = stack.indexOf('\n', pos);
      int end = nl < 0 ? len : nl;
      lines++;
      if (any.size() == FRAMES && looksLikeFramework(stack, pos, end)) {
        pos = end + 1; // nothing more to learn from it, and no need to take it apart
        continue;
      }
      Frame f = parse(stack, pos, end);
      pos = end + 1;
      if (f == null) continue;
      if (!f.framework) {
        out.add(f.key);
        if (out.size() == FRAMES) return true;
      } else if (any.size() < FRAMES) {
        any.add(f.key);
      }
    }
    if (!out.isEmpty()) return true;
    out.addAll(any);
    return false;
  }

  private record Frame(String key, boolean framework) {}

  /** A cheap look, without allocating, for frames {@link #parse} would call framework frames. */
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
      int cls = slash >= 0 ? slash + 1 : start;
      for (String p : SKIPPED_JAVA) if (stack.startsWith(p, cls)) return true;
      return false;
    }
    return contains(stack, "node_modules/", start, to) || contains(stack, "node:", start, to)
        || stack.startsWith("internal/", start) || contains(stack, "(internal/", start, to);
  }

  private static boolean contains(String s, String part, int from, int to) {
    for (int k = from; k + part.length() <= to; k++) if (s.startsWith(part, k)) return true;
    return false;
  }

  /** One stack line, or null when it is not a frame ("Caused by: ...", "... 3 more", the message line). */
  static Frame parse(String stack, int from, int to) {
    while (from < to && Character.isWhitespace(stack.charAt(from))) from++;
    while (to > from && Character.isWhitespace(stack.charAt(to - 1))) to--;
    if (to - from < 3) return null;
    if (stack.startsWith("at ", from)) {
      String rest = stack.substring(from + 3, to).strip();
      // Logback's packaging data after a Java frame: "at a.B.m(B.java:3) ~[app.jar:1.0]".
      int packaging = rest.endsWith("]") ? rest.lastIndexOf(") ") : -1;
      if (packaging > 0) rest = rest.substring(0, packaging + 1);
      return rest.endsWith(")") ? parenthesised(rest) : location(null, rest);
    }
    if (stack.startsWith("File \"", from)) return python(stack.substring(from, to));
    int at = indexOf(stack, '@', from, to);
    if (at >= 0 && indexOf(stack, ' ', from, to) < 0 && at < to - 1) {
      String loc = stack.substring(at + 1, to);
      if (loc.indexOf(':') > 0 && Character.isDigit(loc.charAt(loc.length() - 1))) {
        return location(at == from ? null : stack.substring(from, at), loc);
      }
    }
    return null;
  }

  /** {@code a.b.C.m(C.java:12)} (Java) or {@code fn (/path/file.ts:12:5)} (V8). */
  private static Frame parenthesised(String rest) {
    int open = rest.indexOf('(');
    if (open <= 0) return location(null, rest);
    String head = rest.substring(0, open);
    String inside = rest.substring(open + 1, rest.length() - 1);
    if (head.endsWith(" ")) return location(head.strip(), inside);
    if (head.indexOf(' ') >= 0) return null;
    return java(head);
  }

  private static Frame java(String qualified) {
    int dot = qualified.lastIndexOf('.');
    if (dot <= 0) return null;
    String cls = qualified.substring(0, dot);
    String method = qualified.substring(dot + 1);
    // Generated classes (lambdas, proxies: "Foo$$Lambda$12/0x0000...") count as the class they serve.
    int generated = cls.indexOf("$$");
    if (generated > 0) cls = cls.substring(0, generated);
    // A module or class-loader prefix: "java.base/java.lang.Thread", "app//dev.shop.Foo".
    int slash = cls.lastIndexOf('/');
    if (slash >= 0) cls = cls.substring(slash + 1);
    if (cls.isEmpty()) return null;
    if (method.startsWith("lambda$")) {
      int lastDollar = method.lastIndexOf('$');
      if (lastDollar > "lambda$".length()) method = method.substring(0, lastDollar);
    }
    boolean framework = false;
    for (String p : SKIPPED_JAVA) {
      if (cls.startsWith(p)) {
        framework = true;
        break;
      }
    }
    return new Frame(cls + "." + method, framework);
  }

  /** A JavaScript-style frame: the function (may be null) and its location, line and column taken off. */
  private static Frame location(String function, String loc) {
    String fn = function;
    if (fn != null) {
      if (fn.startsWith("async ")) fn = fn.substring(6);
      if (fn.isEmpty()) fn = null;
    }
    String path = loc.strip();
    if (path.startsWith("file://")) path = path.substring(7);
    int q = path.indexOf('?');
    if (q >= 0) {
      int colon = path.indexOf(':', q);
      path = path.substring(0, q) + (colon >= 0 ? path.substring(colon) : "");
    }
    // Strip ":line" and ":line:column".
    for (int i = 0; i < 2; i++) {
      int c = path.lastIndexOf(':');
      if (c > 0 && c < path.length() - 1 && allDigits(path, c + 1)) path = path.substring(0, c);
    }
    boolean framework = path.startsWith("node:") || path.startsWith("internal/") || path.contains("node_modules/")
        || path.equals("native") || path.equals("<anonymous>") || path.startsWith("bun:");
    String tail = tail(path);
    return new Frame((fn == null ? "" : fn + " ") + "(" + tail + ")", framework);
  }

  /** {@code File "/app/x.py", line 12, in handler}. */
  private static Frame python(String line) {
    int q = line.indexOf('"', 6);
    if (q < 0) return null;
    String path = line.substring(6, q);
    int in = line.lastIndexOf(", in ");
    String fn = in > q ? line.substring(in + 5).strip() : null;
    boolean framework = path.contains("site-packages/") || path.contains("dist-packages/") || path.startsWith("<frozen");
    return new Frame((fn == null ? "" : fn + " ") + "(" + tail(path) + ")", framework);
  }

  /** The file and its directory ({@code users/service.ts}), digit runs folded (release and bundle hashes vary). */
  private static String tail(String path) {
    int last = path.lastIndexOf('/');
    int cut = last > 0 ? path.lastIndexOf('/', last - 1) : -1;
    String t = cut >= 0 ? path.substring(cut + 1) : path;
    StringBuilder out = new StringBuilder(t.length());
    boolean inDigits = false;
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (Character.isDigit(c)) {
        if (!inDigits) out.append('#');
        inDigits = true;
      } else {
        out.append(c);
        inDigits = false;
      }
    }
    return out.toString();
  }

  /** The first {@code c} in [from, to), or -1 (never looks past {@code to}). */
  private static int indexOf(String s, char c, int from, int to) {
    for (int i = from; i < to; i++) if (s.charAt(i) == c) return i;
    return -1;
  }

  private static boolean allDigits(String s, int from) {
    for (int i = from; i < s.length(); i++) if (!Character.isDigit(s.charAt(i))) return false;
    return from < s.length();
  }

  private static String hash(CharSequence basis) {
    MessageDigest md = SHA256.get();
    md.reset();
    byte[] digest = md.digest(basis.toString().getBytes(StandardCharsets.UTF_8));
    char[] out = new char[16];
    for (int i = 0; i < 8; i++) {
      out[2 * i] = HEX[(digest[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[digest[i] & 0xf];
    }
    return new String(out);
  }

  private static String stringOrNull(Object v) {
    return v instanceof String s ? s : null;
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
