package dev.spark.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Alerts under load (BENCHMARKS.md, "Alerts"). Three runs, each on a fresh Spark in this JVM and a
 * webhook receiver on loopback:
 * <ol>
 *   <li>steady: background ingest at {@code --rate} events/s (20 recurring issues, batches of 50 over
 *       HTTP) while {@code --issues} new issues arrive one per request, spread over the run; for each
 *       new issue, the time from its POST being sent, and from its 200 (which comes after the commit),
 *       to the webhook receiving its alert;</li>
 *   <li>and 3. the most ingest Spark takes (8 closed-loop clients, batches of 100), with the same new
 *       issues beside it, alerts off, then on: events/s of each.</li>
 * </ol>
 * Usage: AlertsBenchmark [--seconds 20] [--rate 5000] [--issues 1000] [--rounds 3] [--max-seconds 10]
 * (the max-ingest runs alternate off and on, {@code --rounds} times, which goes first alternating too,
 * with half the new issues each; the summary gives the median ratio and that of all rounds together)
 */
public final class AlertsBenchmark {
  public static void main(String[] args) throws Exception {
    int seconds = intArg(args, "--seconds", 20);
    int rate = intArg(args, "--rate", 5_000);
    int issues = intArg(args, "--issues", 1_000);
    int rounds = intArg(args, "--rounds", 3);
    int maxSeconds = intArg(args, "--max-seconds", 10);
    Vertx vertx = Vertx.vertx();
    try {
      Path dir = Files.createTempDirectory("spark-alerts-bench-");
      Result steady = run(vertx, dir.resolve("steady.db"), true, seconds, rate, issues);
      System.out.printf(Locale.ROOT, "steady %d events/s background (achieved %.0f/s, %d rejected), %d new issues, %d alerts received%n",
          rate, steady.eventsPerSecond, steady.rejected, issues, steady.alerts);
      System.out.printf(Locale.ROOT, "  commit (200) -> webhook received: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
          pct(steady.fromAck, 50), pct(steady.fromAck, 99), pct(steady.fromAck, 100));
      System.out.printf(Locale.ROOT, "  POST sent   -> webhook received: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
          pct(steady.fromSend, 50), pct(steady.fromSend, 99), pct(steady.fromSend, 100));
      // Off and on alternate, and so does which of them goes first (off-on, on-off, ...): a change in
      // the machine's load, or what one run leaves the JVM (heap, compiled code), falls on both alike.
      List<Double> ratios = new ArrayList<>();
      double offTotal = 0;
      double onTotal = 0;
      for (int round = 1; round <= rounds; round++) {
        boolean offFirst = round % 2 == 1;
        Result first = run(vertx, dir.resolve((offFirst ? "off-" : "on-") + round + ".db"), !offFirst, maxSeconds, 0, issues / 2);
        Result second = run(vertx, dir.resolve((offFirst ? "on-" : "off-") + round + ".db"), offFirst, maxSeconds, 0, issues / 2);
        Result off = offFirst ? first : second;
        Result on = offFirst ? second : first;
        offTotal += off.eventsPerSecond;
        onTotal += on.eventsPerSecond;
        ratios.add(on.eventsPerSecond / off.eventsPerSecond);
        System.out.printf(Locale.ROOT, "round %d (%s first) max ingest, alerts off: %.0f events/s; alerts on: %.0f events/s (%.1f %%), %d alerts, p99 commit -> received %.1f ms%n",
            round, offFirst ? "off" : "on", off.eventsPerSecond, on.eventsPerSecond, 100 * on.eventsPerSecond / off.eventsPerSecond,
            on.alerts, pct(on.fromAck, 99));
      }
      Collections.sort(ratios);
      double median = ratios.size() % 2 == 1 ? ratios.get(ratios.size() / 2)
          : (ratios.get(ratios.size() / 2 - 1) + ratios.get(ratios.size() / 2)) / 2;
      System.out.printf(Locale.ROOT, "alerts on vs off over %d rounds: median %.1f %%, all rounds together %.1f %% (target >= 95 %%)%n",
          rounds, 100 * median, 100 * onTotal / offTotal);
    } finally {
      vertx.close().await();
    }
  }

  record Result(double eventsPerSecond, long rejected, int alerts, double[] fromAck, double[] fromSend) {}

