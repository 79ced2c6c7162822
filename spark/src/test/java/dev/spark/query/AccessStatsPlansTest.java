package dev.spark.query;

import dev.spark.event.Timestamps;
import dev.spark.storage.AccessRollups;
import dev.spark.storage.SqliteDatabase;
import dev.spark.support.Await;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The statistics read with subtracted pieces (a day less its first hours, the all level less the
 * window's past) are those of the plain cover: the same routes, counts, errors, percentiles and
 * maxima, the mean within 1e-6 ms (sums taken away differ in their last bits), for random windows and
 * filters over random rows of three days, some of them in minutes not folded yet; and on a file of
 * the previous version, whose all level is empty, that level is not read.
 */
@ExtendWith(VertxExtension.class)
class AccessStatsPlansTest {
  private static final String[] PATHS = {"/api/users", "/api/orders", "/api/items/", "/health", "/api/rare"};

  @Test
  void subtractedPiecesGiveThePlainCoversAnswers(Vertx vertx, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("spark.db");
    Instant now = Instant.now();
    Random random = new Random(11);
    SqliteDatabase.open(file, "NORMAL").close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
         PreparedStatement st = c.prepareStatement(
             "INSERT INTO access_logs (timestamp, method, path, status, duration_ms, feature) VALUES (?, ?, ?, ?, ?, ?)")) {
      c.setAutoCommit(false);
      for (int i = 0; i < 8_000; i++) {
        // Three days, a tenth of the rows in the last five minutes (after the fold watermark set at open).
        long back = i % 10 == 0 ? (long) (random.nextDouble() * 300_000) : (long) (random.nextDouble() * 72 * 3_600_000L);
        String path = PATHS[random.nextInt(PATHS.length)];
        // A route seen only long ago: subtracted to nothing in recent windows, so it must not be listed.
        if (path.equals("/api/rare")) back = 70 * 3_600_000L + random.nextInt(3_600_000);
        st.setString(1, Timestamps.format(now.minusMillis(back)));
        st.setString(2, random.nextBoolean() ? "GET" : "POST");
        st.setString(3, path.endsWith("/") ? path + random.nextInt(40) : path);
        st.setInt(4, new int[] {200, 201, 404, 500, 503}[random.nextInt(5)]);
        if (random.nextInt(15) == 0) st.setNull(5, java.sql.Types.REAL);
        else st.setDouble(5, random.nextBoolean() ? random.nextInt(400) : random.nextDouble() * (random.nextBoolean() ? 2 : 3_000));
        st.setString(6, random.nextBoolean() ? "orders" : null);
        st.addBatch();
      }
      st.executeBatch();
      // Written behind the writer's back: the rollups are built when the file is opened next.
      try (Statement s = c.createStatement()) {
        s.executeUpdate("DELETE FROM spark_meta WHERE key = '" + AccessRollups.META_KEY + "'");
      }
      c.commit();
    }
    SqliteDatabase.open(file, "NORMAL").close();

    ReadStore store = new ReadStore(vertx, file);
    DashboardReads reads = new DashboardReads(vertx, store);
    int withRows = 0;
    try {
      for (int i = 0; i < 120; i++) {
        Instant since = now.minusMillis((long) (random.nextDouble() * 80 * 3_600_000L));
        Instant until = random.nextInt(3) == 0 ? since.plusMillis((long) (random.nextDouble() * 40 * 3_600_000L)) : null;
        ReadStore.Filter filter = new ReadStore.Filter().where("where_since", Timestamps.format(since));
        if (until != null) filter.where("where_until", Timestamps.format(until));
        switch (i % 4) {
          case 1 -> filter.where("where_method", "POST");
          case 2 -> filter.where("where_status_range", 500, 600);
          case 3 -> filter.where("where_feature", "orders");
          default -> { }
        }
        String where = "window " + since + " .. " + until + ", filter case " + i % 4;
        JsonObject plain = Await.result(reads.accessStats(filter, 1_000, RollupCover.Mode.PLAIN));
        for (RollupCover.Mode mode : new RollupCover.Mode[] {RollupCover.Mode.COST, RollupCover.Mode.EAGER}) {
          assertSameStats(plain, Await.result(reads.accessStats(filter, 1_000, mode)), mode + ", " + where);
        }
        if (plain.getJsonObject("totals").getLong("requests") > 0) withRows++;
      }
      // A sidecar on a file whose writer keeps no all level (version 4): that level is not read.
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
        st.executeUpdate("DELETE FROM access_rollup_all");
        st.executeUpdate("UPDATE spark_meta SET value = json_set(value, '$.version', 4) WHERE key = '" + AccessRollups.META_KEY + "'");
      }
      for (int hours : new int[] {1, 30, 80}) {
        ReadStore.Filter filter = new ReadStore.Filter().where("where_since", Timestamps.format(now.minus(hours, ChronoUnit.HOURS)));
        assertSameStats(Await.result(reads.accessStats(filter, 1_000, RollupCover.Mode.PLAIN)),
            Await.result(reads.accessStats(filter, 1_000, RollupCover.Mode.COST)), "version 4, the last " + hours + " h");
      }
    } finally {
      Await.result(reads.close());
      Await.result(store.close());
    }
    assertTrue(withRows > 60, "most windows hold rows: " + withRows);
  }

  /** Equal, but for the means, compared within 1e-6 ms. */
  private static void assertSameStats(JsonObject expected, JsonObject actual, String where) {
    JsonObject e = expected.copy();
    JsonObject a = actual.copy();
    assertMean(e.getJsonObject("totals"), a.getJsonObject("totals"), where + ": totals");
    JsonArray er = e.getJsonArray("routes");
    JsonArray ar = a.getJsonArray("routes");
    assertEquals(er.size(), ar.size(), where + ": routes " + er + " / " + ar);
    for (int i = 0; i < er.size(); i++) assertMean(er.getJsonObject(i), ar.getJsonObject(i), where + ": route " + i);
    assertEquals(e, a, where);
  }

  private static void assertMean(JsonObject e, JsonObject a, String where) {
    Double em = e.getDouble("avgMs");
    Double am = a.getDouble("avgMs");
    if (em == null || am == null) assertEquals(em, am, where + ": mean");
    else assertEquals(em, am, 1e-6, where + ": mean");
    e.remove("avgMs");
    a.remove("avgMs");
  }
}
