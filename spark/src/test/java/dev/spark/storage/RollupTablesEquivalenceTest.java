package dev.spark.storage;

import dev.spark.event.AccessRow;
import dev.spark.event.Timestamps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every rollup table and the minute totals hold exactly what a plain recomputation of the writer's
 * tally gives (same rows, same counts, sums added in the same order, routes from the original
 * template algorithm in {@link RouteTemplatesPropertiesTest}), after random batches, deletes of the
 * oldest rows and a rebuild from the rows: a change in how the tally is kept cannot change a value.
 */
class RollupTablesEquivalenceTest {
  private static final String[] METHODS = {"GET", "POST", "DELETE"};
  private static final String[] FEATURES = {null, "", "users", "orders", "ünïcode"};
  private static final int[] STATUSES = {200, 201, 404, 500, 503};

  @Test
  void tablesEqualTheRecomputedTally(@TempDir Path dir) throws Exception {
    Random random = new Random(11);
    Path file = dir.resolve("spark.db");
    // Thirty hours ending an hour ago: batches cross minutes, hours and a day, and a rebuild folds them all.
    Instant end = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(1, ChronoUnit.HOURS);
    Instant start = end.minus(30, ChronoUnit.HOURS);
    Expected expected = new Expected();
    List<AccessRow> onDisk = new ArrayList<>();
    String watermark;
    try (SqliteDatabase db = SqliteDatabase.open(file, "NORMAL")) {
      // Rows in the first half are counted in every level as they are added, the others in the minute level only.
      watermark = db.rollups().fold(start.plus(15, ChronoUnit.HOURS));
      db.commit();
      for (int batch = 0; batch < 40; batch++) {
        List<AccessRow> rows = new ArrayList<>();
        int size = 1 + random.nextInt(400);
        Instant from = start.plusMillis((long) (random.nextDouble() * 30 * 3_600_000L));
        for (int i = 0; i < size; i++) {
          // Mostly a few milliseconds apart (many share a minute), now and then anywhere in the thirty hours.
          Instant t = random.nextInt(10) == 0 ? start.plusMillis((long) (random.nextDouble() * 30 * 3_600_000L))
              : from.plusMillis(random.nextInt(200_000));
          rows.add(row(random, t));
        }
        if (batch % 3 != 0) rows.sort(Comparator.comparing(AccessRow::timestamp));
        new RowInserts(db).insertAccess(rows);
        db.commit();
        expected.add(rows, watermark, 1);
        onDisk.addAll(rows);
        if (batch % 8 == 7) {
          int chunk = 1 + random.nextInt(300);
          assertEquals(Math.min(chunk, onDisk.size()), new Retention(db).deleteAccessChunk(null, chunk));
          List<AccessRow> deleted = new ArrayList<>(onDisk.subList(0, Math.min(chunk, onDisk.size())));
          onDisk.subList(0, deleted.size()).clear();
          expected.add(deleted, watermark, -1);
          expected.prune(deleted.stream().map(AccessRow::timestamp).max(Comparator.naturalOrder()).orElseThrow());
        }
      }
    }
    expected.assertOnDisk(file, "after inserts and deletes");

    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      for (RollupLevel level : RollupLevel.values()) st.executeUpdate("DELETE FROM " + level.table);
      st.executeUpdate("DELETE FROM " + AccessRollups.TOTALS);
      st.executeUpdate("DELETE FROM spark_meta WHERE key = '" + AccessRollups.META_KEY + "'");
    }
    SqliteDatabase.open(file, "NORMAL").close();
    Expected rebuilt = new Expected();
    // Every row is more than a minute old, so the rebuild folds up to the newest row's minute: all levels.
    rebuilt.add(onDisk, "9999", 1);
    rebuilt.assertOnDisk(file, "after rebuilding");
  }

  private static AccessRow row(Random random, Instant t) {
    Double duration = switch (random.nextInt(12)) {
      case 0 -> null;
      case 1 -> 1_000 + random.nextDouble() * 50_000;
      case 2, 3, 4, 5 -> (double) (3 + random.nextInt(40));
      case 6 -> 0.0;
      default -> random.nextDouble() * (random.nextBoolean() ? 1 : 300);
    };
    return new AccessRow(Timestamps.format(t), METHODS[random.nextInt(METHODS.length)], RouteTemplatesPropertiesTest.randomPath(random),
        STATUSES[random.nextInt(STATUSES.length)], duration, "127.0.0.1", FEATURES[random.nextInt(FEATURES.length)], null, null, null, null);
  }

  /** The tables as the tally's rules make them: per batch one delta per key, added to the row already there. */
  private static final class Expected {
    private final Map<RollupLevel, Map<String, double[]>> levels = new EnumMap<>(RollupLevel.class);
    private final Map<String, long[]> totals = new HashMap<>();

    void add(List<AccessRow> rows, String watermark, int sign) {
      Map<RollupLevel, Map<String, double[]>> deltas = new EnumMap<>(RollupLevel.class);
      Map<String, long[]> totalDeltas = new HashMap<>();
      for (AccessRow r : rows) {
        double bucket = AccessRollups.durationBucket(r.durationMs());
        double sum = bucket == AccessRollups.UNTIMED ? 0 : r.durationMs();
        boolean folded = RollupLevel.MINUTE.bucket(r.timestamp()).compareTo(watermark) <= 0;
        for (RollupLevel level : RollupLevel.values()) {
          if (level != RollupLevel.MINUTE && !folded) continue;
          String key = String.join("\u0000", level.bucket(r.timestamp()), r.method(), RouteTemplatesPropertiesTest.originalTemplate(r.path()),
              r.feature() == null ? "" : r.feature(), Integer.toString(r.status()), Double.toString(bucket));
          double[] d = deltas.computeIfAbsent(level, l -> new HashMap<>()).computeIfAbsent(key, k -> new double[2]);
          d[0] += sign;
          d[1] += sign * sum;
        }
        long[] t = totalDeltas.computeIfAbsent(RollupLevel.MINUTE.bucket(r.timestamp()) + "\u0000" + r.method(), k -> new long[2]);
        t[0] += sign;
        if (r.status() >= 500) t[1] += sign;
      }
      deltas.forEach((level, byKey) -> byKey.forEach((key, d) -> levels.computeIfAbsent(level, l -> new HashMap<>())
          .merge(key, new double[] {(long) d[0], d[1]}, (old, delta) -> new double[] {old[0] + delta[0], old[1] + delta[1]})));
      totalDeltas.forEach((key, d) -> totals.merge(key, d.clone(), (old, delta) -> new long[] {old[0] + delta[0], old[1] + delta[1]}));
    }

    /** What the deletes' prune removes: rows counted down to nothing, in buckets up to the newest deleted row's. */
    void prune(String newest) {
      levels.forEach((level, byKey) -> byKey.entrySet().removeIf(
          e -> e.getValue()[0] <= 0 && e.getKey().substring(0, e.getKey().indexOf('\u0000')).compareTo(level.bucket(newest)) <= 0));
      totals.entrySet().removeIf(e -> e.getValue()[0] <= 0
          && e.getKey().substring(0, e.getKey().indexOf('\u0000')).compareTo(RollupLevel.MINUTE.bucket(newest)) <= 0);
    }

    void assertOnDisk(Path file, String when) throws SQLException {
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
        for (RollupLevel level : RollupLevel.values()) {
          Map<String, String> want = new TreeMap<>();
          levels.getOrDefault(level, Map.of()).forEach((k, v) -> want.put(k, cell((long) v[0], v[1])));
          Map<String, String> got = new TreeMap<>();
          try (ResultSet rs = st.executeQuery("SELECT bucket, method, route, feature, status, duration_ms, n, sum_ms FROM " + level.table)) {
            while (rs.next()) {
              got.put(String.join("\u0000", rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                  Integer.toString(rs.getInt(5)), Double.toString(rs.getDouble(6))), cell(rs.getLong(7), rs.getDouble(8)));
            }
          }
          assertEquals(want, got, level + " " + when);
        }
        Map<String, String> want = new TreeMap<>();
        totals.forEach((k, v) -> want.put(k, v[0] + " " + v[1]));
        Map<String, String> got = new TreeMap<>();
        try (ResultSet rs = st.executeQuery("SELECT bucket, method, n, errors FROM " + AccessRollups.TOTALS)) {
          while (rs.next()) got.put(rs.getString(1) + "\u0000" + rs.getString(2), rs.getLong(3) + " " + rs.getLong(4));
        }
        assertEquals(want, got, "totals " + when);
      }
    }

    /** The exact double, with -0.0 as 0.0 (SQLite may store an integral REAL as an integer). */
    private static String cell(long n, double sum) {
      return n + " " + (sum + 0.0);
    }
  }
}