  /** rate 0: closed loop (as fast as Spark takes it). */
  static Result run(Vertx vertx, Path db, boolean alerts, int seconds, int rate, int issues) throws Exception {
    long[] sent = new long[issues];
    long[] acked = new long[issues];
    long[] received = new long[issues];
    AtomicLong alertsIn = new AtomicLong();
    HttpServer receiver = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      long now = System.nanoTime();
      String title = new JsonObject(b.toString()).getJsonObject("issue").getString("title");
      int i = index(title.substring(title.lastIndexOf(' ') + 1));
      if (i >= 0 && i < issues && received[i] == 0) received[i] = now;
      alertsIn.incrementAndGet();
      req.response().end();
    }));
    receiver.listen(0, "127.0.0.1").await();
    JsonObject extra = new JsonObject().put("alerts", new JsonObject()
        .put("targets", new JsonObject().put("hook", new JsonObject().put("type", "webhook")
            .put("url", "http://127.0.0.1:" + receiver.actualPort() + "/hook").put("secret", "bench")))
        .put("rules", alerts ? new JsonArray().add(new JsonObject().put("on", new JsonArray().add("new-issue"))
            .put("environments", new JsonArray().add("production"))
            .put("to", new JsonArray().add("hook"))) : new JsonArray()));
    SparkServer spark = SparkServer.start(vertx, db, "NORMAL", extra);
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(spark.port)
        .setKeepAlive(true), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(32));
    // Its own connections, so a new issue never queues behind background batches in the client.
    WebClient issueClient = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(spark.port)
        .setKeepAlive(true), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(8));
    AtomicLong events = new AtomicLong();
    AtomicLong rejected = new AtomicLong();
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    boolean[] stop = {false};

    // Recurring background errors: 20 issues, known after their first batch.
    java.util.function.IntFunction<Buffer> batch = n -> {
      JsonArray a = new JsonArray();
      for (int k = 0; k < n; k++) a.add(new JsonObject().put("type", "server-error").put("environment", "background")
          .put("error", new JsonObject().put("message", "background failure " + word(k % 20))));
      return a.toBuffer();
    };
    Buffer fifty = batch.apply(50);
    Buffer hundred = batch.apply(100);
    java.util.function.Supplier<Future<Void>> post = () -> {
      Buffer body = rate > 0 ? fifty : hundred;
      int n = rate > 0 ? 50 : 100;
      return client.post("/api/v1/events").sendBuffer(body).map(r -> {
        if (r.statusCode() == 200) events.addAndGet(n);
        else rejected.addAndGet(n);
        return (Void) null;
      }).otherwise(e -> null);
    };
    if (rate > 0) {
      // Every tick sends the batches of 50 that fell due since the start (a late timer catches up).
      AtomicLong outstanding = new AtomicLong();
      long[] batches = {0};
      vertx.setPeriodic(5, id -> {
        if (stop[0]) {
          vertx.cancelTimer(id);
          return;
        }
        long due = (long) ((System.nanoTime() - start) / 1e9 * rate / 50);
        while (batches[0] < due && outstanding.get() < 400) {
          batches[0]++;
          outstanding.incrementAndGet();
          post.get().onComplete(v -> outstanding.decrementAndGet());
        }
      });
    } else {
      for (int c = 0; c < 8; c++) {
        Runnable[] loop = new Runnable[1];
        loop[0] = () -> {
          if (!stop[0]) post.get().onComplete(v -> loop[0].run());
        };
        vertx.runOnContext(v -> loop[0].run());
      }
    }
    // New issues, spread over the run.
    long gapNanos = seconds * 1_000_000_000L / issues;
    int[] next = {0};
    vertx.setPeriodic(1, id -> {
      long due = (System.nanoTime() - start) / gapNanos;
      while (next[0] < issues && next[0] <= due) {
        int i = next[0]++;
        sent[i] = System.nanoTime();
        issueClient.post("/api/v1/events").sendJsonObject(new JsonObject().put("type", "server-error").put("environment", "production")
                .put("error", new JsonObject().put("message", "bench new issue " + word(i))))
            .onSuccess(r -> {
              if (r.statusCode() == 200) acked[i] = System.nanoTime();
            });
      }
      if (next[0] >= issues) vertx.cancelTimer(id);
    });
    while (System.nanoTime() < end) Thread.sleep(100);
    stop[0] = true;
    double eps = events.get() / ((System.nanoTime() - start) / 1e9);
    if (alerts) {
      // The new issues still in flight get their alerts; the wait is not part of any figure.
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (alertsIn.get() < issues && System.nanoTime() < deadline) Thread.sleep(50);
    }
    spark.stop();
    client.close();
    issueClient.close();
    receiver.close().await();
    double[] fromAck = new double[0];
    double[] fromSend = new double[0];
    if (alerts) {
      fromAck = new double[issues];
      fromSend = new double[issues];
      for (int i = 0; i < issues; i++) {
        fromAck[i] = received[i] == 0 || acked[i] == 0 ? Double.POSITIVE_INFINITY : Math.max(0, (received[i] - acked[i]) / 1e6);
        fromSend[i] = received[i] == 0 ? Double.POSITIVE_INFINITY : (received[i] - sent[i]) / 1e6;
      }
      Arrays.sort(fromAck);
      Arrays.sort(fromSend);
    }
    return new Result(eps, rejected.get(), (int) alertsIn.get(), fromAck, fromSend);
  }

  /** A letters-only word per number (g..z), so each is its own fingerprint (digits are normalised away). */
  static String word(int n) {
    StringBuilder s = new StringBuilder();
    do {
      s.append((char) ('g' + n % 20));
      n /= 20;
    } while (n > 0);
    return s.toString();
  }

  static int index(String word) {
    int n = 0;
    for (int i = word.length() - 1; i >= 0; i--) {
      int d = word.charAt(i) - 'g';
      if (d < 0 || d >= 20) return -1;
      n = n * 20 + d;
    }
    return n;
  }

  static double pct(double[] sorted, double p) {
    if (sorted.length == 0) return Double.NaN;
    int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static int intArg(String[] args, String name, int fallback) {
    for (int i = 0; i + 1 < args.length; i++) if (args[i].equals(name)) return Integer.parseInt(args[i + 1]);
    return fallback;
  }
}
