package dev.spark.cli;

/**
 * The terminal is not a rendering surface for stored data: events and access logs come from outside,
 * and an ESC, OSC or BEL in them would clear the screen, retitle the window or recolour what follows;
 * a CR or LF would break a table's rows. So what the CLI prints for people shows them escaped
 * ({@code \x1b}, {@code \r}, {@code \u009b}, ...). {@code --json} output stays exact JSON: its
 * encoder already escapes every character below 0x20, and the {@code \\uNNNN} form used for DEL, C1
 * and bidi controls is a JSON escape for the same character.
 */
final class Terminal {
  private Terminal() {}

  /** One value for a table cell or a labelled line: every control character escaped, newlines included. */
  static String cell(String s) {
    return escape(s, false);
  }

  /** Text of several lines: control characters escaped, newlines kept. */
  static String text(String s) {
    return escape(s, true);
  }

  private static String escape(String s, boolean keepNewlines) {
    if (s == null) return null;
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String replacement = replacement(c, keepNewlines);
      if (replacement == null) {
        if (out != null) out.append(c);
        continue;
      }
      if (out == null) out = new StringBuilder(s.length() + 16).append(s, 0, i);
      out.append(replacement);
    }
    return out == null ? s : out.toString();
  }

  private static String replacement(char c, boolean keepNewlines) {
    if (c == '\n') return keepNewlines ? null : "\\n";
    if (c == '\r') return "\\r";
    if (c == '\t') return "\\t";
    if (c < 0x20) return String.format("\\x%02x", (int) c);
    // DEL, C1 controls (0x9b is a one-character CSI on some terminals), bidi overrides and isolates
    if ((c >= 0x7f && c < 0xa0) || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')) {
      return String.format("\\u%04x", (int) c);
    }
    return null;
  }
}
