package dev.spark.storage;

import dev.spark.bus.Addresses;
import dev.spark.bus.WriteRequest;
import dev.spark.event.AccessRow;
import dev.spark.event.Timestamps;
import dev.spark.query.DashboardReads;
import dev.spark.query.ReadStore;
import dev.spark.support.AloneVerticles;
import dev.spark.support.Await;
import dev.spark.support.MutableClock;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hour and day rollups folded from sealed minutes ({@link RollupFold}): with a hand-moved clock,
 * rows before and after the watermark, late rows into folded minutes, future rows, folds across hour
 * and day boundaries, janitor deletes on both sides of the watermark, a rolled-back fold, a bounded
 * catch-up, the writer itself, and a sidecar reading a file from before folding. After each step the
 * fold invariant holds per bucket and the statistics equal a brute-force count over the rows on disk.
 */
@ExtendWith(VertxExtension.class)
class RollupFoldTest {
  /** Ten minutes before midnight: the clock crosses an hour and a day while the test runs. */
  private static final Instant START = Instant.parse("2026-11-30T23:50:10Z");

  private final Random random = new Random(7);

  @Test
  void foldsFollowTheClockAndEveryStatisticStaysExact(Vertx vertx, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("spark.db");
    MutableClock clock = new MutableClock(START);
    RollupOracle oracle = new RollupOracle(11, START);
    List<AccessRow> rows = new ArrayList<>();
    try (SqliteDatabase db = SqliteDatabase.open(file, "NORMAL")) {
      assertEquals("", watermark(file), "a new file has nothing folded");
      for (int step = 0; step < 24; step++) {
        clock.advance(Duration.ofSeconds(25 + random.nextInt(70)));
        Instant now = clock.instant();
        String w = db.rollups().fold(now);
        assertEquals(RollupFold.target(now), w, "step " + step + ": folded up to the minute that ended a minute ago");
        List<AccessRow> batch = batch(oracle, now, 150);
        new RowInserts(db).insertAccess(batch);
        rows.addAll(batch);
        if (step % 6 == 3) {
          // The janitor: the oldest ids (rows on both sides of the watermark), then rows past an age.
          long before = rows.subList(0, 300).stream().filter(r -> RollupLevel.MINUTE.bucket(r.timestamp()).compareTo(w) <= 0).count();
          assertTrue(before > 0 && (step > 3 || before < 300), "the oldest rows lie on both sides of the watermark: " + before);
          assertEquals(300, new Retention(db).deleteAccessChunk(null, 300));
          String cutoff = Timestamps.format(now.minus(70, ChronoUnit.MINUTES));
          assertTrue(new Retention(db).deleteAccessChunk(cutoff, 400) > 0, "aged rows deleted");
          rows.clear();
          rows.addAll(RollupOracle.onDisk(file));
        }
        db.commit();
        RollupOracle.assertFolded(file, rows, "step " + step + " at " + now);
      }
      assertTrue(watermark(file).startsWith("2026-12-01T00:"), "the folds crossed the hour and the day: " + watermark(file));
    }
    assertEquals(RollupOracle.onDisk(file).size(), rows.size());
    new RollupOracle(12, clock.instant()).assertSame(vertx, file, rows, "after folds across midnight");

    try (SqliteDatabase db = SqliteDatabase.open(file, "NORMAL")) {
      // A fold rolled back with its transaction: the watermark in memory goes with it.
      clock.advance(Duration.ofMinutes(5));
      db.rollups().fold(clock.instant());
      db.rollbackQuietly();
      List<AccessRow> batch = batch(oracle, clock.instant(), 100);
      new RowInserts(db).insertAccess(batch);
      rows.addAll(batch);
      db.commit();
      RollupOracle.assertFolded(file, rows, "after a rolled-back fold");
      clock.advance(Duration.ofMinutes(1));
      db.rollups().fold(clock.instant());
      db.commit();
      RollupOracle.assertFolded(file, rows, "after the next fold");

      // Hours later, with a budget of 40 minute rows: the writer catches up a few minutes per commit.
      db.rollups().folding.maxRows = 40;
      clock.advance(Duration.ofHours(3));
      String target = RollupFold.target(clock.instant());
      int commits = 0;
      String previous = watermark(file);
      while (!watermark(file).equals(target)) {
        String w = db.rollups().fold(clock.instant());
        db.commit();
        assertTrue(w.compareTo(previous) > 0, "each commit folds at least a minute");
        assertTrue(minuteRows(file, previous, w) <= 40 || minuteBuckets(file, previous, w) == 1,
            "a fold stays within its budget unless a single minute exceeds it: " + previous + " .. " + w);
        RollupOracle.assertFolded(file, rows, "catching up, at " + w);
        previous = w;
        assertTrue(++commits < 100, "caught up");
      }
      assertTrue(commits > 1, "the catch-up took several commits (" + commits + ")");
    }
    new RollupOracle(13, clock.instant()).assertSame(vertx, file, rows, "after the catch-up");
  }

