package dev.spark.alerts;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;

/**
 * An alert as a plain-text e-mail (RFC 5322): headers, then the body base64-encoded as UTF-8 so any
 * text passes any server unchanged. Untrusted text never reaches a header unfiltered: line breaks and
 * control characters are removed (no header injection), and a non-ASCII subject is RFC 2047-encoded.
 */
final class MailText {
  private MailText() {}

  static String message(Delivery d, String from, List<String> to) {
    StringBuilder m = new StringBuilder();
    header(m, "From", "Spark <" + from + ">");
    header(m, "To", String.join(", ", to));
    header(m, "Subject", encodeWord("[Spark] " + d.heading() + ": " + ChatText.clip(oneLine(d.title()), 150)));
    header(m, "Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)));
    header(m, "Message-ID", "<" + d.id() + "@spark.alerts>");
    header(m, "MIME-Version", "1.0");
    header(m, "Content-Type", "text/plain; charset=UTF-8");
    header(m, "Content-Transfer-Encoding", "base64");
    header(m, "X-Spark-Delivery", d.id());
    header(m, "X-Spark-Event", d.kind());
    m.append("\r\n");
    String b64 = Base64.getEncoder().encodeToString(body(d).getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < b64.length(); i += 76) m.append(b64, i, Math.min(b64.length(), i + 76)).append("\r\n");
    return m.toString();
  }

  static String body(Delivery d) {
    JsonObject p = d.payload();
    JsonObject issue = p.getJsonObject("issue", new JsonObject());
    StringBuilder b = new StringBuilder();
    b.append(d.heading()).append(p.getString("environment") == null ? "" : " in " + plain(p.getString("environment"))).append("\n\n");
    b.append(plain(d.title())).append("\n\n");
    line(b, "Type", issue.getString("type"));
    line(b, "Occurrences", issue.getValue("count") == null ? null : String.valueOf(issue.getValue("count")));
    line(b, "First seen", issue.getString("firstSeen"));
    line(b, "Last seen", issue.getString("lastSeen"));
    line(b, "Resolved by", p.getString("resolvedBy"));
    line(b, "Fingerprint", issue.getString("fingerprint"));
    if (!d.link().isEmpty()) b.append("\nOpen in Spark: ").append(d.link()).append('\n');
    b.append("\n-- \nSent by Spark (delivery ").append(d.id()).append(")\n");
    return b.toString();
  }

  private static void line(StringBuilder b, String label, String value) {
    if (value != null && !value.isBlank()) b.append(label).append(": ").append(plain(oneLine(value))).append('\n');
  }

  /** Text without control characters (terminal escapes), line breaks kept. */
  static String plain(String s) {
    if (s == null) return "";
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      out.append(c == '\n' || !Character.isISOControl(c) ? c : ' ');
    }
    return out.toString();
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("[\\r\\n\\u2028\\u2029]+", " ");
  }

  private static void header(StringBuilder m, String name, String value) {
    m.append(name).append(": ").append(oneLine(plain(value))).append("\r\n");
  }

  /** RFC 2047 "encoded-word" for a header value that is not plain ASCII. */
  static String encodeWord(String s) {
    String flat = oneLine(plain(s));
    if (flat.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) return flat;
    // Words of at most 45 bytes (60 in base64), whole characters each, so none passes 75 characters.
    StringBuilder out = new StringBuilder();
    StringBuilder word = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < flat.length(); ) {
      int cp = flat.codePointAt(i);
      String ch = new String(Character.toChars(cp));
      int n = ch.getBytes(StandardCharsets.UTF_8).length;
      if (bytes + n > 45) {
        out.append(out.length() == 0 ? "" : " ").append(word(word.toString()));
        word.setLength(0);
        bytes = 0;
      }
      word.append(ch);
      bytes += n;
      i += ch.length();
    }
    if (word.length() > 0) out.append(out.length() == 0 ? "" : " ").append(word(word.toString()));
    return out.toString();
  }

  private static String word(String s) {
    return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)) + "?=";
  }
}
