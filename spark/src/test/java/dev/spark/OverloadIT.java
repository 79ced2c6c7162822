package dev.spark;

import dev.spark.support.DbFile;
import dev.spark.support.Poll;
import dev.spark.support.SparkProcess;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
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
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 7, item 3: overload is refused loudly, never absorbed until the JVM dies. The fat jar runs
 * with the default limits and the JVM options bin/vertx uses (conf/jvm.options, MALLOC_ARENA_MAX=2). First its sustainable ingest rate is measured (closed
 * loop, 16 clients, requests of 500 events, after a warm-up); then it is offered ten times that for
 * a full minute, on a timer, over 256 connections (what finds every connection busy is not sent: the
 * client queues nothing). Every answer is a 200 or a 503 with {@code Retry-After}; the process's
 * resident memory stays under the documented bound; the storage queue shows in {@code /metrics};
 * {@code /health} keeps answering; every acknowledged event is in the file; and once the flood stops
 * the queue drains and the rate is back.
 */
class OverloadIT {
  private static final String TOKEN = "overload-token";
  /** The documented bound (README, Memory) with the default queue limits and conf/jvm.options. */
  static final long RSS_BOUND_MB = 300;
  private static final int EVENTS_PER_REQUEST = 500;
  private static final int FLOOD_SECONDS = 60;
  private static final int CONNECTIONS = 256;

