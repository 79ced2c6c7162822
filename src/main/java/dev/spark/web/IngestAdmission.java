package dev.spark.web;

import dev.spark.metrics.SparkMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the ingest request bodies being read and processed at once, across the web instances of
 * one Spark ({@code ingest.maxInFlightBytes}). Each request reserves its {@code Content-Length}
 * (or {@code ingest.maxBodyBytes} when it has none) before its body is read and gives it back when
 * it is answered; one that would go over is answered 503 with {@code Retry-After} at once. So an
 * overload is refused before it costs memory or parsing, rather than queued in the heap; the
 * storage queue ({@code storage.queueCapacity}) is the second bound, behind it. A request alone in
 * flight is always taken, whatever its size (up to {@code ingest.maxBodyBytes}).
 *
 * <p>A security-policy handler, so Vert.x Web runs it after the token check (also one) and before
 * the body handler.
 */
final class IngestAdmission implements SecurityPolicyHandler {
  /** The budget, shared by the web instances of one Spark (one per database file). */
  static final class Budget implements Shareable {
    final AtomicLong used = new AtomicLong();
  }

  private final Budget budget;
  private final long max;
  private final long maxBody;
  private final SparkMetrics metrics;
  private final boolean sentry;

  IngestAdmission(Vertx vertx, String scope, long maxInFlightBytes, long maxBodyBytes) {
    this(vertx, scope, maxInFlightBytes, maxBodyBytes, false);
  }

  /**
   * @param sentry answer an overload as Sentry SDKs understand it: 429 with {@code X-Sentry-Rate-Limits}
   *               (they treat a 503 as a failed send, and may retry at once)
   */
  IngestAdmission(Vertx vertx, String scope, long maxInFlightBytes, long maxBodyBytes, boolean sentry) {
    this.sentry = sentry;
    LocalMap<String, Budget> budgets = vertx.sharedData().getLocalMap("spark.ingest.inFlight");
    Budget fresh = new Budget();
    Budget existing = budgets.putIfAbsent(scope, fresh);
    this.budget = existing == null ? fresh : existing;
    this.max = maxInFlightBytes;
    this.maxBody = maxBodyBytes;
    this.metrics = SparkMetrics.of(vertx);
  }

  @Override
  public void handle(RoutingContext ctx) {
    long want = reservation(ctx.request());
    long total = budget.used.addAndGet(want);
    if (total > max && total != want) {
      metrics.ingestInFlight(budget.used.addAndGet(-want));
      metrics.rejected(ctx.request().path().endsWith("/access") ? "access" : "event", "busy", 1);
      // The body is not wanted: let it be read and dropped (a request left paused mid-body would hold
      // its connection, and the client would wait on it for good).
      ctx.request().resume();
      ctx.response().putHeader("Retry-After", "1");
      if (sentry) ctx.response().putHeader(SentryRoutes.RATE_LIMITS, SentryRoutes.RATE_LIMITED_1S);
      ApiResponses.error(ctx, sentry ? 429 : 503, sentry ? "too_many_requests" : "unavailable", "Spark is already reading " + (total - want) / 1024
          + " KB of ingest requests (ingest.maxInFlightBytes is " + max / 1024 + " KB); nothing was stored, retry after 1 s");
      return;
    }
    metrics.ingestInFlight(total);
    // Given back as the answer's headers go out (so a client that sends its next request on seeing
    // the answer finds the room), or when the exchange ends without one (the client went away).
    boolean[] released = {false};
    Runnable release = () -> {
      if (released[0]) return;
      released[0] = true;
      metrics.ingestInFlight(budget.used.addAndGet(-want));
    };
    ctx.addHeadersEndHandler(v -> release.run());
    ctx.addEndHandler(v -> release.run());
    ctx.next();
  }

  private long reservation(HttpServerRequest req) {
    String length = req.getHeader("Content-Length");
    if (length != null) {
      try {
        return Math.max(0, Math.min(Long.parseLong(length.trim()), maxBody));
      } catch (NumberFormatException e) {
        // the body handler answers it
      }
    }
    return maxBody;
  }
}
