package dev.spark.query;

import dev.spark.storage.RollupLevel;
import dev.spark.storage.SqliteDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link RollupDensity} measures rows per bucket on the newest whole hour and day before the fold
 * watermark, and keeps a typical weight for what it cannot measure.
 */
class RollupDensityTest {
  private static final Instant FOLDED_UNTIL = Instant.parse("2026-12-07T16:45:00Z");

  @Test
  void weightsAreRowsPerBucketOfTheNewestWholeHourAndDayInMinuteRows(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("spark.db");
    SqliteDatabase.open(file, "NORMAL").close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      // The hour 15:00 (the newest whole one before 16:45): 120 minute rows, 40 hour rows. Rows in the
      // hour being folded, and in the minute before, must not count.
      rows(c, RollupLevel.MINUTE, Instant.parse("2026-12-07T15:00:00Z"), 60, 2);
      rows(c, RollupLevel.MINUTE, Instant.parse("2026-12-07T16:00:00Z"), 45, 9);
      rows(c, RollupLevel.MINUTE, Instant.parse("2026-12-07T14:59:00Z"), 1, 50);
      rows(c, RollupLevel.HOUR, Instant.parse("2026-12-07T15:00:00Z"), 1, 40);
      // The day 2026-12-06: its 24 hours hold 720 rows, the day 300; today's hours and day must not count.
      rows(c, RollupLevel.HOUR, Instant.parse("2026-12-06T00:00:00Z"), 24, 30);
      rows(c, RollupLevel.HOUR, Instant.parse("2026-12-07T00:00:00Z"), 15, 70);
      rows(c, RollupLevel.DAY, Instant.parse("2026-12-06T00:00:00Z"), 1, 300);
      rows(c, RollupLevel.DAY, Instant.parse("2026-12-07T00:00:00Z"), 1, 900);
      rows(c, RollupLevel.ALL, null, 1, 500);
      // hour: 40 / (120 / 60) = 20 minutes' rows; day: 300 / (720 / 24) = 10 hours' rows = 200; all: 500 / 300 days' rows.
      assertEquals(new RollupCover.Weights(333, 200, 20), RollupDensity.measure(c, FOLDED_UNTIL));
    }
  }

  @Test
  void whatCannotBeMeasuredKeepsItsTypicalRatio() {
    RollupCover.Weights typical = RollupCover.Weights.TYPICAL;
    assertEquals(typical, RollupDensity.weights(0, 0, 0, 0, 0), "an empty file");
    // A quiet hour: the hour keeps 10, the day and the all level are measured against it.
    assertEquals(new RollupCover.Weights(160, 80, 10), RollupDensity.weights(0, 0, 240, 80, 160));
    // A file younger than a day: the hour measured (20), the day and the all level at their typical ratios to it.
    assertEquals(new RollupCover.Weights(180, 60, 20), RollupDensity.weights(120, 40, 0, 0, 500));
  }

  @Test
  void measuredOnceAMinutePerReader(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("spark.db");
    SqliteDatabase.open(file, "NORMAL").close();
    RollupDensity density = new RollupDensity();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      assertEquals(RollupCover.Weights.TYPICAL, density.weights(c, FOLDED_UNTIL, 0));
      rows(c, RollupLevel.MINUTE, Instant.parse("2026-12-07T15:00:00Z"), 60, 1);
      rows(c, RollupLevel.HOUR, Instant.parse("2026-12-07T15:00:00Z"), 1, 30);
      assertEquals(RollupCover.Weights.TYPICAL, density.weights(c, FOLDED_UNTIL, RollupDensity.TTL_MS - 1), "within the minute");
      assertEquals(30, density.weights(c, FOLDED_UNTIL, RollupDensity.TTL_MS).hour(), "measured again after it");
      assertEquals(RollupCover.Weights.TYPICAL, density.weights(c, null, 0), "rollups from before folding");
    }
  }

  /** {@code perBucket} rows in each of {@code buckets} consecutive buckets of {@code level} from {@code from}. */
  private static void rows(Connection c, RollupLevel level, Instant from, int buckets, int perBucket) throws Exception {
    try (PreparedStatement st = c.prepareStatement("INSERT INTO " + level.table
        + " (bucket, method, route, feature, status, duration_ms, n, sum_ms) VALUES (?, 'GET', '/r', '', 200, ?, 1, 1)")) {
      for (int b = 0; b < buckets; b++) {
        String bucket = level == RollupLevel.ALL ? "" : level.bucket(from.plus(b, level.unit));
        for (int i = 0; i < perBucket; i++) {
          st.setString(1, bucket);
          st.setDouble(2, i);
          st.executeUpdate();
        }
      }
    }
  }
}