  @Test
  void tenTimesTheSustainableRateIsRefusedWith503sInBoundedMemoryAndTheRateRecovers(@TempDir Path dir) throws Exception {
    int port = SparkUnderTest.freePort();
    Path db = dir.resolve("spark.db");
    Path conf = SparkProcess.writeConf(dir.resolve("spark.json"), new JsonObject()
        .put("db", new JsonObject().put("path", db.toString()))
        .put("web", new JsonObject().put("port", port).put("token", TOKEN)));
    Vertx vertx = Vertx.vertx();
    SparkProcess started = null;
    try (SparkProcess spark = SparkProcess.startJar(dir, conf, SparkProcess.defaultJvmOptions())) {
      started = spark;
      WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
          .setKeepAliveTimeout(5), new PoolOptions().setHttp1MaxSize(CONNECTIONS));
      // /health and /metrics on connections of their own, not behind the flood in the pool
      WebClient monitor = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
      Set<Long> acked = ConcurrentHashMap.newKeySet();
      RssSampler rss = new RssSampler(spark.pid());

      closedLoop(http, 16, 10, acked); // warm-up: the JIT
      double sustainable = closedLoop(http, 16, 5, acked);
      long rssBefore = rss.now();

      // The flood: requests sent on a timer, whatever comes back.
      double offered = sustainable * 10;
      AtomicLong sent = new AtomicLong();
      AtomicLong ok = new AtomicLong();
      AtomicLong refused = new AtomicLong();
      AtomicLong refusedWithoutRetryAfter = new AtomicLong();
      AtomicLong other = new AtomicLong();
      AtomicLong inFlight = new AtomicLong();
      AtomicLong unsent = new AtomicLong();
      AtomicLong maxQueueRows = new AtomicLong();
      AtomicLong slowestHealthMs = new AtomicLong();
      Buffer body = batch("flood");
      long tickMs = 10;
      double perTick = offered / EVENTS_PER_REQUEST * tickMs / 1000.0;
      double[] credit = {0};
      long floodStart = System.nanoTime();
      Promise<Void> floodDone = Promise.promise();
      rss.start();
      long timer = vertx.setPeriodic(tickMs, id -> {
        if (System.nanoTime() - floodStart > TimeUnit.SECONDS.toNanos(FLOOD_SECONDS)) {
          vertx.cancelTimer(id);
          floodDone.complete();
          return;
        }
        credit[0] += perTick;
        while (credit[0] >= 1) {
          credit[0] -= 1;
          if (inFlight.get() >= CONNECTIONS) {
            // every connection is waiting for an answer: what the client cannot send is not queued here
            unsent.incrementAndGet();
            continue;
          }
          sent.incrementAndGet();
          inFlight.incrementAndGet();
          http.post("/api/v1/events").sendBuffer(body).onComplete(ar -> {
            inFlight.decrementAndGet();
            if (ar.failed()) {
              if (other.incrementAndGet() <= 3) System.out.println("overload: a flood request failed: " + ar.cause());
              return;
            }
            HttpResponse<Buffer> r = ar.result();
            if (r.statusCode() == 200) {
              ok.incrementAndGet();
              r.bodyAsJsonObject().getJsonArray("ids").forEach(i -> acked.add(((Number) i).longValue()));
            } else if (r.statusCode() == 503) {
              refused.incrementAndGet();
              if (r.getHeader("Retry-After") == null) refusedWithoutRetryAfter.incrementAndGet();
            } else if (other.incrementAndGet() <= 3) {
              System.out.println("overload: a flood request got " + r.statusCode() + ": " + r.bodyAsString());
            }
          });
        }
      });
      // While it runs: the queue in /metrics, and /health answering.
      long metricsTimer = vertx.setPeriodic(500, id -> {
        monitor.get("/metrics").bearerTokenAuthentication(TOKEN).send().onSuccess(r -> {
          for (String line : r.bodyAsString().split("\n")) {
            if (line.startsWith("spark_storage_queue_rows")) {
              maxQueueRows.accumulateAndGet((long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Math::max);
            }
          }
        });
        long t0 = System.nanoTime();
        monitor.get("/health").send().onSuccess(r -> slowestHealthMs.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max));
      });
      floodDone.future().await(FLOOD_SECONDS + 30, TimeUnit.SECONDS);
      vertx.cancelTimer(metricsTimer);
      Poll.until("every flood request to be answered", 120_000, () -> inFlight.get() == 0);
      long floodMs = (System.nanoTime() - floodStart) / 1_000_000;
      rss.stop();

      // The flood is over: the queue drains, and the sustainable rate is back.
      long drainStart = System.nanoTime();
      Poll.until("the storage queue to drain", 60_000, () -> {
        HttpResponse<Buffer> r = monitor.get("/api/v1/status").bearerTokenAuthentication(TOKEN).send().await(10, TimeUnit.SECONDS);
        return r.bodyAsJsonObject().getJsonObject("storage").getInteger("queueRows") == 0;
      });
      long drainMs = (System.nanoTime() - drainStart) / 1_000_000;
      double after = closedLoop(http, 16, 5, acked);

      long stored = DbFile.count(db, "SELECT count(*) FROM events");
      Set<Long> ids = ids(db);
      long missing = acked.stream().filter(i -> !ids.contains(i)).count();
      String figures = String.format("overload: sustainable %.0f events/s; offered %.0f events/s for %d s (%d requests of %d events sent, "
              + "%.0f requests/s, on %d connections; %d more not sent, every connection busy); %d taken, %d refused with 503 (%d without Retry-After), %d other; storage queue up to %d rows "
              + "in /metrics; /health slowest %d ms; RSS %d MB before, %d MB at most (bound %d MB, %s); queue drained %d ms "
              + "after; %.0f events/s after (%.0f %%); %d events in the file, %d acknowledged, %d of them missing",
          sustainable, offered, FLOOD_SECONDS, sent.get(), EVENTS_PER_REQUEST, sent.get() * 1000.0 / floodMs, CONNECTIONS, unsent.get(),
          ok.get(), refused.get(),
          refusedWithoutRetryAfter.get(), other.get(), maxQueueRows.get(), slowestHealthMs.get(), rssBefore, rss.max(), RSS_BOUND_MB, String.join(" ", SparkProcess.defaultJvmOptions()),
          drainMs, after, 100 * after / sustainable, stored, acked.size(), missing);
      System.out.println(figures);
      spark.lines().stream().filter(l -> l.contains("blocked") || l.contains("WARN") || l.contains("SEVERE")).limit(10)
          .forEach(l -> System.out.println("overload: Spark said: " + l));

      assertEquals(0, other.get(), "only 200s and 503s: " + figures);
      assertTrue(refused.get() > sent.get() / 2, "most of a tenfold flood is refused: " + figures);
      assertEquals(0, refusedWithoutRetryAfter.get(), "every 503 says when to retry");
      assertTrue(maxQueueRows.get() > 0, "the queue shows in /metrics: " + figures);
      assertTrue(rss.max() < RSS_BOUND_MB, "resident memory stayed under the bound: " + figures);
      // (slow under the flood, see README: parsing shares the event loops with everything else)
      assertTrue(slowestHealthMs.get() < 10_000, "/health kept answering: " + figures);
      assertEquals(0, missing, "every acknowledged event is in the file");
      assertTrue(after > sustainable * 0.5, "the rate is back once the flood stops: " + figures);
      assertTrue(spark.isAlive());
      spark.terminate();
    } catch (Throwable e) {
      if (started != null) {
        java.nio.file.Files.writeString(Path.of("target", "OverloadIT-spark.log"), started.output());
        System.out.println("overload: Spark's output is in target/OverloadIT-spark.log");
      }
      throw e;
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static Buffer batch(String tag) {
    JsonArray arr = new JsonArray();
    for (int i = 0; i < EVENTS_PER_REQUEST; i++) {
      arr.add(new JsonObject().put("type", "server-error").put("feature", "overload")
          .put("error", new JsonObject().put("message", tag + " " + i).put("stack", "Error: " + tag + "\n    at x.ts:1\n".repeat(20))));
    }
    return arr.toBuffer();
  }

  /** {@code clients} loops sending one request after the other for {@code seconds}; returns events/s acknowledged. */
  private static double closedLoop(WebClient http, int clients, int seconds, Set<Long> acked) throws Exception {
    Buffer body = batch("closed loop");
    AtomicLong events = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long t0 = System.nanoTime();
    Future<?>[] loops = new Future<?>[clients];
    for (int c = 0; c < clients; c++) loops[c] = loop(http, body, end, events, acked);
    Future.all(java.util.List.of(loops)).await(seconds + 60L, TimeUnit.SECONDS);
    return events.get() * 1e9 / (System.nanoTime() - t0);
  }

  private static Future<Void> loop(WebClient http, Buffer body, long end, AtomicLong events, Set<Long> acked) {
    if (System.nanoTime() > end) return Future.succeededFuture();
    return http.post("/api/v1/events").sendBuffer(body).compose(r -> {
      if (r.statusCode() == 200) {
        JsonArray ids = r.bodyAsJsonObject().getJsonArray("ids");
        ids.forEach(i -> acked.add(((Number) i).longValue()));
        events.addAndGet(ids.size());
      } else if (r.statusCode() != 503) {
        return Future.failedFuture("closed loop got " + r.statusCode() + ": " + r.bodyAsString());
      }
      return loop(http, body, end, events, acked);
    });
  }

  private static Set<Long> ids(Path db) throws Exception {
    Set<Long> out = new HashSet<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); ResultSet rs = c.createStatement().executeQuery("SELECT id FROM events")) {
      while (rs.next()) out.add(rs.getLong(1));
    }
    return out;
  }

  /** Samples the process's resident set (VmRSS in /proc/<pid>/status) every 100 ms. */
  private static final class RssSampler {
    private final Path status;
    private volatile boolean running;
    private volatile long max;
    private Thread thread;

    RssSampler(long pid) {
      this.status = Path.of("/proc", Long.toString(pid), "status");
    }

    long now() {
      try {
        for (String line : Files.readAllLines(status)) {
          if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      } catch (Exception gone) {
        // the process ended
      }
      return 0;
    }

    void start() {
      running = true;
      thread = new Thread(() -> {
        while (running) {
          max = Math.max(max, now());
          java.util.concurrent.locks.LockSupport.parkNanos(100_000_000);
        }
      }, "rss-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join(5_000);
      max = Math.max(max, now());
    }

    long max() {
      return max;
    }
  }
}
