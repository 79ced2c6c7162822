package dev.spark;

import dev.spark.support.Await;
import dev.spark.support.ClusterNodes;
import dev.spark.support.Poll;
import dev.spark.support.SparkProcess;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.spark.support.DbFile.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17, item 4, across processes on loopback, all {@code -cluster}: Spark (the fat jar) is stopped
 * for ten seconds while two applications on their own JVMs ({@link dev.spark.support.ClusterApp},
 * SparkClient on the clustered bus) throw 1,000 distinct errors each, spread over that time. Once Spark
 * is back, the application with room for them all has every one stored exactly once; the one with a
 * 100-event buffer has the newest 100 stored and reports the oldest 900 dropped (counters and log).
 * Neither application ever waits on Spark to throw an error.
 */
class ClusterSparkAwayIT {
  private static final int ERRORS = 1_000;
  private static final long AWAY_MS = 10_000;
  /** A send that waited on Spark would take its send timeout (3 s) or the whole outage. */
  private static final long SLOWEST_SEND_MS = 1_000;
  private static final Pattern SENT = Pattern.compile("sent (\\d+) in (\\d+) ms, slowest (\\d+) ms");

  @Test
  void errorsThrownOnAnotherJvmWhileSparkIsStoppedForTenSecondsAreStoredOnceWhenItIsBack(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (ClusterNodes nodes = ClusterNodes.in(dir)) {
      Path db = dir.resolve("spark.db");
      Path conf = nodes.conf("spark", db, SparkUnderTest.freePort());
      SparkProcess spark = nodes.spark(conf, "Spark started");
      SparkProcess roomy = nodes.app(2 * ERRORS);
      SparkProcess small = nodes.app(100);
      roomy.tell("error roomy app joined");
      small.tell("error small app joined");
      Poll.until("both applications to reach Spark", 60_000,
          () -> count(db, "SELECT count(*) FROM events WHERE data LIKE '%app joined%'") == 2);

      // A real stop: SIGTERM, Spark leaves the cluster and its JVM exits.
      spark.terminate(); // waits for the JVM to exit
      long stopped = System.nanoTime();
      roomy.tell("errors-over 8000 " + ERRORS + " roomy away");
      small.tell("errors-over 8000 " + ERRORS + " small away");
      assertNeverWaited(roomy.awaitLine("sent " + ERRORS + " in", 60));
      assertNeverWaited(small.awaitLine("sent " + ERRORS + " in", 60));
      assertEquals("buffered 1000: stats buffered=1000 dropped=0 refused=0", tellAndAwait(roomy, "buffered 1000"));
      assertEquals("buffered 100: stats buffered=100 dropped=900 refused=900", tellAndAwait(small, "buffered 100"));
      assertTrue(small.awaitLine("SparkClient buffer full (100 events", 1).contains("dropped the oldest"));
      long rest = AWAY_MS - (System.nanoTime() - stopped) / 1_000_000;
      if (rest > 0) Await.result(vertx.timer(rest)); // the rest of the ten seconds: the outage itself, not a wait for something

      nodes.spark(conf, "Spark started");
      long back = System.nanoTime();
      assertEquals("buffered 0: stats buffered=0 dropped=0 refused=0", tellAndAwait(roomy, "buffered 0"));
      assertEquals("buffered 0: stats buffered=0 dropped=900 refused=900", tellAndAwait(small, "buffered 0"));
      System.out.println("ClusterSparkAwayIT: both buffers sent " + (System.nanoTime() - back) / 1_000_000 + " ms after Spark was back");

      String roomyRows = "FROM events WHERE json_extract(data, '$.error.message') LIKE 'roomy away %'";
      assertEquals(ERRORS, count(db, "SELECT count(*) " + roomyRows));
      assertEquals(ERRORS, count(db, "SELECT count(DISTINCT json_extract(data, '$.error.message')) " + roomyRows));
      assertEquals(ERRORS, count(db, "SELECT count(DISTINCT event_id) " + roomyRows));
      String smallRows = "FROM events WHERE json_extract(data, '$.error.message') LIKE 'small away %'";
      assertEquals(100, count(db, "SELECT count(*) " + smallRows));
      assertEquals(100, count(db, "SELECT count(DISTINCT event_id) " + smallRows));
      assertEquals(900, count(db, "SELECT min(CAST(substr(json_extract(data, '$.error.message'), 12) AS INTEGER)) " + smallRows),
          "the newest 100 (900 to 999) are the ones kept");
      assertEquals(ERRORS + 100 + 2, count(db, "SELECT count(*) FROM events"), "nothing else, nothing twice");
    } finally {
      Await.result(vertx.close());
    }
  }

  private static String tellAndAwait(SparkProcess app, String command) throws Exception {
    app.tell(command);
    return app.awaitLine(command + ": ", 120);
  }

  private static void assertNeverWaited(String sentLine) {
    Matcher m = SENT.matcher(sentLine);
    assertTrue(m.find(), sentLine);
    assertTrue(Long.parseLong(m.group(3)) < SLOWEST_SEND_MS, "a send waited on Spark: " + sentLine);
  }
}
