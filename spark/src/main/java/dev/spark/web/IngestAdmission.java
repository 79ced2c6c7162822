package dev.spark.web;

import dev.spark.metrics.SparkMetrics;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Reads an ingest request's body within {@code ingest.maxInFlightBytes}, shared by the web instances
 * of one Spark, fairly: bytes are reserved as they <em>arrive</em>, never by the declared
 * {@code Content-Length}, so a client that announces 16 MB and sends one byte holds one byte.
 *
 * <ul>
 *   <li>Before reading, a request whose declared length would take the bytes actually in flight over
 *   the bound is answered 503 with {@code Retry-After} (a request alone in flight is always taken).</li>
 *   <li>While reading, a chunk that would take them over the bound ends the request with 503; a body
 *   over {@code ingest.maxBodyBytes} with 413. The rest of a refused body is read and dropped, so the
 *   connection stays usable.</li>
 *   <li>Per connection, one body at a time (HTTP/1.1 answers in order), at most {@code maxBodyBytes},
 *   and for at most {@code ingest.bodyTimeoutMs} without a byte arriving: then 408 and the
 *   connection is closed, giving its bytes back.</li>
 * </ul>
 * Bytes of bodies with nothing arriving for a second are "stalled": {@code /health} and
 * {@code spark_ingest_stalled_bytes} show them. A client that goes away mid-body is logged at FINE.
 *
 * <p>The reservation is given back as the answer's headers go out, or when the exchange ends
 * without one. The body it read is in the context under {@link #BODY} for the next handler.
 */
final class IngestAdmission implements Handler<RoutingContext> {
  private static final Logger LOG = Logger.getLogger(IngestAdmission.class.getName());
  static final String BODY = "spark.ingestBody";

  /**
   * A body as it arrived, in chunks: copied once, by whoever parses it (a worker thread above
   * {@link IngestRoutes#OFF_LOOP_BYTES}), not grown on the event loop as it arrives nor joined first.
   */
  static final class Chunks {
    private final List<Buffer> parts = new ArrayList<>();
    private int length;

    void add(Buffer chunk) {
      parts.add(chunk);
      length += chunk.length();
    }

    int length() {
      return length;
    }

    /** The chunks in order; the parse copies them once ({@code InputText.parseJson}). */
    List<Buffer> parts() {
      return parts;
    }

    /** The body in one new array: one copy. */
    byte[] bytes() {
      byte[] out = new byte[length];
      int at = 0;
      for (Buffer part : parts) {
        part.getBytes(0, part.length(), out, at);
        at += part.length();
      }
      return out;
    }
  }
  static final long STALL_NANOS = 1_000_000_000L;

  /** The budget, shared by the web instances of one Spark (one per database file). */
  static final class Budget implements Shareable {
    final AtomicLong used = new AtomicLong();
    final Set<Reading> reading = ConcurrentHashMap.newKeySet();

    /** {inFlightBytes, stalledBytes, stalledRequests}: for /health. */
    JsonObject stats() {
      long now = System.nanoTime();
      long bytes = 0;
      int count = 0;
      for (Reading r : reading) {
        if (now - r.lastNanos > STALL_NANOS) {
          bytes += r.reserved;
          count++;
        }
      }
      return new JsonObject().put("inFlightBytes", used.get()).put("stalledBytes", bytes).put("stalledRequests", count);
    }
  }

  private final Vertx vertx;
  private final Budget budget;
  private final long max;
  private final long maxBody;
  private final long timeoutNanos;
  private final SparkMetrics metrics;
  private final boolean sentry;

  IngestAdmission(Vertx vertx, String scope, long maxInFlightBytes, long maxBodyBytes, long bodyTimeoutMs) {
    this(vertx, scope, maxInFlightBytes, maxBodyBytes, bodyTimeoutMs, false);
  }

  /**
   * @param sentry answer "busy" as Sentry SDKs understand it: 429 with {@code X-Sentry-Rate-Limits}
   *               (they count a 503 as a failed send)
   */
  IngestAdmission(Vertx vertx, String scope, long maxInFlightBytes, long maxBodyBytes, long bodyTimeoutMs, boolean sentry) {
    this.sentry = sentry;
    this.vertx = vertx;
    this.budget = budget(vertx, scope);
    this.max = maxInFlightBytes;
    this.maxBody = maxBodyBytes;
    this.timeoutNanos = bodyTimeoutMs * 1_000_000;
    this.metrics = SparkMetrics.of(vertx);
    metrics.ingestStalled(() -> budget.stats().getLong("stalledBytes"));
  }

  static Budget budget(Vertx vertx, String scope) {
    LocalMap<String, Budget> budgets = vertx.sharedData().getLocalMap("spark.ingest.inFlight");
    Budget fresh = new Budget();
    Budget existing = budgets.putIfAbsent(scope, fresh);
    return existing == null ? fresh : existing;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    long declared = declared(req);
    if (declared > maxBody) {
      refuse(ctx, null, 413, "payload_too_large", "The request body is larger than ingest.maxBodyBytes (" + maxBody + " bytes)");
      return;
    }
    long used = budget.used.get();
    if (used > 0 && used + Math.max(0, declared) > max) {
      refuse(ctx, null, 503, "unavailable", busy(used));
      return;
    }
    Reading r = new Reading(ctx);
    budget.reading.add(r);
    ctx.addHeadersEndHandler(v -> r.release());
    ctx.addEndHandler(v -> r.release());
    req.handler(r::arrived).endHandler(v -> r.complete()).exceptionHandler(r::failed);
    r.armTimer(timeoutNanos);
    // As Vert.x's body handler does: a client that asked (curl does, for large bodies) may send now.
    if ("100-continue".equalsIgnoreCase(req.getHeader("Expect")) && req.version() == HttpVersion.HTTP_1_1) ctx.response().writeContinue();
    req.resume();
  }

  private String busy(long used) {
    return "Spark is already reading " + used / 1024 + " KB of ingest requests (ingest.maxInFlightBytes is "
        + max / 1024 + " KB); nothing was stored, retry after 1 s";
  }

  /**
   * Answers at once and reads the rest of the body into nothing (a request left mid-body would hold its
   * connection, and the client would wait on it for good), unless it stalls for bodyTimeoutMs.
   */
  private void refuse(RoutingContext ctx, Reading r, int status, String code, String message) {
    metrics.rejected(ctx.request().path().endsWith("/access") ? "access" : "event", status == 503 ? "busy" : "too_large", 1);
    if (status == 503) ctx.response().putHeader("Retry-After", "1");
    if (status == 503 && sentry) ctx.response().putHeader(SentryRoutes.RATE_LIMITS, SentryRoutes.RATE_LIMITED_1S);
    if (r == null) {
      Reading drain = new Reading(ctx);
      drain.dropping = true;
      ctx.request().handler(drain::arrived).endHandler(v -> drain.complete()).exceptionHandler(drain::failed);
      drain.armTimer(timeoutNanos);
      ctx.request().resume();
    }
    boolean limited = status == 503 && sentry;
    ApiResponses.error(ctx, limited ? 429 : status, limited ? "too_many_requests" : code, message);
  }

  private static long declared(HttpServerRequest req) {
    String length = req.getHeader("Content-Length");
    if (length == null) return -1;
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1; // Vert.x itself refuses a malformed Content-Length before this runs
    }
  }

  /** One body being read: what it has reserved, when its last bytes came. */
  private final class Reading {
    final RoutingContext ctx;
    final Chunks body = new Chunks();
    volatile long reserved;
    volatile long lastNanos = System.nanoTime();
    boolean dropping;
    boolean done;
    boolean released;
    long timer = -1;

    Reading(RoutingContext ctx) {
      this.ctx = ctx;
    }

    void arrived(Buffer chunk) {
      lastNanos = System.nanoTime();
      if (dropping || done) return;
      int n = chunk.length();
      if (body.length() + n > maxBody) {
        stopReading();
        refuse(ctx, this, 413, "payload_too_large", "The request body is larger than ingest.maxBodyBytes (" + maxBody + " bytes)");
        return;
      }
      reserved += n;
      long total = budget.used.addAndGet(n);
      if (total > max && total != reserved) {
        stopReading();
        refuse(ctx, this, 503, "unavailable", busy(total - n));
        return;
      }
      metrics.ingestInFlight(total);
      body.add(chunk);
    }

    /** From reading to dropping: the bytes held so far go back. */
    private void stopReading() {
      dropping = true;
      release();
    }

    void complete() {
      cancelTimer();
      budget.reading.remove(this);
      if (dropping || done) return;
      done = true;
      ctx.put(BODY, body);
      ctx.next();
    }

    void failed(Throwable e) {
      cancelTimer();
      release();
      // A client that vanished mid-body (or sent broken framing): nobody to answer, nothing to fix here.
      SparkRouter.endedEarly(ctx, e);
    }

    void armTimer(long delayNanos) {
      timer = vertx.setTimer(Math.max(1, delayNanos / 1_000_000), id -> {
        timer = -1;
        long idle = System.nanoTime() - lastNanos;
        if (done) return;
        if (idle < timeoutNanos) {
          armTimer(timeoutNanos - idle);
          return;
        }
        timedOut();
      });
    }

    private void timedOut() {
      done = true;
      release();
      budget.reading.remove(this);
      LOG.fine(() -> "Ingest request body from " + ctx.request().remoteAddress() + " stalled; answered 408");
      if (ctx.response().ended() || ctx.response().closed()) {
        ctx.request().connection().close();
        return;
      }
      metrics.rejected(ctx.request().path().endsWith("/access") ? "access" : "event", "timeout", 1);
      ctx.response().putHeader("Connection", "close").endHandler(v -> ctx.request().connection().close());
      ApiResponses.error(ctx, 408, "timeout", "No body bytes arrived for " + timeoutNanos / 1_000_000
          + " ms (ingest.bodyTimeoutMs); nothing was stored");
    }

    private void cancelTimer() {
      if (timer >= 0) vertx.cancelTimer(timer);
      timer = -1;
    }

    void release() {
      budget.reading.remove(this);
      if (released) return;
      released = true;
      metrics.ingestInFlight(budget.used.addAndGet(-reserved));
    }
  }
}
