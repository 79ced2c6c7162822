package dev.spark.web;

import dev.spark.config.SparkConfig;
import dev.spark.event.ValidationException;
import dev.spark.ingest.IngestFailures;
import dev.spark.ingest.sentry.SentryIngest;
import dev.spark.ingest.sentry.SentryKeys;
import dev.spark.ingest.sentry.SentryRejection;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.SecurityPolicyHandler;

import java.util.Set;
import java.util.function.Supplier;

/**
 * Sentry's ingest endpoints on Spark's port, so an application with a Sentry SDK reports here by
 * changing its DSN to {@code http://<key>@<host>:<port>/<project>}: {@code POST /api/<project>/envelope/}
 * and the older {@code POST /api/<project>/store/}. Answered 200 {@code {"id": "<event_id>"}} once
 * the rows are committed (Sentry's SDKs count anything else, 202 included, as a failed send), 429
 * with {@code Retry-After} and {@code X-Sentry-Rate-Limits} when Spark cannot take more.
 */
final class SentryRoutes {
  static final String RATE_LIMITS = "X-Sentry-Rate-Limits";
  /** Every category, the whole organisation, for one second. */
  static final String RATE_LIMITED_1S = "1::organization";
  private static final String ENVELOPE = "/api/([0-9]+)/envelope/?";
  private static final String STORE = "/api/([0-9]+)/store/?";
  private static final String KEY = "spark.sentryKey";
  /** Bodies above this (or compressed ones above a few KB) are decoded and mapped on a worker thread. */
  private static final int OFF_LOOP_BYTES = 256 * 1024;
  private static final int OFF_LOOP_ENCODED_BYTES = 8 * 1024;

  private interface Prepare {
    SentryIngest.Prepared apply(byte[] raw, String contentEncoding, int project, String key);
  }

  private SentryRoutes() {}

  static Router router(Vertx vertx, SentryIngest sentry, SentryKeys keys, SparkConfig.Ingest cfg, String scope) {
    Router router = Router.router(vertx);
    if (!cfg.allowedOrigins().isEmpty()) {
      router.routeWithRegex(ENVELOPE).setName("/api/:project/envelope/").handler(CorsHandler.create().addOrigins(cfg.allowedOrigins())
          .allowedMethods(Set.of(HttpMethod.POST, HttpMethod.OPTIONS))
          .allowedHeaders(Set.of("Content-Type", "Content-Encoding", "X-Sentry-Auth", "Authorization", "sentry-trace", "baggage"))
          .exposedHeaders(Set.of(RATE_LIMITS, "Retry-After"))
          .maxAgeSeconds(3600));
    }
    // The same admission (ingest.maxInFlightBytes, maxBodyBytes, bodyTimeoutMs) as POST /api/v1/events; it reads the body.
    IngestAdmission admission = new IngestAdmission(vertx, scope, cfg.maxInFlightBytes(), cfg.maxBodyBytes(), cfg.bodyTimeoutMs(), true);
    SecurityPolicyHandler keyCheck = ctx -> checkRequestKey(ctx, keys);
    // Named by their path pattern, which a regex route lacks (AccessControlTest lists routes by it).
    router.routeWithRegex(HttpMethod.POST, ENVELOPE).setName("/api/:project/envelope/").handler(keyCheck).handler(admission)
        .handler(ctx -> ingest(vertx, ctx, sentry::envelope, sentry));
    router.routeWithRegex(HttpMethod.POST, STORE).setName("/api/:project/store/").handler(keyCheck).handler(admission)
        .handler(ctx -> ingest(vertx, ctx, sentry::store, sentry));
    return router;
  }

  /** A key sent in the headers or query string is checked before the body is read; none may still come in the envelope. */
  private static void checkRequestKey(RoutingContext ctx, SentryKeys keys) {
    HttpServerRequest req = ctx.request();
    String key = SentryKeys.fromRequest(req.getHeader("X-Sentry-Auth"), req.getHeader("Authorization"),
        ctx.queryParams().get("sentry_key"));
    if (key != null) {
      try {
        keys.check(key);
      } catch (SentryRejection r) {
        req.resume();
        ApiResponses.error(ctx, r.status(), ApiResponses.codeFor(r.status()), r.getMessage());
        return;
      }
    }
    ctx.put(KEY, key);
    ctx.next();
  }

  private static void ingest(Vertx vertx, RoutingContext ctx, Prepare prepare, SentryIngest sentry) {
    int project;
    try {
      project = Integer.parseInt(ctx.pathParam("param0"));
    } catch (NumberFormatException e) {
      project = 0;
    }
    if (project <= 0) {
      ApiResponses.error(ctx, 400, "invalid_input", "The project in /api/<project>/ must be a positive integer (the DSN's last part)");
      return;
    }
    IngestAdmission.Chunks body = ctx.get(IngestAdmission.BODY);
    byte[] raw = body == null ? new byte[0] : body.bytes();
    String encoding = ctx.request().getHeader("Content-Encoding");
    String key = ctx.get(KEY);
    int p = project;
    boolean offLoop = raw.length > OFF_LOOP_BYTES || (raw.length > OFF_LOOP_ENCODED_BYTES && encoding != null);
    Future<SentryIngest.Prepared> prepared = offLoop
        ? vertx.executeBlocking(() -> prepare.apply(raw, encoding, p, key), false)
        : now(() -> prepare.apply(raw, encoding, p, key));
    prepared.compose(ready -> sentry.commit(ready, offLoop)).onComplete(ar -> {
      if (ar.succeeded()) {
        ApiResponses.json(ctx, 200, new JsonObject().put("id", ar.result()));
      } else {
        fail(ctx, ar.cause());
      }
    });
  }

  private static Future<SentryIngest.Prepared> now(Supplier<SentryIngest.Prepared> prepare) {
    try {
      return Future.succeededFuture(prepare.get());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static void fail(RoutingContext ctx, Throwable cause) {
    if (cause instanceof SentryRejection r) {
      if (r.status() == 401) ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"spark\"");
      ApiResponses.error(ctx, r.status(), ApiResponses.codeFor(r.status()), r.getMessage());
      return;
    }
    if (cause instanceof ValidationException invalid) {
      ApiResponses.json(ctx, 400, invalid.toJson());
      return;
    }
    int status = IngestFailures.status(cause);
    if (status == 503) {
      ctx.response().putHeader("Retry-After", "1").putHeader(RATE_LIMITS, RATE_LIMITED_1S);
      status = 429;
    }
    ApiResponses.error(ctx, status, ApiResponses.codeFor(status), IngestFailures.message(cause));
  }
}
