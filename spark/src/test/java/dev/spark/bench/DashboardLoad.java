package dev.spark.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What an open dashboard asks, over and over: every {@code everyMs}, the listings, the last hour's
 * access statistics and timeline, the summary and the issues, one after the other on one
 * connection. Each answer's time is kept ({@link #take}); anything but a 200 is counted as a failure.
 */
final class DashboardLoad {
  private final Vertx vertx;
  private final HttpClientAgent http;
  private final String token;
  private final long timer;
  private final RunStats.LongList latencies = new RunStats.LongList();
  final AtomicLong queries = new AtomicLong();
  final AtomicLong failures = new AtomicLong();
  private volatile String lastFailure = "";
  private final Promise<Void> stopped = Promise.promise();
  private volatile boolean stopping;
  private boolean busy;

  DashboardLoad(Vertx vertx, HttpClientAgent http, String token, long everyMs) {
    this.vertx = vertx;
    this.http = http;
    this.token = token;
    this.timer = vertx.setPeriodic(everyMs, id -> round());
  }

  private void round() {
    synchronized (this) {
      if (busy || stopping) return; // the previous round is still running: skip rather than pile up
      busy = true;
    }
    Instant now = Instant.now();
    String hourAgo = enc(now.minus(1, ChronoUnit.HOURS).toString());
    List<String> uris = List.of("/api/v1/events?limit=50", "/api/v1/access?limit=51",
        "/api/v1/access/stats?limit=100&since=" + hourAgo, "/api/v1/access/timeline?since=" + hourAgo + "&until=" + enc(now.toString()),
        "/api/v1/dashboard/summary", "/api/v1/issues");
    next(uris, 0);
  }

  private void next(List<String> uris, int i) {
    if (i == uris.size() || stopping) {
      synchronized (this) {
        busy = false;
        if (stopping) stopped.tryComplete();
      }
      return;
    }
    long t0 = System.nanoTime();
    http.request(HttpMethod.GET, uris.get(i))
        .compose(req -> req.putHeader("Authorization", "Bearer " + token).send())
        .compose(resp -> resp.body().map(b -> resp.statusCode()))
        .onComplete(ar -> {
          long took = System.nanoTime() - t0;
          queries.incrementAndGet();
          if (ar.succeeded() && ar.result() == 200) record(took);
          else {
            failures.incrementAndGet();
            lastFailure = uris.get(i) + ": " + (ar.succeeded() ? "HTTP " + ar.result() : ar.cause());
          }
          next(uris, i + 1);
        });
  }

  private synchronized void record(long nanos) {
    latencies.add(nanos);
  }

  /** The answer times (sorted, ns) since the last call. */
  synchronized long[] take() {
    long[] out = latencies.sorted();
    latencies.clear();
    return out;
  }

  String lastFailure() {
    return lastFailure;
  }

  /** No new round; completes once the round under way (if any) has had its answers. */
  Future<Void> stop() {
    stopping = true;
    vertx.cancelTimer(timer);
    synchronized (this) {
      if (!busy) stopped.tryComplete();
    }
    return stopped.future();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
