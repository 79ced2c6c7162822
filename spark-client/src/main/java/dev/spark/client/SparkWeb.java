package dev.spark.client;

import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Spark for a Vert.x Web {@link Router}, installed with one call:
 * {@code SparkWeb web = SparkWeb.install(router, client, options)}.
 *
 * <p>It adds one route, ordered before every other, whose handler and failure handler see every
 * request the router gets (including 404, 405, static files, body-parse failures and failures), and:
 * <ul>
 *   <li>gives each request an id: a well-formed incoming {@code X-Request-Id}, else the trace-id of
 *       a W3C {@code traceparent}, else a fresh UUIDv7. It is echoed in the {@code X-Request-Id}
 *       response header, is the access log's {@code requestId} and the events' {@code traceId}, and
 *       the app can read it with {@link #requestId(RoutingContext)};</li>
 *   <li>sends an access-log entry when the response has ended (or the connection closed): method, path,
 *       status, duration (to the response end; to the first byte for chunked or streamed responses),
 *       client IP, user agent, feature, request id, input (query parameters and JSON body) and, for a
 *       failed request, the error message;</li>
 *   <li>reports a response with status 5xx, or a request that failed with an exception, as a
 *       {@code server-error} (message, stack, {@code route} "METHOD /path", feature, status, input), and a
 *       429 as a {@code rate-limit} (IP, and limit / retry-after when the response headers carry them).</li>
 * </ul>
 * Its failure handler only records the failure and passes it on, so the app's own failure handlers
 * and error handlers answer the client as before; the report is made when the response has ended,
 * with the status the client actually got.
 *
 * <p>Nothing here blocks or fails the app's request: everything is sent fire-and-forget on the event
 * bus after the response has ended, any exception in this code is caught, what Spark cannot take yet
 * waits in the client's buffer ({@link SparkClient#buffered()}), and what Spark refuses for good or the
 * buffer drops is counted in {@link #refused()}. Sends use {@code request} with a reply handler that only
 * counts failures, not {@code send}: with {@code send} a stopped Spark or a full queue would be
 * silent. The cost of the reply is paid once per batch of access-log entries.
 */
public final class SparkWeb {
  /** The request-id header, read and echoed. */
  public static final String REQUEST_ID_HEADER = RequestIds.REQUEST_ID;
  private static final String KEY = "dev.spark.client.SparkWeb.exchange";
  private static final Logger LOG = Logger.getLogger(SparkWeb.class.getName());

  private final SparkWebOptions options;
  private final Route route;
  private final AccessBatcher batcher;
  private final ExchangeReporter reporter;
  private final LongAdder refused = new LongAdder();
  private final LongAdder internalErrors = new LongAdder();

  private SparkWeb(Router router, SparkClient client, SparkWebOptions options) {
    this.options = options;
    Handler<Throwable> appHandler = options.getRefusalHandler();
    SparkClient.RefusalListener onRefused = (items, cause) -> {
      refused.add(items);
      if (appHandler != null) appHandler.handle(cause);
    };
    this.batcher = new AccessBatcher(client, options.getAccessBatchSize(), options.getAccessFlushMs(), onRefused);
    this.route = router.route().order(Integer.MIN_VALUE);
    this.reporter = new ExchangeReporter(client, options, new RouteFeatures(router, route), batcher, onRefused, this::internalError);
    route.handler(this::onRequest).failureHandler(this::onFailure);
  }

  public static SparkWeb install(Router router, SparkClient client) {
    return install(router, client, new SparkWebOptions());
  }

  /**
   * Installs the integration on {@code router}, the one the HTTP server hands requests to (requests it
   * routes on to sub-routers are covered; do not install it on those as well). Before or after the
   * app's own routes: its route is ordered first either way.
   */
  public static SparkWeb install(Router router, SparkClient client, SparkWebOptions options) {
    if (router == null || client == null) throw new NullPointerException("router and client are required");
    return new SparkWeb(router, client, options == null ? new SparkWebOptions() : options);
  }

  /** The id of the request being handled (also in the {@code X-Request-Id} response header), or null. */
  public static String requestId(RoutingContext ctx) {
    Exchange ex = ctx.get(KEY);
    return ex == null ? null : ex.requestId;
  }

  /**
   * Access-log entries and events that Spark did not take for good: refused (400), dropped by the
   * client's full buffer, an access batch not answered in time, or not sendable. The app's requests
   * are never affected by them.
   */
  public long refused() {
    return refused.sum();
  }

  /** Access-log entries handed to Spark so far (sent or waiting in the current batch). */
  public long accessLogs() {
    return reporter.accessLogs.sum();
  }

  /** {@code server-error} and {@code rate-limit} events sent so far. */
  public long events() {
    return reporter.events.sum();
  }

  /** Exceptions raised inside this integration (caught and logged; never passed to the app). */
  public long internalErrors() {
    return internalErrors.sum();
  }

  public SparkWebOptions options() {
    return options;
  }

  /** Sends the access-log entries waiting for their batch now. */
  public void flush() {
    batcher.flush();
  }

  /** Removes the route from the router and sends what is waiting. */
  public void uninstall() {
    route.remove();
    flush();
  }

  // ------------------------------------------------------------------ routing

  private void onRequest(RoutingContext ctx) {
    try {
      begin(ctx);
    } catch (RuntimeException e) {
      internalError("starting a request", e);
    }
    ctx.next();
  }

  private void onFailure(RoutingContext ctx) {
    try {
      Exchange ex = begin(ctx);
      ex.failed = true;
      if (ex.failure == null) ex.failure = ctx.failure();
    } catch (RuntimeException e) {
      internalError("recording a failure", e);
    }
    ctx.next();
  }

  private Exchange begin(RoutingContext ctx) {
    Exchange ex = ctx.get(KEY);
    if (ex == null) {
      Exchange created = new Exchange(RequestIds.resolve(ctx.request()));
      ex = created;
      ctx.put(KEY, created);
      ctx.addEndHandler(ar -> finish(ctx, created, ar));
    }
    HttpServerResponse response = ctx.response();
    if (!response.headWritten()) {
      Exchange e = ex;
      // A reroute clears the response headers and the headers-end handlers: (re)install both.
      response.putHeader(REQUEST_ID_HEADER, ex.requestId);
      if (ex.headersHandler >= 0) ctx.removeHeadersEndHandler(ex.headersHandler);
      ex.headersHandler = ctx.addHeadersEndHandler(v -> onHeaders(ctx, e));
    }
    return ex;
  }

  private void onHeaders(RoutingContext ctx, Exchange ex) {
    try {
      ex.headersNanos = System.nanoTime();
      ex.atHeaders = ctx.currentRoute();
      HttpServerResponse response = ctx.response();
      ex.streamed = response.isChunked() || !response.headers().contains(HttpHeaders.CONTENT_LENGTH);
      if (!response.headers().contains(REQUEST_ID_HEADER)) response.putHeader(REQUEST_ID_HEADER, ex.requestId);
    } catch (RuntimeException e) {
      internalError("writing headers", e);
    }
  }

  // ------------------------------------------------------------------ reporting

  private void finish(RoutingContext ctx, Exchange ex, AsyncResult<Void> ended) {
    if (ex.finished) return;
    ex.finished = true;
    try {
      reporter.report(ctx, ex, ended);
    } catch (RuntimeException e) {
      internalError("reporting a request", e);
    }
  }

  private void internalError(String what, RuntimeException e) {
    internalErrors.increment();
    LOG.log(Level.WARNING, "Spark's web integration failed while " + what + " (the request is not affected)", e);
  }
}
