package dev.spark;

import dev.spark.bench.ClosedLoop;
import dev.spark.bench.RunStats;
import dev.spark.support.NeverReadingSse;
import dev.spark.support.Poll;
import dev.spark.support.PromText;
import dev.spark.support.SparkProcess;
import dev.spark.support.SparkUnderTest;
import dev.spark.support.SseTestClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 7, item 3: a thousand idle SSE connections and a subscriber that never reads do not slow
 * ingest. The fat jar, one reading SSE agent throughout (so events are consumed in every phase
 * alike), and a closed loop of single-event POSTs (32 in flight); phases of "without" (A) and
 * "with" (B) in the same run, A B B A A B B A, 4 s each, B being 1,000 more agents that only get
 * heartbeats (every event is one issue, so flood control delivers nothing new to them) plus one
 * observer, on a raw socket, that never reads (an observer is sent every event, so its buffers fill).
 * Heartbeats every 500 ms (30 times the default), so idle connections cost what they can. Reported:
 * ingest B / A. Asserted: every acknowledged event is in the file; Spark cuts the never-reading
 * observer (its writes back up); the idle agents stay connected and keep getting heartbeats; and
 * B / A above a generous bound, when the machine held still enough for the ratio to mean something
 * (see {@link #MAX_SPREAD}).
 */
class IdleStreamsIT {
  private static final int IDLE = 1_000;
  private static final int HEARTBEAT_MS = 500;
  private static final double PHASE_SECONDS = 4;
  private static final int IN_FLIGHT = 32;
  /**
   * Generous on purpose: on this shared 2-core machine phases seconds apart differ by 10-30 % on their
   * own, and by 3x while other builds run (one run: 6,435 and 18,098 events/s without, in the same run).
   */
  static final double MIN_RATIO = 0.5;
  /** Largest max/min among the "without" phases for which the ratio is asserted. */
  static final double MAX_SPREAD = 1.5;

  @Test
  void idleStreamsAndANeverReadingSubscriberDoNotSlowIngest(@TempDir Path dir) throws Exception {
    int port = SparkUnderTest.freePort();
    Path db = dir.resolve("spark.db");
    Path conf = SparkProcess.writeConf(dir.resolve("spark.json"), new JsonObject()
        .put("db", new JsonObject().put("path", db.toString()))
        .put("web", new JsonObject().put("port", port).put("token", SparkUnderTest.TOKEN))
        .put("stream", new JsonObject().put("heartbeatMs", HEARTBEAT_MS)));
    Vertx vertx = Vertx.vertx();
    SparkProcess started = null;
    try (SparkProcess spark = SparkProcess.startJar(dir, conf, "-Xmx512m")) {
      started = spark;
      HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
          .setDefaultHost("127.0.0.1").setDefaultPort(port), new PoolOptions().setHttp1MaxSize(IN_FLIGHT));
      WebClient monitor = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
      SseTestClient reader = SseTestClient.connect(vertx, port, null, null).await(30, TimeUnit.SECONDS);
      awaitSubscribers(monitor, 1, 0);
      BitSet acked = new BitSet();
      ingest(vertx, http, 10, acked); // warm-up: the JIT (after 5 s the first phase still ran 40 % slow)

      List<RunStats> without = new ArrayList<>();
      List<RunStats> with = new ArrayList<>();
      List<String> phases = new ArrayList<>();
      int fewestHeartbeats = Integer.MAX_VALUE;
      // A B B A, twice: a drift in the machine's load over the run hits both sides alike.
      for (boolean withThem : new boolean[] {false, true, true, false, false, true, true, false}) {
        if (!withThem) {
          RunStats s = ingest(vertx, http, PHASE_SECONDS, acked);
          without.add(s);
          phases.add(String.format(Locale.ROOT, "without %.0f events/s (ack p99 %.1f ms)", s.rate(), p99(s)));
          continue;
        }
        List<SseTestClient> idle = connectIdle(vertx, port);
        try (NeverReadingSse stuck = NeverReadingSse.open(port, SparkUnderTest.TOKEN, "observe=true")) {
          awaitSubscribers(monitor, IDLE + 1, 1);
          int[] before = idle.stream().mapToInt(SseTestClient::comments).toArray();
          RunStats s = ingest(vertx, http, PHASE_SECONDS, acked);
          with.add(s);
          // Cut by Spark (an observer whose writes back up is dropped), not by anyone here. How many bytes
          // that takes is the sockets' buffers (megabytes on loopback): on a slow machine one phase does not
          // write that much, so ingest goes on, a second at a time, until Spark has cut it.
          long cutBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
          while (!subscribersAre(monitor, IDLE + 1, 0)) {
            assertTrue(System.nanoTime() < cutBy, "Spark cut the never-reading observer within 60 s of ingest");
            ingest(vertx, http, 1, acked);
          }
          assertTrue(stuck.cutByServer(10_000), "the server closed the never-reading subscriber's connection");
          // Every idle agent is still connected: it got heartbeats all along, and it gets the next one.
          int fewest = Integer.MAX_VALUE;
          for (int i = 0; i < idle.size(); i++) fewest = Math.min(fewest, idle.get(i).comments() - before[i]);
          fewestHeartbeats = Math.min(fewestHeartbeats, fewest);
          List<Future<Void>> next = new ArrayList<>();
          for (SseTestClient c : idle) next.add(c.awaitComments(c.comments() + 1));
          Future.all(next).await(30, TimeUnit.SECONDS);
          phases.add(String.format(Locale.ROOT, "with %.0f events/s (ack p99 %.1f ms; never-reading observer cut by Spark; "
              + "fewest heartbeats on an idle agent during the phase %d)", s.rate(), p99(s), fewest));
        } finally {
          Future.all(idle.stream().map(SseTestClient::close).toList()).await(60, TimeUnit.SECONDS);
        }
        awaitSubscribers(monitor, 1, 0);
      }
      double a = without.stream().mapToDouble(RunStats::rate).sum();
      double b = with.stream().mapToDouble(RunStats::rate).sum();
      double ratio = b / a;
      spark.terminate(); // SIGTERM: storage commits what is queued and closes the file

      long missing = missing(db, acked);
      long failures = without.stream().mapToLong(s -> s.otherFailures + s.rejectedRequests).sum()
          + with.stream().mapToLong(s -> s.otherFailures + s.rejectedRequests).sum();
      long blocked = spark.lines().stream().filter(l -> l.contains("has been blocked")).count();
      String figures = String.format(Locale.ROOT, "idle streams: %s; ingest with %d idle SSE agents + 1 never-reading observer / without: "
              + "%.2f (%.0f vs %.0f events/s); %d acknowledged, %d missing from the file; %d refused or failed requests; "
              + "reading agent got %d event(s); %d blocked-thread warnings from Spark",
          String.join("; ", phases), IDLE, ratio, b / with.size(), a / without.size(), acked.cardinality(), missing, failures,
          reader.events().size(), blocked);
      System.out.println(figures);
      Files.writeString(Path.of("target", "IdleStreamsIT.txt"), figures + "\n");

      assertEquals(0, missing, "every acknowledged event is in the file: " + figures);
      assertEquals(0, failures, "no request refused or failed: " + figures);
      assertTrue(fewestHeartbeats >= PHASE_SECONDS * 1000 / HEARTBEAT_MS / 2,
          "idle agents kept getting heartbeats while ingest ran: " + figures);
      // The ratio means something only when the machine held still: the "without" phases must agree
      // within MAX_SPREAD of each other; else it is reported, not asserted (other builds share the cores).
      double spread = without.stream().mapToDouble(RunStats::rate).max().orElse(0)
          / without.stream().mapToDouble(RunStats::rate).min().orElse(1);
      System.out.printf(Locale.ROOT, "idle streams: ratio %.2f; the baseline phases differ by %.2fx: %s%n", ratio, spread,
          spread <= MAX_SPREAD ? "ratio asserted > " + MIN_RATIO : "too noisy to assert the ratio (limit " + MAX_SPREAD + "x)");
      if (spread <= MAX_SPREAD) assertTrue(ratio > MIN_RATIO, "ingest with them is at least " + MIN_RATIO + " of without: " + figures);
    } catch (Throwable e) {
      if (started != null) {
        Files.writeString(Path.of("target", "IdleStreamsIT-spark.log"), started.output());
        System.out.println("idle streams: Spark's output is in target/IdleStreamsIT-spark.log");
      }
      throw e;
    } finally {
      vertx.close().await(60, TimeUnit.SECONDS);
    }
  }

  /** Closed loop of single-event POSTs, all one issue; adds the acknowledged ids to {@code acked}. */
  private static RunStats ingest(Vertx vertx, HttpClientAgent http, double seconds, BitSet acked) throws Exception {
    Buffer body = new JsonObject().put("type", "server-error").put("feature", "idle-streams").put("route", "POST /api/orders")
        .put("status", 500).put("error", new JsonObject().put("message", "Connection refused")
            .put("stack", "Error: Connection refused\n    at db.ts:12:5\n    at orders.ts:40:3")).toBuffer();
    RunStats stats = new RunStats("ingest", "single-event POSTs", "req");
    ClosedLoop.run(vertx.getOrCreateContext(), seconds, IN_FLIGHT, 1,
        seq -> ClosedLoop.post(http, "/api/v1/events", body), stats).await((long) seconds + 60, TimeUnit.SECONDS);
    acked.or(stats.ackedIds);
    return stats;
  }

  private static List<SseTestClient> connectIdle(Vertx vertx, int port) throws Exception {
    List<SseTestClient> idle = new ArrayList<>();
    for (int i = 0; i < IDLE; i += 100) {
      List<Future<SseTestClient>> batch = new ArrayList<>();
      for (int j = 0; j < 100; j++) batch.add(SseTestClient.connect(vertx, port, null, null));
      Future.all(batch).await(60, TimeUnit.SECONDS);
      for (Future<SseTestClient> f : batch) idle.add(f.result());
    }
    return idle;
  }

  /** Waits until Spark's /metrics shows exactly this many agents and observers connected. */
  private static void awaitSubscribers(WebClient monitor, int agents, int observers) {
    Poll.until(agents + " agents and " + observers + " observers in /metrics", 60_000, () -> subscribersAre(monitor, agents, observers));
  }

  private static boolean subscribersAre(WebClient monitor, int agents, int observers) throws Exception {
    String body = monitor.get("/metrics").bearerTokenAuthentication(SparkUnderTest.TOKEN).send()
        .await(10, TimeUnit.SECONDS).bodyAsString();
    return PromText.value(body, "spark_subscribers", "kind=\"agent\"") == agents
        && PromText.value(body, "spark_subscribers", "kind=\"observer\"") == observers;
  }

  private static double p99(RunStats s) {
    return RunStats.percentileMs(s.ackLatencyNanos.sorted(), 99);
  }

  private static long missing(Path db, BitSet acked) throws Exception {
    BitSet present = new BitSet();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); ResultSet rs = c.createStatement().executeQuery("SELECT id FROM events")) {
      while (rs.next()) present.set((int) rs.getLong(1));
    }
    BitSet gone = (BitSet) acked.clone();
    gone.andNot(present);
    return gone.cardinality();
  }
}
