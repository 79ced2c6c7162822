package dev.spark.alerts;

/**
 * Untrusted text (an error's message, a route) made inert for chat services that take Slack's
 * incoming-webhook JSON (Slack, Mattermost, Rocket.Chat). {@code &}, {@code <} and {@code >} are
 * escaped as Slack's formatting rules ask, so {@code <@U123>}, {@code <!channel>} and
 * {@code <http://x|label>} show as text; the result is then set inside a code span, where neither
 * Slack's mrkdwn nor Markdown renders links, emphasis or {@code @channel} mentions, with the
 * backticks that could end the span replaced. Control characters go too.
 */
final class ChatText {
  private ChatText() {}

  static String escape(String s) {
    if (s == null) return "";
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '`' -> out.append('\'');
        case '\n', '\t' -> out.append(c);
        default -> out.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? ' ' : c);
      }
    }
    return out.toString();
  }

  /** One line of untrusted text as an inline code span (newlines become spaces). */
  static String inline(String s, int max) {
    String flat = escape(clip(s, max)).replace('\n', ' ').replace('\t', ' ').strip();
    return flat.isEmpty() ? "" : "`" + flat + "`";
  }

  /** Untrusted text over several lines as a code block. */
  static String block(String s, int max) {
    String text = escape(clip(s, max)).strip();
    return text.isEmpty() ? "" : "```\n" + text + "\n```";
  }

  /** A link Slack renders with a label; the URL is Spark's own (publicUrl), the label fixed text. */
  static String link(String url, String label) {
    if (url == null || url.isEmpty() || url.indexOf('|') >= 0 || url.indexOf('>') >= 0 || url.indexOf('<') >= 0) return "";
    return "<" + url + "|" + label + ">";
  }

  static String clip(String s, int max) {
    if (s == null) return "";
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }
}
