package dev.spark.event;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** One timestamp format everywhere (UTC, millisecond ISO-8601), so string comparison in SQL is time order. */
public final class Timestamps {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Timestamps() {}

  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.").withZone(ZoneOffset.UTC);
  private static final long FIRST_SECOND = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
  private static final long LAST_SECOND = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

  /** Per thread, the last second formatted: rows come in time order, so most share their second with the previous one. */
  private static final ThreadLocal<SecondCache> CACHE = ThreadLocal.withInitial(SecondCache::new);

  private static final class SecondCache {
    long second = Long.MIN_VALUE;
    String prefix;
  }

  public static String format(Instant instant) {
    long second = instant.getEpochSecond();
    if (second < FIRST_SECOND || second > LAST_SECOND) return FORMAT.format(instant.truncatedTo(ChronoUnit.MILLIS));
    SecondCache cache = CACHE.get();
    if (cache.second != second) {
      cache.prefix = SECONDS.format(Instant.ofEpochSecond(second));
      cache.second = second;
    }
    int millis = instant.getNano() / 1_000_000;
    char[] out = new char[cache.prefix.length() + 4];
    cache.prefix.getChars(0, cache.prefix.length(), out, 0);
    int i = cache.prefix.length();
    out[i] = (char) ('0' + millis / 100);
    out[i + 1] = (char) ('0' + millis / 10 % 10);
    out[i + 2] = (char) ('0' + millis % 10);
    out[i + 3] = 'Z';
    return new String(out);
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
    } catch (DateTimeException | NumberFormatException e) {
      return null;
    }
  }
}
