package dev.spark;

import dev.spark.bench.ClosedLoop;
import dev.spark.bench.OpenLoop;
import dev.spark.bench.RunStats;
import dev.spark.storage.SqliteFiles;
import dev.spark.support.DbFile;
import dev.spark.support.OldRows;
import dev.spark.support.Poll;
import dev.spark.support.SparkProcess;
import dev.spark.support.SparkUnderTest;
import dev.spark.support.SseTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.BitSet;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 7, item 4: a janitor pass deleting a million old rows while ingest runs at 5,000 events/s.
 * The file is seeded before Spark starts (900,000 access logs and 100,000 consumed events, 7 to 9
 * days old, Spark's schema), then the fat jar runs on it with {@code maxAgeDays} 7 and
 * {@code maxSizeMB} 200 (the seed alone is ~185 MB, and 5,000 events/s add ~3 MB/s: the default
 * 100 would be reached by the test's own ingest), one SSE agent consuming. An open loop sends one
 * error event per POST at a fixed 5,000/s, latency counted from each request's intended send time;
 * after a baseline the janitor runs ({@code POST /api/v1/admin/cleanup}). Asserted: no step of the
 * pass held the single writer for more than {@link #LONGEST_STEP_MS} (the report's {@code writer}
 * times; a step takes a few milliseconds, and ingest waits behind at most one), every old row gone,
 * the file (with its WAL) under maxSizeMB at the end of the pass (or, when the test's own ingest
 * grew it past that while the pass ended, a report that says so, no free pages and at most
 * {@link #OVER_AT_END_BYTES} over), nothing refused, every acknowledged event in the file (unless a
 * slow pass let the test's own ingest reach maxSizeMB: then only the oldest, as many as the size rule
 * deleted). Ingest latency before and during
 * the pass is measured and printed (the benchmark figure in BENCHMARKS.md), not asserted: on a shared
 * two-core machine one stall of the machine's own (I/O, another process) moves a p99 over 30 s of
 * requests past any bound a test could hold.
 */
class JanitorUnderLoadIT {
  private static final int OLD_ACCESS = 900_000;
  private static final int OLD_EVENTS = 100_000;
  private static final int RATE = 5_000;
  private static final int MAX_SIZE_MB = 200;
  /** What the test's ingest (~3 MB/s) may add after the size rule's last look, while the pass gives pages back and ends. */
  private static final long OVER_AT_END_BYTES = 32L * 1024 * 1024;
  /** Ten times the longest step seen here (48-59 ms; most take 3-8 ms): a pass taking rows or pages in one go held the writer for seconds. */
  static final double LONGEST_STEP_MS = 500;
  private static final int WARMUP_SECONDS = 3;
  private static final int OPEN_WARMUP_SECONDS = 10;
  private static final int BASELINE_SECONDS = 10;
  private static final int AFTER_SECONDS = 3;

  @Test
  void aMillionRowCleanupTakesTheWriterInShortStepsAndEndsUnderMaxSize(@TempDir Path dir) throws Exception {
    Path db = dir.resolve("spark.db");
    long seedStart = System.nanoTime();
    OldRows.seed(db, OLD_ACCESS, OLD_EVENTS, 7);
    long seedMs = (System.nanoTime() - seedStart) / 1_000_000;
    long seededBytes = SqliteFiles.fileBytes(db);
    int port = SparkUnderTest.freePort();
    Path conf = SparkProcess.writeConf(dir.resolve("spark.json"), new JsonObject()
        .put("db", new JsonObject().put("path", db.toString())
            .put("cleanup", new JsonObject().put("maxAgeDays", 7).put("maxSizeMB", MAX_SIZE_MB).put("intervalMs", 3_600_000)))
        .put("web", new JsonObject().put("port", port).put("token", SparkUnderTest.TOKEN)));
    Vertx vertx = Vertx.vertx();
    SparkProcess started = null;
    try (SparkProcess spark = SparkProcess.startJar(dir, conf, "-Xmx512m")) {
      started = spark;
      HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
          .setDefaultHost("127.0.0.1").setDefaultPort(port), new PoolOptions().setHttp1MaxSize(64));
      WebClient admin = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
      SseTestClient agent = SseTestClient.connect(vertx, port, null, null).await(30, TimeUnit.SECONDS);
      Buffer body = new JsonObject().put("type", "server-error").put("feature", "checkout").put("route", "POST /api/orders")
          .put("status", 500).put("error", new JsonObject().put("message", "Connection refused")
              .put("stack", "Error: Connection refused\n    at db.ts:12:5\n    at orders.ts:40:3")).toBuffer();

      ClosedLoop.run(vertx.getOrCreateContext(), WARMUP_SECONDS, 16, 1, seq -> ClosedLoop.post(http, "/api/v1/events", body),
          new RunStats("warm-up", "", "req")).await(WARMUP_SECONDS + 60, TimeUnit.SECONDS);
      // The agent consumes the warm-up's events before the measured load starts.
      Poll.until("the warm-up's events to be consumed", 60_000, () -> admin.get("/api/v1/status")
          .bearerTokenAuthentication(SparkUnderTest.TOKEN).send().await(10, TimeUnit.SECONDS)
          .bodyAsJsonObject().getJsonObject("counts").getLong("pendingEvents") == 0);
      RunStats stats = new RunStats("ingest", "5,000 events/s", "req");
      OpenLoop load = OpenLoop.start(vertx.getOrCreateContext(), RATE, 1, seq -> ClosedLoop.post(http, "/api/v1/events", body), stats);
      // The first seconds of the open loop are its own warm-up (connections opened, code paths compiled); not counted.
      vertx.timer(OPEN_WARMUP_SECONDS + BASELINE_SECONDS, TimeUnit.SECONDS).await(BASELINE_SECONDS + 60, TimeUnit.SECONDS);

      long passStart = System.nanoTime();
      HttpResponse<Buffer> r = admin.post("/api/v1/admin/cleanup").bearerTokenAuthentication(SparkUnderTest.TOKEN).send()
          .await(600, TimeUnit.SECONDS);
      long passEnd = System.nanoTime();
      long bytesRightAfter = SqliteFiles.fileBytes(db);
      vertx.timer(AFTER_SECONDS, TimeUnit.SECONDS).await(AFTER_SECONDS + 30, TimeUnit.SECONDS);
      load.stop().await(120, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode(), r.bodyAsString());
      JsonObject report = r.bodyAsJsonObject();

      long measuredFrom = stats.startNanos + OPEN_WARMUP_SECONDS * 1_000_000_000L;
      long[] before = load.latencies(measuredFrom, passStart);
      long[] during = load.latencies(passStart, passEnd);
      long[] all = load.latencies(measuredFrom, Long.MAX_VALUE);
      double p99 = RunStats.percentileMs(during, 99);
      spark.terminate(); // SIGTERM: storage commits what is queued and closes the file
      long bytesAtEnd = SqliteFiles.fileBytes(db);
      BitSet gone = missing(db, stats.ackedIds);
      long missing = gone.cardinality();
      BitSet kept = (BitSet) stats.ackedIds.clone();
      kept.andNot(gone);
      long oldLeft = DbFile.count(db, "SELECT count(*) FROM access_logs WHERE request_id LIKE 'old-%'")
          + DbFile.count(db, "SELECT count(*) FROM events WHERE data LIKE '%old failure%'");
      long maxBytes = MAX_SIZE_MB * 1024L * 1024L;
      String figures = String.format(Locale.ROOT, "janitor under load: seeded %,d old rows in %,d ms (%.0f MB); pass %,d ms: %s; "
              + "ingest %,d events/s open loop, latency from the intended send time: before the pass p50 %.2f / p99 %.2f / max %.1f ms "
              + "(%,d requests), during p50 %.2f / p99 %.2f / p99.9 %.1f / max %.1f ms (%,d requests), whole run p99 %.2f ms; "
              + "sender at most %.1f ms behind; file %.1f MB right after the pass, %.1f MB at the end (maxSizeMB %d); "
              + "%,d acknowledged, %d missing, %d refused, %d failed; %d old rows left; agent got %d event(s)",
          OLD_ACCESS + OLD_EVENTS, seedMs, seededBytes / 1048576.0, (passEnd - passStart) / 1_000_000, report.encode(),
          RATE, RunStats.percentileMs(before, 50), RunStats.percentileMs(before, 99), RunStats.percentileMs(before, 100), before.length,
          RunStats.percentileMs(during, 50), p99, RunStats.percentileMs(during, 99.9), RunStats.percentileMs(during, 100), during.length,
          RunStats.percentileMs(all, 99), load.maxBehindMs(), bytesRightAfter / 1048576.0, bytesAtEnd / 1048576.0, MAX_SIZE_MB,
          stats.ackedIds.cardinality(), missing, stats.rejectedRequests, stats.otherFailures, oldLeft, agent.events().size());
      System.out.println(figures);
      StringBuilder perSecond = new StringBuilder("janitor under load: p99 ms per second of intended send time:");
      for (long t = stats.startNanos; t < stats.endNanos; t += 1_000_000_000L) {
        perSecond.append(String.format(Locale.ROOT, " %.0f", RunStats.percentileMs(load.latencies(t, t + 1_000_000_000L), 99)))
            .append(t <= passStart && passStart < t + 1_000_000_000L ? "[pass" : "").append(t <= passEnd && passEnd < t + 1_000_000_000L ? "]" : "");
      }
      System.out.println(perSecond);
      Files.writeString(Path.of("target", "JanitorUnderLoadIT.txt"), figures + "\n");

      assertEquals(OLD_ACCESS, report.getLong("agedAccessLogs"), figures);
      assertEquals(OLD_EVENTS, report.getLong("agedEvents"), figures);
      assertEquals(0, oldLeft, figures);
      assertEquals(0, stats.rejectedRequests + stats.otherFailures, "nothing refused or failed: " + figures);
      // The seed alone is under maxSizeMB and ~1,000,000 old rows go by age; only when the pass takes
      // long (a slow or shared machine: a minute at 5,000 events/s is ~180 MB) does the test's own ingest
      // fill maxSizeMB, and then the size rule rightly deletes the oldest consumed events. An
      // acknowledged event may go only that way: oldest first, and no more than the pass says it deleted.
      long bySize = report.getLong("sizeEvents");
      long over = report.getLong("bytesAfter") - maxBytes;
      if (bySize == 0) {
        assertEquals(0, missing, "every acknowledged event is in the file: " + figures);
      } else {
        System.out.printf(Locale.ROOT, "janitor under load: the test's own ingest reached maxSizeMB during the pass;"
            + " %,d events deleted by size, %,d of them acknowledged in the measured load%n", bySize, missing);
        assertTrue(missing <= bySize, "no more acknowledged events gone than the size rule deleted: " + figures);
        assertTrue(missing == 0 || gone.length() - 1 < kept.nextSetBit(0),
            "the acknowledged events gone are the oldest ones: " + figures);
      }
      // The report's size is taken at the end of the pass. The test's own ingest goes on meanwhile, so
      // it may have grown the file past maxSizeMB after the size rule found it under (seen once here, by
      // 94 KB). Then the report says so, and what is over is rows stored meanwhile: no free pages (what
      // the reclaim gives back) and no more than about ten seconds of this ingest (~3 MB/s).
      if (over <= 0) {
        assertNull(report.getString("warning"), figures);
      } else {
        assertNotNull(report.getString("warning"), "a pass ending above maxSizeMB says so: " + figures);
        assertTrue(report.getLong("bytesAfter") - report.getLong("usedBytesAfter") <= 2L * 1024 * 1024,
            "the pass gave back every free page: " + figures);
        assertTrue(over <= OVER_AT_END_BYTES, "no more above maxSizeMB than the ingest stored while the pass ended: " + figures);
      }
      JsonObject writer = report.getJsonObject("writer");
      for (String phase : writer.fieldNames()) {
        assertTrue(writer.getJsonObject(phase).getDouble("longestMs") < LONGEST_STEP_MS,
            "no " + phase + " step held the writer for " + LONGEST_STEP_MS + " ms or more: " + figures + "; " + perSecond);
      }
      assertTrue(writer.containsKey("agedEvents") && writer.containsKey("agedAccessLogs") && writer.containsKey("reclaim"), figures);
    } catch (Throwable e) {
      if (started != null) {
        Files.writeString(Path.of("target", "JanitorUnderLoadIT-spark.log"), started.output());
        System.out.println("janitor under load: Spark's output is in target/JanitorUnderLoadIT-spark.log");
      }
      throw e;
    } finally {
      vertx.close().await(60, TimeUnit.SECONDS);
    }
  }

  private static BitSet missing(Path db, BitSet acked) throws Exception {
    BitSet present = new BitSet();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); ResultSet rs = c.createStatement().executeQuery("SELECT id FROM events")) {
      while (rs.next()) present.set((int) rs.getLong(1));
    }
    BitSet gone = (BitSet) acked.clone();
    gone.andNot(present);
    return gone;
  }
}
