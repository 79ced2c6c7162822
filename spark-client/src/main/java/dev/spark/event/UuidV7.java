package dev.spark.event;

import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * RFC 9562 UUID version 7 ids: 48-bit unix millisecond timestamp, version 7, 12-bit rand_a,
 * variant 10, 62 random bits. Ids from one generator are strictly increasing (also as strings).
 */
public final class UuidV7 {

  private static final UuidV7 DEFAULT = new UuidV7(System::currentTimeMillis, new SecureRandom().nextLong());

  // rand_a starts each millisecond at a random value below 2048, leaving at least 2048 increments
  // before the counter overflows into the next millisecond (RFC 9562 §6.2, method 1).
  private static final int COUNTER_START_BOUND = 1 << 11;
  private static final int COUNTER_MAX = 0xFFF;
  private static final long TIMESTAMP_MASK = 0xFFFF_FFFF_FFFFL;

  private final LongSupplier clock;
  private final SplittableRandom random;
  private long lastMs = Long.MIN_VALUE;
  private int counter;

  UuidV7(LongSupplier clock, long seed) {
    this.clock = clock;
    this.random = new SplittableRandom(seed);
  }

  public static String next() {
    return DEFAULT.generate();
  }

  String generate() {
    long ms;
    int seq;
    long randB;
    synchronized (this) {
      long now = clock.getAsLong() & TIMESTAMP_MASK;
      if (now > lastMs) {
        lastMs = now;
        counter = random.nextInt(COUNTER_START_BOUND);
      } else if (counter < COUNTER_MAX) {
        // same millisecond, or the clock stepped back: keep the last timestamp and count on
        counter++;
      } else {
        // counter exhausted: borrow the next millisecond so ordering is kept
        lastMs = (lastMs + 1) & TIMESTAMP_MASK;
        counter = random.nextInt(COUNTER_START_BOUND);
      }
      ms = lastMs;
      seq = counter;
      randB = random.nextLong();
    }
    long msb = (ms << 16) | 0x7000L | seq;
    long lsb = (randB >>> 2) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb).toString();
  }
}