  @Test
  void theWritersOwnClockFoldsAndASidecarReadsAFileFromBeforeFolding(Vertx vertx, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("spark.db");
    MutableClock clock = new MutableClock(START);
    RollupOracle oracle = new RollupOracle(21, START);
    List<AccessRow> rows = new ArrayList<>();
    String id = Await.result(AloneVerticles.deploy(vertx, new StorageVerticle(clock), AloneVerticles.config(file, null)));
    for (int step = 0; step < 8; step++) {
      clock.advance(Duration.ofSeconds(50));
      List<AccessRow> batch = batch(oracle, clock.instant(), 80);
      // A route whose only row is in a minute not folded yet.
      if (step == 7) batch.add(new AccessRow(Timestamps.format(clock.instant()), "GET", "/api/fresh", 200, 1.5, null, null, null, null, null, null));
      Await.result(vertx.eventBus().request(Addresses.STORAGE_WRITE, new WriteRequest.Access(batch)));
      rows.addAll(batch);
      assertEquals(RollupFold.target(clock.instant()), watermark(file), "step " + step + ": the writer folded by its clock");
      RollupOracle.assertFolded(file, rows, "written at " + clock.instant());
    }
    Await.result(vertx.undeploy(id));
    new RollupOracle(22, clock.instant()).assertSame(vertx, file, rows, "written by the writer");
    ReadStore listing = new ReadStore(vertx, file);
    try {
      assertEquals(1, Await.result(listing.access(new ReadStore.Filter().where("where_path", "/api/fresh"), 10)).size(),
          "a route found in the minutes after the watermark is listed");
    } finally {
      Await.result(listing.close());
    }

    // The same rows as a writer from before folding left them: every level holds every row, no watermark.
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      for (RollupLevel level : new RollupLevel[] {RollupLevel.HOUR, RollupLevel.DAY}) {
        int length = level.length;
        st.executeUpdate("DELETE FROM " + level.table);
        st.executeUpdate("INSERT INTO " + level.table + " SELECT substr(bucket, 1, " + length + "), method, route, feature, status,"
            + " duration_ms, sum(n), sum(sum_ms) FROM access_rollup_minute GROUP BY 1, 2, 3, 4, 5, 6");
      }
      st.executeUpdate("UPDATE spark_meta SET value = '{\"version\":3,\"builtFromRows\":0}' WHERE key = '" + AccessRollups.META_KEY + "'");
    }
    ReadStore store = new ReadStore(vertx, file);
    DashboardReads reads = new DashboardReads(vertx, store);
    try {
      assertEquals(rows.size(), Await.result(store.counts()).getLong("accessLogs"), "counted from the day rollups alone");
      JsonObject stats = Await.result(reads.accessStats(new ReadStore.Filter(), 10));
      assertEquals(rows.size(), stats.getJsonObject("totals").getLong("requests"), "an old file's hour and day rollups are read whole");
    } finally {
      Await.result(reads.close());
      Await.result(store.close());
    }
    new RollupOracle(23, clock.instant()).assertSame(vertx, file, rows, "read as a file from before folding");
  }

  /**
   * Rows as a writer sees them at {@code now}: most from the last seconds, some a minute or two late
   * (around the watermark), some hours late (into folded minutes, hours and days), some in the future.
   */
  private List<AccessRow> batch(RollupOracle oracle, Instant now, int n) {
    List<AccessRow> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int kind = random.nextInt(10);
      long back = switch (kind) {
        case 0 -> 60_000 + random.nextInt(120_000);
        case 1 -> 180_000 + (long) (random.nextDouble() * 3 * 3_600_000L);
        case 2 -> -random.nextInt(600_000);
        default -> random.nextInt(5_000);
      };
      out.add(oracle.row(now.minusMillis(back)));
    }
    return out;
  }

  private static String watermark(Path file) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT value FROM spark_meta WHERE key = '" + AccessRollups.META_KEY + "'")) {
      assertTrue(rs.next());
      return new JsonObject(rs.getString(1)).getString(RollupFold.FIELD);
    }
  }

  private static long minuteRows(Path file, String from, String to) throws SQLException {
    return single(file, "SELECT count(*) FROM access_rollup_minute WHERE bucket > '" + from + "' AND bucket <= '" + to + "'");
  }

  private static long minuteBuckets(Path file, String from, String to) throws SQLException {
    return single(file, "SELECT count(DISTINCT bucket) FROM access_rollup_minute WHERE bucket > '" + from + "' AND bucket <= '" + to + "'");
  }

  private static long single(Path file, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
