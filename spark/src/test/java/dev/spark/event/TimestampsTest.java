package dev.spark.event;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cached formatter writes exactly what the plain formatter writes, for any instant and in any order. */
class TimestampsTest {
  private static final DateTimeFormatter PLAIN = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @Test
  void formatsLikeTheIsoFormatterWithMilliseconds() {
    Random random = new Random(1);
    Instant now = Instant.now();
    for (int i = 0; i < 200_000; i++) {
      Instant t = switch (i % 4) {
        case 0 -> now.plusNanos(random.nextInt(5_000) * 1_000_000L + random.nextInt(1_000_000));
        case 1 -> Instant.ofEpochMilli(random.nextLong() % 253_402_300_799_000L);
        case 2 -> now.minusMillis(random.nextInt(86_400_000));
        default -> Instant.ofEpochSecond(-62_167_219_200L + random.nextInt(1_000), random.nextInt(1_000_000_000));
      };
      assertEquals(PLAIN.format(t.truncatedTo(ChronoUnit.MILLIS)), Timestamps.format(t), t.toString());
    }
    assertEquals("0000-01-01T00:00:00.000Z", Timestamps.format(Instant.parse("0000-01-01T00:00:00Z")));
    assertEquals("9999-12-31T23:59:59.999Z", Timestamps.format(Instant.parse("9999-12-31T23:59:59.999999Z")));
  }

  @Test
  void repeatedMillisecondsAndStepsBackFormatLikeTheIsoFormatter() {
    Random random = new Random(2);
    Instant t = Instant.now();
    for (int i = 0; i < 200_000; i++) {
      t = switch (random.nextInt(8)) {
        case 0, 1, 2 -> t; // the same instant again
        case 3 -> t.plusNanos(random.nextInt(1_000_000)); // often the same millisecond, a nanosecond field apart
        case 4 -> t.minusNanos(random.nextInt(3_000_000)); // back within or across a millisecond
        case 5 -> t.plusSeconds(random.nextInt(3) - 1); // the same millisecond of another second
        case 6 -> t.minusSeconds(random.nextInt(100_000));
        default -> t.plusMillis(random.nextInt(2_000));
      };
      assertEquals(PLAIN.format(t.truncatedTo(ChronoUnit.MILLIS)), Timestamps.format(t), t.toString());
    }
    Instant far = Instant.ofEpochSecond(-62_167_219_201L, 5_000_000);
    assertEquals(PLAIN.format(far), Timestamps.format(far));
    assertEquals(PLAIN.format(far), Timestamps.format(far));
    Instant again = Instant.parse("2026-01-02T03:04:05.678Z");
    assertSame(Timestamps.format(again), Timestamps.format(again.plusNanos(321_000)), "one String for one millisecond");
  }

  @Test
  void nowIsTheCurrentMillisecond() {
    for (int i = 0; i < 100_000; i++) {
      String before = PLAIN.format(Instant.now().truncatedTo(ChronoUnit.MILLIS));
      String now = Timestamps.now();
      String after = PLAIN.format(Instant.now().truncatedTo(ChronoUnit.MILLIS));
      assertTrue(before.compareTo(now) <= 0 && now.compareTo(after) <= 0, before + " " + now + " " + after);
      assertEquals(PLAIN.format(Instant.parse(now)), now);
    }
  }
}
