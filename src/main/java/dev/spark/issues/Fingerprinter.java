package dev.spark.issues;

import dev.spark.event.IssueSummary;
import io.vertx.core.json.JsonObject;

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

    Hash h = new Hash().add(type).add(errorClass).add(message == null ? null : normaliseMessage(message));
    if (!frames.isEmpty()) {
      h.add(app ? "app" : "top");
      for (String f : frames) h.add(f);
    } else {
      String where = route != null ? route : feature != null ? feature : command;
      h.add("at").add(where == null ? null : normaliseMessage(where));
    }
    return new Result(h.hex(), summary);
  }

  /**
   * 64-bit FNV-1a over the parts' characters, each part ended by a separator, then MurmurHash3's
   * finaliser to spread the bits. Not cryptographic: a fingerprint groups events, and a client that
   * wants two events in one issue can send the same fingerprint anyway.
   */
  static final class Hash {
    private long h = 0xcbf29ce484222325L;

    Hash add(String part) {
      if (part != null) {
        for (int i = 0; i < part.length(); i++) {
          h ^= part.charAt(i);
          h *= 0x100000001b3L;
        }
      }
      h ^= 0x1F; // unit separator: ("ab", "c") and ("a", "bc") differ
      h *= 0x100000001b3L;
      return this;
    }

    String hex() {
      long x = h;
      x ^= x >>> 33;
      x *= 0xff51afd7ed558ccdL;
      x ^= x >>> 33;
      x *= 0xc4ceb9fe1a85ec53L;
      x ^= x >>> 33;
      char[] out = new char[16];
      for (int i = 15; i >= 0; i--) {
        out[i] = HEX[(int) (x & 0xf)];
        x >>>= 4;
      }
      return new String(out);
    }
  }

  /** The message with its variable parts replaced by placeholders ({@code <n>}, {@code <uuid>}, ...), whitespace collapsed. */
  public static String normaliseMessage(String message) {
    String in = message.length() > MESSAGE_CHARS ? message.substring(0, MESSAGE_CHARS) : message;
    if (alreadyNormal(in)) return in;
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

  /** True when nothing in {@code in} would change: no digit, '@', ':', quote, or whitespace but single inner spaces. */
  private static boolean alreadyNormal(String in) {
    int n = in.length();
    if (n == 0) return true;
    if (in.charAt(0) == ' ' || in.charAt(n - 1) == ' ') return false;
    for (int i = 0; i < n; i++) {
      char c = in.charAt(i);
      if ((c >= '0' && c <= '9') || c == '@' || c == ':' || c == '"' || c == '\'' || c == '`') return false;
      if (Character.isWhitespace(c) && (c != ' ' || in.charAt(i - 1) == ' ')) return false;
    }
    return true;
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
    // Application frames first, the common case: framework lines are recognised in place and skipped.
    walk(stack, out, true);
    if (!out.isEmpty()) return true;
    walk(stack, out, false);
    return false;
  }

  /** Adds up to {@link #FRAMES} frames, application frames only or any. */
  private static void walk(String stack, List<String> out, boolean appOnly) {
    int pos = 0;
    int lines = 0;
    int len = stack.length();
    while (pos < len && lines < MAX_LINES && out.size() < FRAMES) {
      int nl = stack.indexOf('\n', pos);
      int end = nl < 0 ? len : nl;
      lines++;
      if (!appOnly || !looksLikeFramework(stack, pos, end)) {
        Frame f = parse(stack, pos, end);
        if (f != null && (!appOnly || !f.framework)) out.add(f.key);
      }
      pos = end + 1;
    }
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
  static Frame parse(String s, int from, int to) {
    while (from < to && Character.isWhitespace(s.charAt(from))) from++;
    while (to > from && Character.isWhitespace(s.charAt(to - 1))) to--;
    if (to - from < 3) return null;
    if (s.startsWith("at ", from)) {
      int a = from + 3;
      while (a < to && s.charAt(a) == ' ') a++;
      int b = to;
      // Logback's packaging data after a Java frame: "at a.B.m(B.java:3) ~[app.jar:1.0]".
      if (s.charAt(b - 1) == ']') {
        int k = lastIndexOf(s, ") ", a, b);
        if (k > a) b = k + 1;
      }
      if (b <= a) return null;
      if (s.charAt(b - 1) != ')') return location(s, -1, -1, a, b);
      int open = indexOf(s, '(', a, b);
      if (open < 0) return location(s, -1, -1, a, b);
      if (open == a) return location(s, -1, -1, a + 1, b - 1);
      if (s.charAt(open - 1) == ' ') return location(s, a, open - 1, open + 1, b - 1);
      if (indexOf(s, ' ', a, open) >= 0) return null;
      return java(s, a, open);
    }
    if (s.startsWith("File \"", from)) return python(s.substring(from, to));
    int at = indexOf(s, '@', from, to);
    if (at >= 0 && at < to - 1 && indexOf(s, ' ', from, to) < 0
        && indexOf(s, ':', at + 1, to) > 0 && Character.isDigit(s.charAt(to - 1))) {
      return location(s, at == from ? -1 : from, at, at + 1, to);
    }
    return null;
  }

  /** {@code a.b.C.m} from {@code s[a, open)}: the class (generated suffix and module prefix off) and the method. */
  private static Frame java(String s, int a, int open) {
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
    boolean framework = false;
    for (String p : SKIPPED_JAVA) {
      if (s.startsWith(p, clsStart)) {
        framework = true;
        break;
      }
    }
    String key = new StringBuilder(clsEnd - clsStart + 1 + mEnd - mStart)
        .append(s, clsStart, clsEnd).append('.').append(s, mStart, mEnd).toString();
    return new Frame(key, framework);
  }

  /**
   * A JavaScript-style frame: the function {@code s[fnStart, fnEnd)} (none when fnStart is -1) and
   * its location {@code s[locStart, locEnd)}, line and column taken off.
   */
  private static Frame location(String s, int fnStart, int fnEnd, int locStart, int locEnd) {
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

  /** {@code File "/app/x.py", line 12, in handler}. */
  private static Frame python(String line) {
    int q = line.indexOf('"', 6);
    if (q < 0) return null;
    int in = line.lastIndexOf(", in ");
    Frame f = in > q ? location(line, in + 5, line.length(), 6, q) : location(line, -1, -1, 6, q);
    String path = line.substring(6, q);
    boolean framework = path.contains("site-packages/") || path.contains("dist-packages/") || path.startsWith("<frozen");
    return new Frame(f.key, framework);
  }

  /** The first {@code c} in [from, to), or -1 (never looks past {@code to}). */
  private static int indexOf(String s, char c, int from, int to) {
    for (int i = from; i < to; i++) if (s.charAt(i) == c) return i;
    return -1;
  }

  /** The last {@code part} starting in [from, to - part.length()], or -1. */
  private static int lastIndexOf(String s, String part, int from, int to) {
    for (int i = to - part.length(); i >= from; i--) if (s.startsWith(part, i)) return i;
    return -1;
  }

  /** The first {@code part} inside [from, to), or -1. */
  private static int indexOf(String s, String part, int from, int to) {
    for (int i = from; i + part.length() <= to; i++) if (s.startsWith(part, i)) return i;
    return -1;
  }

  private static boolean allDigits(String s, int from, int to) {
    for (int i = from; i < to; i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
    return from < to;
  }

  private static String stringOrNull(Object v) {
    return v instanceof String s ? s : null;
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
