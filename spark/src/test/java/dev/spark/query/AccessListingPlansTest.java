package dev.spark.query;

import dev.spark.storage.SqliteDatabase;
import dev.spark.support.Await;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The access listing's shortcuts give the rows a plain scan gives. A status class is listed through its
 * index when it is rare and newest-first without it when it is common: the same rows in the same order
 * either way, pages included. An exact path that no row has is answered from the rollups, but only when
 * they are built; a path with an id in it is always read from the rows.
 */
@ExtendWith(VertxExtension.class)
class AccessListingPlansTest {
  private static final int ROWS = 6_000;

  @Test
  void rareAndCommonClassesListTheSameRowsAsABruteForceFilter(Vertx vertx, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("spark.db");
    SqliteDatabase.open(file, "NORMAL").close();
    Random random = new Random(7);
    int[] statuses = new int[ROWS + 1];
    String[] methods = new String[ROWS + 1];
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
         PreparedStatement st = c.prepareStatement("INSERT INTO access_logs (timestamp, method, path, status) VALUES (?, ?, '/api/x', ?)")) {
      c.setAutoCommit(false);
      for (int id = 1; id <= ROWS; id++) {
        int r = random.nextInt(1_000);
        statuses[id] = r < 10 ? 503 : r < 40 ? 404 : r < 45 ? 301 : 200; // 1 % 5xx, 3 % 4xx, 0.5 % 3xx, no 1xx
        methods[id] = random.nextBoolean() ? "GET" : "POST";
        st.setString(1, String.format("2026-12-06T10:%02d:%02d.000Z", id / 3600 % 60, id / 60 % 60));
        st.setString(2, methods[id]);
        st.setInt(3, statuses[id]);
        st.addBatch();
      }
      st.executeBatch();
      c.commit();
    }
    ReadStore store = new ReadStore(vertx, file);
    try {
      for (int base = 100; base <= 500; base += 100) {
        for (String method : new String[] {null, "POST"}) {
          ReadStore.Filter filter = new ReadStore.Filter().where("where_status_range", base, base + 100);
          if (method != null) filter.where("where_method", method);
          long inClass = count(statuses, base);
          String plan = Await.result(store.planned(filter)).clauses().get(0).name();
          assertEquals(inClass < ReadStore.RARE_CLASS_ROWS ? "where_status_range_indexed" : "where_status_range", plan,
              base + "-class with " + inClass + " rows");
          // Every row of the class, page by page (limit 7, then before the last id), newest first.
          List<Long> listed = new ArrayList<>();
          Long before = null;
          while (true) {
            ReadStore.Filter page = new ReadStore.Filter().where("where_status_range", base, base + 100);
            if (method != null) page.where("where_method", method);
            if (before != null) page.where("where_before_id", before);
            JsonArray rows = Await.result(store.access(page, 7));
            for (int i = 0; i < rows.size(); i++) listed.add(rows.getJsonObject(i).getLong("id"));
            if (rows.size() < 7) break;
            before = listed.get(listed.size() - 1);
          }
          List<Long> expected = new ArrayList<>();
          for (int id = ROWS; id >= 1; id--) {
            if (statuses[id] >= base && statuses[id] < base + 100 && (method == null || method.equals(methods[id]))) expected.add((long) id);
          }
          assertEquals(expected, listed, base + "-class, method " + method);
        }
      }
    } finally {
      Await.result(store.close());
    }
  }

  @Test
  void aPathNoRowHasIsAnsweredFromTheRollupsOnlyWhenTheyAreBuilt(Vertx vertx, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("spark.db");
    SqliteDatabase.open(file, "NORMAL").close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      for (int i = 0; i < 300; i++) {
        String path = i % 3 == 0 ? "/api/x" : "/api/items/" + (40 + i % 5);
        st.executeUpdate("INSERT INTO access_logs (timestamp, method, path, status) VALUES ('2026-12-06T10:00:00.000Z', 'GET', '" + path + "', 200)");
      }
      // Rows written behind the writer's back, and no rollups marker: the rollups are not built.
      st.executeUpdate("DELETE FROM spark_meta WHERE key = 'access_rollups'");
    }
    assertListing(vertx, file, false);
    SqliteDatabase.open(file, "NORMAL").close(); // builds the rollups from the rows
    assertListing(vertx, file, true);
  }

  private static void assertListing(Vertx vertx, Path file, boolean built) {
    ReadStore store = new ReadStore(vertx, file);
    try {
      String when = built ? "rollups built" : "rollups not built";
      assertEquals(Boolean.valueOf(built), Await.result(store.pathAbsent(new ReadStore.Filter().where("where_path", "/api/nothing"))), when);
      assertFalse(Await.result(store.pathAbsent(new ReadStore.Filter().where("where_path", "/api/x"))), when);
      assertFalse(Await.result(store.pathAbsent(new ReadStore.Filter().where("where_path", "/api/items/42"))), "an id in the path: " + when);
      assertEquals(100, Await.result(store.access(new ReadStore.Filter().where("where_path", "/api/x"), 500)).size(), when);
      assertEquals(40, Await.result(store.access(new ReadStore.Filter().where("where_path", "/api/items/42"), 500)).size(), when);
      assertTrue(Await.result(store.access(new ReadStore.Filter().where("where_path", "/api/nothing"), 500)).isEmpty(), when);
    } finally {
      Await.result(store.close());
    }
  }

  private static long count(int[] statuses, int base) {
    long n = 0;
    for (int id = 1; id < statuses.length; id++) if (statuses[id] >= base && statuses[id] < base + 100) n++;
    return n;
  }
}
