package dev.spark.storage;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link AccessRollups#durationBucket} skips BigDecimal for whole milliseconds below 1,000 (most access
 * logs): the bucket it gives is, bit for bit, the three-significant-digit rounding it always was.
 */
class DurationBucketPropertiesTest {
  private static final MathContext THREE_DIGITS = new MathContext(3, RoundingMode.HALF_UP);

  @Property(tries = 5_000)
  void sameBucketAsRoundingToThreeSignificantDigits(@ForAll("durations") double ms) {
    double expected = ms == 0 ? ms : new BigDecimal(ms).round(THREE_DIGITS).doubleValue();
    assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(AccessRollups.durationBucket(ms)), "duration " + ms);
  }

  @Provide
  Arbitrary<Double> durations() {
    return Arbitraries.oneOf(
        Arbitraries.integers().between(0, 1_100).map(Integer::doubleValue),
        Arbitraries.doubles().between(0, 1_100),
        Arbitraries.doubles().between(0, 1e11),
        Arbitraries.of(0.0, 999.0, 999.5, 999.4999, 1_000.0, 1_004.0, 1_005.0, 99.95, 0.0005, 1e-300, Double.MIN_VALUE));
  }
}
