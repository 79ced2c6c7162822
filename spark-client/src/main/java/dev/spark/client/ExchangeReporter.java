package dev.spark.client;

import dev.spark.bus.Addresses;
import dev.spark.event.EventType;
import dev.spark.event.UuidV7;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * What {@link SparkWeb} sends when a request has ended: the access-log entry (batched), and a
 * {@code server-error} or {@code rate-limit} event, all fire-and-forget.
 */
final class ExchangeReporter {
  private final SparkClient client;
  private final SparkWebOptions options;
  private final RouteFeatures features;
  private final AccessBatcher batcher;
  private final SparkClient.RefusalListener onRefused;
  private final BiConsumer<String, RuntimeException> internalError;
  final LongAdder accessLogs = new LongAdder();
  final LongAdder events = new LongAdder();

  ExchangeReporter(SparkClient client, SparkWebOptions options, RouteFeatures features, AccessBatcher batcher,
      SparkClient.RefusalListener onRefused, BiConsumer<String, RuntimeException> internalError) {
    this.client = client;
    this.options = options;
    this.features = features;
    this.batcher = batcher;
    this.onRefused = onRefused;
    this.internalError = internalError;
  }

  /** Reports a request that has ended (or whose connection closed). */
  void report(RoutingContext ctx, Exchange ex, AsyncResult<Void> ended) {
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
    String method = RequestDetails.method(req);
    String path = RequestDetails.path(req);
    String feature = features.feature(ctx, ex.atHeaders, ex.failed);
    String ip = RequestDetails.ip(req, options.getTrustedProxies());
    String userAgent = req.getHeader(HttpHeaders.USER_AGENT);
    Object input = options.isCaptureInput() ? RequestDetails.input(ctx, options.getMaxInputBodyBytes()) : null;
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
    event.put("eventId", UuidV7.next()); // a retry of this event is stored once
    client.handOver(Addresses.INGEST_EVENT, event, 1, onRefused);
    tap(event);
  }

  private void tap(JsonObject json) {
    Handler<JsonObject> tap = options.getTap();
    if (tap == null) return;
    try {
      tap.handle(json);
    } catch (RuntimeException e) {
      internalError.accept("calling the tap", e);
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
}
