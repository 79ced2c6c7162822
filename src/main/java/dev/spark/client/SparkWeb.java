package dev.spark.client;

import dev.spark.bus.Addresses;
import dev.spark.event.EventType;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

import java.util.List;
import java.util.Locale;
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
 * bus after the response has ended, any exception in this code is caught, and what Spark does not
 * confirm is counted in {@link #refused()}. Sends use {@code request} with a reply handler that only
 * counts failures, not {@code send}: with {@code send} a stopped Spark or a full queue would be
 * silent. The cost of the reply is paid once per batch of access-log entries.
 */
public final class SparkWeb {
  /** The request-id header, read and echoed. */
  public static final String REQUEST_ID_HEADER = RequestIds.REQUEST_ID;
  private static final String KEY = "dev.spark.client.SparkWeb.exchange";
  private static final Logger LOG = Logger.getLogger(SparkWeb.class.getName());

  private final SparkClient client;
  private final SparkWebOptions options;
  private final Route route;
  private final RouteFeatures features;
  private final AccessBatcher batcher;
  private final LongAdder refused = new LongAdder();
  private final LongAdder accessLogs = new LongAdder();
  private final LongAdder events = new LongAdder();
  private final LongAdder internalErrors = new LongAdder();
  private final SparkClient.RefusalListener onRefused;

  /** What this integration remembers about one request. */
  private static final class Exchange {
    final long startNanos;
    final long startMillis;
    final String requestId;
    int headersHandler = -1;
    long headersNanos;
    boolean streamed;
    Route atHeaders;
    boolean failed;
    Throwable failure;
    boolean finished;

    Exchange(String requestId) {
      this.startNanos = System.nanoTime();
      this.startMillis = System.currentTimeMillis();
      this.requestId = requestId;
    }
  }

  private SparkWeb(Router router, SparkClient client, SparkWebOptions options) {
    this.client = client;
    this.options = options;
    Handler<Throwable> appHandler = options.getRefusalHandler();
    this.onRefused = (items, cause) -> {
      refused.add(items);
      if (appHandler != null) appHandler.handle(cause);
    };
    this.batcher = new AccessBatcher(client, options.getAccessBatchSize(), options.getAccessFlushMs(), onRefused);
    this.route = router.route().order(Integer.MIN_VALUE);
    this.features = new RouteFeatures(router, route);
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
   * Access-log entries and events that Spark did not confirm (refused, not listening, no answer in
   * time, or not sendable). The app's requests are never affected by them.
   */
  public long refused() {
    return refused.sum();
  }

  /** Access-log entries handed to Spark so far (sent or waiting in the current batch). */
  public long accessLogs() {
    return accessLogs.sum();
  }

  /** {@code server-error} and {@code rate-limit} events sent so far. */
  public long events() {
    return events.sum();
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
      report(ctx, ex, ended);
    } catch (RuntimeException e) {
      internalError("reporting a request", e);
    }
  }

  private void report(RoutingContext ctx, Exchange ex, AsyncResult<Void> ended) {
    long end = System.nanoTime();
    HttpServerResponse resp = ctx.response();
    int status = resp.getStatusCode();
    boolean statusValid = status >= 100 && status <= 599;
    Throwable failure = ex.failure;
    boolean thrown = failure != null && !(failure instanceof HttpException he && he.getStatusCode() < 500);
    boolean rateLimited = status == 429 || failure instanceof HttpException he429 && he429.getStatusCode() == 429;
    boolean rateLimitEvent = rateLimited && options.isRateLimits();
    boolean serverErrorEvent = !rateLimited && options.isServerErrors() && (status >= 500 || thrown || !statusValid);
    if (!options.isAccessLog() && !rateLimitEvent && !serverErrorEvent) return;

    HttpServerRequest req = ctx.request();
    long durationNanos = (ex.headersNanos != 0 && ex.streamed ? ex.headersNanos : end) - ex.startNanos;
    String method = method(req);
    String path = path(req);
    String feature = features.feature(ctx, ex.atHeaders, ex.failed);
    String ip = ip(req);
    String userAgent = req.getHeader(HttpHeaders.USER_AGENT);
    Object input = options.isCaptureInput() ? input(ctx) : null;
    String error = errorText(ex, status, resp, ended, statusValid);

    if (options.isAccessLog()) {
      JsonObject entry = new JsonObject()
          .put("timestamp", ex.startMillis)
          .put("method", method)
          .put("path", path)
          .put("status", statusValid ? status : 500)
          .put("durationMs", Math.round(durationNanos / 1e3) / 1e3) // to the microsecond
          .put("requestId", ex.requestId);
      if (ip != null) entry.put("ip", ip);
      if (feature != null) entry.put("feature", feature);
      if (userAgent != null) entry.put("userAgent", userAgent);
      if (input != null) entry.put("input", input);
      if (error != null) entry.put("error", error);
      accessLogs.increment();
      batcher.add(entry);
      tap(entry);
    }

    if (rateLimitEvent) {
      sendEvent(rateLimit(ex, method, path, feature, ip, userAgent, resp));
    } else if (serverErrorEvent) {
      JsonObject err = new JsonObject();
      if (failure != null) {
        err.put("message", failureMessage(failure))
            .put("type", failure.getClass().getName())
            .put("stack", Throwables.stackTrace(failure));
      } else {
        err.put("message", error != null ? error : "HTTP " + status);
      }
      JsonObject request = new JsonObject().put("method", method).put("path", path).put("requestId", ex.requestId);
      if (ip != null) request.put("ip", ip);
      if (userAgent != null) request.put("userAgent", userAgent);
      if (input != null) request.put("input", input);
      JsonObject event = new JsonObject()
          .put("type", EventType.SERVER_ERROR.wire())
          .put("traceId", ex.requestId)
          .put("route", method + " " + path)
          .put("status", statusValid ? status : 500)
          .put("error", err)
          .put("request", request);
      if (feature != null) event.put("feature", feature);
      sendEvent(event);
    }
  }

  private JsonObject rateLimit(Exchange ex, String method, String path, String feature, String ip, String userAgent,
      HttpServerResponse resp) {
    MultiMap h = resp.headers();
    JsonObject event = new JsonObject()
        .put("type", EventType.RATE_LIMIT.wire())
        .put("traceId", ex.requestId)
        .put("route", method + " " + path)
        .put("status", 429);
    if (feature != null) event.put("feature", feature);
    if (ip != null) event.put("ip", ip);
    putHeaderValue(event, "limit", h, "X-RateLimit-Limit", "RateLimit-Limit");
    putHeaderValue(event, "remaining", h, "X-RateLimit-Remaining", "RateLimit-Remaining");
    putHeaderValue(event, "retryAfter", h, "Retry-After");
    JsonObject request = new JsonObject().put("method", method).put("path", path).put("requestId", ex.requestId);
    if (userAgent != null) request.put("userAgent", userAgent);
    return event.put("request", request);
  }

  /** The first of {@code names} present, as a number when it is one, else as text. */
  private static void putHeaderValue(JsonObject event, String key, MultiMap headers, String... names) {
    for (String name : names) {
      String v = headers.get(name);
      if (v == null || v.isBlank()) continue;
      String t = v.trim();
      try {
        event.put(key, Long.parseLong(t));
      } catch (NumberFormatException notANumber) {
        event.put(key, t);
      }
      return;
    }
  }

  private void sendEvent(JsonObject event) {
    events.increment();
    client.handOver(Addresses.INGEST_EVENT, event.put("eventId", dev.spark.event.UuidV7.next()), 1, onRefused); // retries stored once
    tap(event);
  }

  private void tap(JsonObject json) {
    Handler<JsonObject> tap = options.getTap();
    if (tap == null) return;
    try {
      tap.handle(json);
    } catch (RuntimeException e) {
      internalError("calling the tap", e);
    }
  }

  private static String errorText(Exchange ex, int status, HttpServerResponse resp, AsyncResult<Void> ended, boolean statusValid) {
    if (ex.failure != null) return failureMessage(ex.failure);
    if (!statusValid) return "non-standard HTTP status " + status;
    if (ex.failed && status >= 400 || status >= 500) return "HTTP " + status + " " + resp.getStatusMessage();
    if (ended.failed()) return "response not completed: " + ended.cause().getMessage();
    return null;
  }

  /** An {@link HttpException}'s payload is the app's own message ("Client Error (418)" is not). */
  private static String failureMessage(Throwable failure) {
    if (failure instanceof HttpException he && he.getPayload() != null && !he.getPayload().isBlank()) return he.getPayload();
    return Throwables.message(failure);
  }

  // ------------------------------------------------------------------ request details

  /** Spark requires a method of 1 to 32 characters and a non-blank path: keep entries valid. */
  private static String method(HttpServerRequest req) {
    String m = req.method() == null ? "UNKNOWN" : req.method().name();
    return m.length() > 32 ? m.substring(0, 32) : m;
  }

  private static String path(HttpServerRequest req) {
    String p = req.path();
    return p == null || p.isBlank() ? "-" : p;
  }

  private String ip(HttpServerRequest req) {
    int trusted = options.getTrustedProxies();
    if (trusted > 0) {
      List<String> forwarded = req.headers().getAll("X-Forwarded-For");
      if (!forwarded.isEmpty()) {
        String[] hops = String.join(",", forwarded).split(",");
        int at = Math.max(0, hops.length - trusted);
        String hop = hops[at].trim();
        if (!hop.isEmpty()) return hop;
      }
    }
    SocketAddress remote = req.remoteAddress();
    return remote == null ? null : remote.host();
  }

  /**
   * Query parameters (one value as a string, several as an array) and the JSON body: an object's
   * fields are merged in (a body field wins over a query parameter of the same name), anything else
   * goes under {@code body}. Null when there is neither. Spark redacts and caps it.
   */
  private Object input(RoutingContext ctx) {
    JsonObject in = null;
    String query = ctx.request().query();
    if (query != null && !query.isEmpty()) {
      try {
        MultiMap params = ctx.queryParams();
        for (String name : params.names()) {
          List<String> values = params.getAll(name);
          if (in == null) in = new JsonObject();
          in.put(name, values.size() == 1 ? values.get(0) : new JsonArray(List.copyOf(values)));
        }
      } catch (RuntimeException malformed) {
        // a query string Vert.x cannot decode: leave it out
      }
    }
    RequestBody body = ctx.body();
    if (body != null && body.available() && body.length() > 0 && body.length() <= options.getMaxInputBodyBytes() && jsonish(ctx)) {
      try {
        Object json = Json.decodeValue(body.buffer());
        if (in == null) in = new JsonObject();
        if (json instanceof JsonObject obj) {
          for (String key : obj.fieldNames()) in.put(key, obj.getValue(key));
        } else if (json != null) {
          in.put("body", json);
        }
      } catch (DecodeException notJson) {
        // not JSON after all: leave it out
      }
    }
    return in;
  }

  private static boolean jsonish(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    return type == null || type.toLowerCase(Locale.ROOT).contains("json");
  }

  private void internalError(String what, RuntimeException e) {
    internalErrors.increment();
    LOG.log(Level.WARNING, "Spark's web integration failed while " + what + " (the request is not affected)", e);
  }
}
