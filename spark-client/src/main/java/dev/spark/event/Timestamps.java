package dev.spark.event;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
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
    byte[] prefix; // "uuuu-MM-ddTHH:mm:ss." in ASCII
  }

  public static String format(Instant instant) {
    long second = instant.getEpochSecond();
    if (second < FIRST_SECOND || second > LAST_SECOND) return FORMAT.format(instant.truncatedTo(ChronoUnit.MILLIS));
    SecondCache cache = CACHE.get();
    if (cache.second != second) {
      cache.prefix = SECONDS.format(Instant.ofEpochSecond(second)).getBytes(StandardCharsets.ISO_8859_1);
      cache.second = second;
    }
    int millis = instant.getNano() / 1_000_000;
    // ASCII bytes decoded as ISO-8859-1: one copy into the String, where a char[] is copied and compressed
    int i = cache.prefix.length;
    byte[] out = Arrays.copyOf(cache.prefix, i + 4);
    out[i] = (byte) ('0' + millis / 100);
    out[i + 1] = (byte) ('0' + millis / 10 % 10);
    out[i + 2] = (byte) ('0' + millis % 10);
    out[i + 3] = 'Z';
    return new String(out, StandardCharsets.ISO_8859_1);
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
