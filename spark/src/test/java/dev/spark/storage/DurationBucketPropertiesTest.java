package dev.spark.storage;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AccessRollups#durationBucket} skips BigDecimal for whole milliseconds below 1,000 (most access
 * logs) and rounds fractional ones in doubles, deciding the near-ties exactly in doubles too: the
 * bucket it gives is, bit for bit, the three-significant-digit rounding it always was, ties and their
 * neighbours included.
 */
class DurationBucketPropertiesTest {
  private static final MathContext THREE_DIGITS = new MathContext(3, RoundingMode.HALF_UP);

  @Property(tries = 20_000)
  void sameBucketAsRoundingToThreeSignificantDigits(@ForAll("durations") double ms) {
    double expected = ms == 0 ? ms : new BigDecimal(ms).round(THREE_DIGITS).doubleValue();
    assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(AccessRollups.durationBucket(ms)), "duration " + ms);
  }

  @Example
  void fractionalMillisecondsAndNearTiesTakeTheFastPath() {
    assertEquals(0.123, AccessRollups.threeDigitsFast(0.12345));
    assertEquals(1.24, AccessRollups.threeDigitsFast(1.23999));
    assertEquals(12_300_000.0, AccessRollups.threeDigitsFast(12_345_678.9));
    assertEquals(0.5, AccessRollups.threeDigitsFast(0.5));
    // 0.1235 scales to 123.5 within rounding; the double is a little below the tie, so it rounds down
    assertEquals(0.123, AccessRollups.threeDigitsFast(0.1235));
    // 1.125 is exact in binary: a true tie, rounded up as HALF_UP does
    assertEquals(1.13, AccessRollups.threeDigitsFast(1.125));
    assertEquals(2_130.0, AccessRollups.threeDigitsFast(2_125.0));
    assertEquals(2_120.0, AccessRollups.threeDigitsFast(Math.nextDown(2_125.0)));
    assertTrue(Double.isNaN(AccessRollups.threeDigitsFast(2.5e9)), "out of range");
  }

  @Provide
  Arbitrary<Double> durations() {
    return Arbitraries.oneOf(
        Arbitraries.integers().between(0, 1_100).map(Integer::doubleValue),
        Arbitraries.doubles().between(0, 1_100),
        Arbitraries.doubles().between(0, 1e11),
        Arbitraries.of(0.0, 999.0, 999.5, 999.4999, 1_000.0, 1_004.0, 1_005.0, 99.95, 0.0005, 1e-300, Double.MIN_VALUE,
            9.995, 0.1235, 0.12345, 1e-6, 9.999999e-7, 999_999_999.0, 1e9, 0.001, 100.05, 1234.5),
        nanosAsMillis(),
        microsAsMillis(),
        ties());
  }

  /** What SparkWeb sends: a nanosecond duration in milliseconds. */
  private Arbitrary<Double> nanosAsMillis() {
    return Arbitraries.longs().between(1, 60_000_000_000L).map(n -> n / 1e6);
  }

  /** What SparkWeb sends since it rounds to the microsecond: one in ten fractional values is a near-tie. */
  private Arbitrary<Double> microsAsMillis() {
    return Arbitraries.longs().between(1, 60_000_000_000L).map(n -> Math.round(n / 1e3) / 1e3);
  }

  /** Decimal ties and their neighbours at every scale the fast path takes: d.dd5 x 10^e, one ulp either side. */
  private Arbitrary<Double> ties() {
    return Arbitraries.integers().between(1000, 9999).flatMap(m -> Arbitraries.integers().between(-9, 9).flatMap(e ->
        Arbitraries.integers().between(-1, 1).map(side -> {
          double tie = Double.parseDouble((m * 10 + 5) + "E" + (e - 4));
          return side < 0 ? Math.nextDown(tie) : side > 0 ? Math.nextUp(tie) : tie;
        })));
  }
}
