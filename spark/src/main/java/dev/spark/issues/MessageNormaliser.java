package dev.spark.issues;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An error message with its variable parts replaced: URLs, e-mail addresses, UUIDs, dates and times,
 * IP addresses, quoted strings, hex ids and numbers become placeholders, so that two occurrences of
 * one problem read the same.
 */
final class MessageNormaliser {
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

  private MessageNormaliser() {}

  /** The message with its variable parts replaced by placeholders ({@code <n>}, {@code <uuid>}, ...), whitespace collapsed. */
  static String normalise(String message) {
    String in = message.length() > Fingerprinter.MESSAGE_CHARS ? message.substring(0, Fingerprinter.MESSAGE_CHARS) : message;
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

  static boolean isWordChar(char c) {
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
}
