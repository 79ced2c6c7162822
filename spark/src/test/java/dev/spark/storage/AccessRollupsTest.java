package dev.spark.storage;

import dev.spark.event.AccessRow;
import dev.spark.event.Timestamps;
import dev.spark.query.ReadStore;
import dev.spark.support.Await;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The statistics read from the rollups are those of the rows on disk: checked against a brute-force
 * computation over the same rows, for random windows and filters, after inserts, after the janitor
 * deleted the oldest and the aged rows, and after rollups were rebuilt for a file that had none.
 */
@ExtendWith(VertxExtension.class)
class AccessRollupsTest {
  private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private final RollupOracle oracle = new RollupOracle(42, now);

  @Test
  void statisticsFromTheRollupsEqualABruteForceCountOverTheRowsOnDisk(Vertx vertx, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("spark.db");
    List<AccessRow> rows = new ArrayList<>();
    try (SqliteDatabase db = SqliteDatabase.open(file, "NORMAL")) {
      for (int batch = 0; batch < 20; batch++) {
        List<AccessRow> b = new ArrayList<>();
        for (int i = 0; i < 500; i++) b.add(oracle.randomRow());
        // Half the batches in time order, as rows arrive: consecutive rows share their minute (the tally
        // reuses the previous row's buckets) and runs cross minute, hour and day boundaries.
        if (batch % 2 == 0) b.sort(Comparator.comparing(AccessRow::timestamp));
        // Halfway, the writer's clock folds every sealed minute: the later batches' rows before its
        // watermark are counted in all three levels, the others in the minute level only.
        if (batch == 10) db.rollups().fold(now);
        new RowInserts(db).insertAccess(b);
        db.commit();
        rows.addAll(b);
      }
    }
    RollupOracle.assertFolded(file, rows, "after inserts");
    oracle.assertSame(vertx, file, rows, "after inserts");

    try (SqliteDatabase db = SqliteDatabase.open(file, "NORMAL")) {
      int deleted = new Retention(db).deleteAccessChunk(null, 1_234);
      assertEquals(1_234, deleted);
      rows.subList(0, 1_234).clear();
      String cutoff = Timestamps.format(now.minus(40, ChronoUnit.HOURS));
      int aged;
      do {
        aged = new Retention(db).deleteAccessChunk(cutoff, 700);
      } while (aged > 0);
      rows.removeIf(r -> r.timestamp().compareTo(cutoff) < 0);
    }
    RollupOracle.assertFolded(file, rows, "after the janitor's deletes");
    oracle.assertSame(vertx, file, rows, "after the janitor's deletes");

    // A file written before rollups existed: no rollup rows, no marker. Opening it builds them.
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      for (RollupLevel level : RollupLevel.values()) st.executeUpdate("DELETE FROM " + level.table);
      st.executeUpdate("DELETE FROM " + AccessRollups.TOTALS);
      st.executeUpdate("DELETE FROM spark_meta WHERE key = '" + AccessRollups.META_KEY + "'");
    }
    ReadStore unbuilt = new ReadStore(vertx, file);
    assertEquals(rows.size(), Await.result(unbuilt.counts()).getLong("accessLogs"), "counted from the rows while the rollups are not built");
    Await.result(unbuilt.close());
    SqliteDatabase.open(file, "NORMAL").close();
    RollupOracle.assertFolded(file, rows, "after rebuilding");
    oracle.assertSame(vertx, file, rows, "after rebuilding");
  }

  @Test
  void idSegmentsFoldIntoOneRoute() {
    assertEquals("/api/items/{id}", RouteTemplates.of("/api/items/42"));
    assertEquals("/u/{id}/orders/{id}", RouteTemplates.of("/u/0b1e6f3c-6a55-4c2e-9d0e-2f1c9a7b8e11/orders/deadbeef99"));
    assertEquals("/api/users", RouteTemplates.of("/api/users"));
    assertEquals("/v2/items/", RouteTemplates.of("/v2/items/"));
    assertEquals("/{id}/", RouteTemplates.of("/7/"));
    assertEquals("/files/report-2024.pdf", RouteTemplates.of("/files/report-2024.pdf"));
    assertTrue(RouteTemplates.isTemplate("/api/items/"));
  }

  @Test
  void durationsAreCountedToThreeSignificantDigitsAtEveryScale() {
    assertEquals(999, AccessRollups.durationBucket(999.0));
    assertEquals(1_230, AccessRollups.durationBucket(1_234.0));
    assertEquals(98_800, AccessRollups.durationBucket(98_765.0));
    assertEquals(0.374, AccessRollups.durationBucket(0.3742));
    assertEquals(0.0123, AccessRollups.durationBucket(0.012345));
    assertEquals(0, AccessRollups.durationBucket(0.0));
    assertEquals(AccessRollups.UNTIMED, AccessRollups.durationBucket(null));
  }

}
