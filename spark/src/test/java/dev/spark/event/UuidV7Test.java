package dev.spark.event;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

class UuidV7Test {

  private static long timestamp(String id) {
    return UUID.fromString(id).getMostSignificantBits() >>> 16;
  }

  private static int randA(String id) {
    return (int) (UUID.fromString(id).getMostSignificantBits() & 0xFFF);
  }

  @Test
  void hasVersion7AndRfcVariant() {
    for (int i = 0; i < 1000; i++) {
      String id = UuidV7.next();
      UUID uuid = UUID.fromString(id);
      assertEquals(7, uuid.version(), id);
      assertEquals(2, uuid.variant(), id);
      assertEquals('7', id.charAt(14), id);
      assertTrue("89ab".indexOf(id.charAt(19)) >= 0, id);
      assertEquals(uuid.toString(), id, "canonical lower-case form");
      assertEquals(36, id.length());
    }
  }

  @Test
  void consecutiveIdsAreStrictlyIncreasingStrings() {
    String prev = UuidV7.next();
    for (int i = 0; i < 10_000; i++) {
      String id = UuidV7.next();
      assertTrue(id.compareTo(prev) > 0, prev + " then " + id);
      prev = id;
    }
  }

  @Test
  void timestampIsTheCurrentTime() {
    UuidV7 generator = new UuidV7(System::currentTimeMillis, 42);
    long before = System.currentTimeMillis();
    String id = generator.generate();
    long after = System.currentTimeMillis();
    long ts = timestamp(id);
    assertTrue(ts >= before && ts <= after, ts + " not in [" + before + ", " + after + "]");

    // the shared generator may run a few ms ahead after bursts from other tests, never behind
    long start = System.currentTimeMillis();
    long shared = timestamp(UuidV7.next());
    assertTrue(shared >= start && shared <= System.currentTimeMillis() + 1000, "shared generator timestamp " + shared);
  }

  @Test
  void sameMillisecondCountsUpAndOverflowsIntoNextMillisecond() {
    long now = 1_700_000_000_000L;
    UuidV7 generator = new UuidV7(() -> now, 7);
    String first = generator.generate();
    assertEquals(now, timestamp(first));
    assertTrue(randA(first) < 2048, "counter starts in the lower half");
    String prev = first;
    for (int i = 0; i < 5000; i++) {
      String id = generator.generate();
      assertTrue(id.compareTo(prev) > 0);
      if (timestamp(id) == timestamp(prev)) {
        assertEquals(randA(prev) + 1, randA(id), "counter increments within a millisecond");
      } else {
        assertEquals(timestamp(prev) + 1, timestamp(id), "overflow borrows exactly the next millisecond");
      }
      prev = id;
    }
    // 5000 ids cannot fit in one millisecond's 4096 counter values
    assertTrue(timestamp(prev) > now);
    assertTrue(timestamp(prev) <= now + 3);
  }

  @Test
  void clockGoingBackwardsKeepsOrder() {
    AtomicLong clock = new AtomicLong(1_000_000);
    UuidV7 generator = new UuidV7(clock::get, 1);
    String a = generator.generate();
    clock.set(999_000);
    String b = generator.generate();
    clock.set(1_000_001);
    String c = generator.generate();
    assertTrue(b.compareTo(a) > 0);
    assertTrue(c.compareTo(b) > 0);
    assertEquals(1_000_000, timestamp(b));
    assertEquals(1_000_001, timestamp(c));
  }

  @Test
  void threadsGetUniqueIncreasingIds() throws Exception {
    UuidV7 generator = new UuidV7(System::currentTimeMillis, 3);
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> all = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(new Thread(() -> {
        String prev = "";
        for (int i = 0; i < 5000; i++) {
          String id = generator.generate();
          if (id.compareTo(prev) <= 0) {
            failures.add(prev + " then " + id);
          }
          all.add(id);
          prev = id;
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }
    assertTrue(failures.isEmpty(), failures::toString);
    Set<String> unique = new HashSet<>(all);
    assertEquals(20_000, unique.size());
  }

  @Test
  void randomBitsDiffer() {
    Set<Long> lows = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      lows.add(UUID.fromString(UuidV7.next()).getLeastSignificantBits());
    }
    assertEquals(1000, lows.size());
  }
}
