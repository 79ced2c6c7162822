package dev.spark.event;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** One timestamp format everywhere (UTC, millisecond ISO-8601), so string comparison in SQL is time order. */
public final class Timestamps {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Timestamps() {}

  public static String format(Instant instant) {
    return FORMAT.format(instant.truncatedTo(ChronoUnit.MILLIS));
  }

  public static String now() {
    return format(Instant.now());
  }

  /** Parses ISO-8601 with a zone or offset (or epoch milliseconds as digits); null when it is neither. */
  public static Instant parse(String text) {
    if (text == null) return null;
    String t = text.trim();
    try {
      if (!t.isEmpty() && t.chars().allMatch(Character::isDigit) && t.length() <= 15) {
        return Instant.ofEpochMilli(Long.parseLong(t));
      }
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeParseException | NumberFormatException e) {
      return null;
    }
  }
}
