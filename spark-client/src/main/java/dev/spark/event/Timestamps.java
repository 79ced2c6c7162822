package dev.spark.event;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/** One timestamp format everywhere (UTC, millisecond ISO-8601), so string comparison in SQL is time order. */
public final class Timestamps {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Timestamps() {}

  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.").withZone(ZoneOffset.UTC);
  private static final long FIRST_SECOND = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
  private static final long LAST_SECOND = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

  /**
   * Per thread, the last second and millisecond formatted: rows come in time order, so most share their
   * second with the previous one, and at a high rate many their millisecond (the same String again).
   */
  private static final ThreadLocal<LastFormatted> CACHE = ThreadLocal.withInitial(LastFormatted::new);

  private static final class LastFormatted {
    long second = Long.MIN_VALUE;
    byte[] prefix; // "uuuu-MM-ddTHH:mm:ss." in ASCII
    int millis = -1;
    String text;
  }

  public static String format(Instant instant) {
    return format(instant.getEpochSecond(), instant.getNano() / 1_000_000);
  }

  /** The current time, of the same clock as {@link Instant#now()}, read without building an Instant. */
  public static String now() {
    long ms = System.currentTimeMillis();
    return format(Math.floorDiv(ms, 1000), (int) Math.floorMod(ms, 1000));
  }

  private static String format(long second, int millis) {
    if (second < FIRST_SECOND || second > LAST_SECOND) return FORMAT.format(Instant.ofEpochSecond(second, millis * 1_000_000L));
    LastFormatted last = CACHE.get();
    if (last.second == second && last.millis == millis) return last.text;
    if (last.second != second) {
      last.prefix = SECONDS.format(Instant.ofEpochSecond(second)).getBytes(StandardCharsets.ISO_8859_1);
      last.second = second;
    }
    // ASCII bytes decoded as ISO-8859-1: one copy into the String, where a char[] is copied and compressed
    int i = last.prefix.length;
    byte[] out = Arrays.copyOf(last.prefix, i + 4);
    out[i] = (byte) ('0' + millis / 100);
    out[i + 1] = (byte) ('0' + millis / 10 % 10);
    out[i + 2] = (byte) ('0' + millis % 10);
    out[i + 3] = 'Z';
    last.text = new String(out, StandardCharsets.ISO_8859_1);
    last.millis = millis;
    return last.text;
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
