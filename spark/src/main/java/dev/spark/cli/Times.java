package dev.spark.cli;

import dev.spark.event.Timestamps;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code --since}/{@code --until}: an ISO-8601 time as the API takes it, or an age such as {@code 30m}, {@code 2h}, {@code 7d}. */
final class Times {
  private static final Pattern AGE = Pattern.compile("(\\d{1,9})([smhdw])");

  private Times() {}

  /** An age becomes the UTC time that long ago; anything else is passed on for the API to check. */
  static String resolve(String value, Instant now) {
    if (value == null) return null;
    Matcher m = AGE.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) return value;
    long n = Long.parseLong(m.group(1));
    Duration age = switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      case "d" -> Duration.ofDays(n);
      default -> Duration.ofDays(7 * n);
    };
    return Timestamps.format(now.minus(age));
  }
}
