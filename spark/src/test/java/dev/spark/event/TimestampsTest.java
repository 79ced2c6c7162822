package dev.spark.event;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
