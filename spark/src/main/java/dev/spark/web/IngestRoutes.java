package dev.spark.web;

import dev.spark.config.SparkConfig;
import dev.spark.event.InputText;
import dev.spark.event.ValidationException;
import dev.spark.ingest.AccessJson;
import dev.spark.ingest.IngestFailures;
import dev.spark.ingest.IngestResult;
import dev.spark.ingest.Ingestor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.function.BiFunction;

/** {@code POST /events} and {@code POST /access}: one JSON object or an array, answered after commit. */
public final class IngestRoutes {
  private IngestRoutes() {}

  /**
   * Adds {@code POST <prefix>/events} and {@code POST <prefix>/access} to {@code router} itself, answered
   * after commit; {@code scope} is what the in-flight budget ({@code maxInFlightBytes}) is shared by (the
   * web instances of one Spark give the same scope). The embedded server mounts them on its root router
   * with the full path ({@link SparkRouter#withIngest}): a sub-router costs every request a wrapping
   * routing context and a path-parameter map.
   */
  static Router mount(Router router, String prefix, Vertx vertx, Ingestor ingestor, TokenAuth auth, SparkConfig.Ingest cfg,
      String scope) {
    IngestAdmission admission = new IngestAdmission(vertx, scope, cfg.maxInFlightBytes(), cfg.maxBodyBytes(), cfg.bodyTimeoutMs());
    router.post(prefix + "/events").handler(auth).handler(admission).handler(ctx -> ingest(vertx, ctx, null, ingestor::events));
    router.post(prefix + "/access").handler(auth).handler(admission)
        .handler(ctx -> ingest(vertx, ctx, AccessJson.READER, ingestor::access));
    return router;
  }

  /** {inFlightBytes, stalledBytes, stalledRequests} of the ingest budget shared under {@code scope}, for /health. */
  public static JsonObject inFlight(Vertx vertx, String scope) {
    return IngestAdmission.budget(vertx, scope).stats();
  }

  /**
   * Bodies above this are parsed and validated on a worker thread: an 8 MB body held an event loop
   * (and every connection on it) for about a second. Smaller ones stay on the event loop, where they
   * cost less than the hand-over would.
   */
  static final int OFF_LOOP_BYTES = 256 * 1024;

  /** {@code direct}: reads the body's text into what {@code ingest} takes, without the JSON tree (null: the tree). */
  private static void ingest(Vertx vertx, RoutingContext ctx, InputText.TextReader direct,
      BiFunction<Object, Boolean, Future<IngestResult>> ingest) {
    IngestAdmission.Chunks raw = ctx.get(IngestAdmission.BODY);
    if (raw == null || raw.length() == 0) {
      ApiResponses.error(ctx, 400, "invalid_input", "The request body is empty: send a JSON object or an array of objects");
      return;
    }
    boolean offLoop = raw.length() > OFF_LOOP_BYTES;
    Future<Object> parsed = offLoop ? vertx.executeBlocking(() -> decode(raw, direct), false) : decoded(raw, direct);
    parsed.compose(body -> ingest.apply(body, offLoop)).onComplete(ar -> {
      if (ar.succeeded()) {
        ApiResponses.encoded(ctx, 200, ar.result().encode());
        return;
      }
      if (ar.cause() instanceof BadBody bad) {
        ApiResponses.error(ctx, 400, bad.code, bad.getMessage());
        return;
      }
      if (ar.cause() instanceof ValidationException invalid) {
        ApiResponses.json(ctx, 400, invalid.toJson());
        return;
      }
      int status = IngestFailures.status(ar.cause());
      if (status == 503) ctx.response().putHeader("Retry-After", "1");
      ApiResponses.error(ctx, status, ApiResponses.codeFor(status), IngestFailures.message(ar.cause()));
    });
  }

  private static Future<Object> decoded(IngestAdmission.Chunks raw, InputText.TextReader direct) {
    try {
      return Future.succeededFuture(decode(raw, direct));
    } catch (BadBody e) {
      return Future.failedFuture(e);
    }
  }

  private static Object decode(IngestAdmission.Chunks raw, InputText.TextReader direct) {
    Object parsed;
    try {
      parsed = InputText.parseJson(raw.parts(), raw.length(), direct);
      if (parsed instanceof AccessJson.Entries) return parsed;
    } catch (DecodeException e) {
      throw new BadBody("invalid_json", "The request body is not valid JSON: " + clip(firstLine(e.getMessage())));
    } catch (ValidationException e) {
      throw new BadBody("invalid_input", e.getMessage());
    }
    if (!(parsed instanceof JsonObject) && !(parsed instanceof JsonArray)) {
      throw new BadBody("invalid_input", "Send a JSON object or an array of objects");
    }
    return parsed;
  }

  /** A body that is not a JSON object or array: a 400 with this code and message. */
  private static final class BadBody extends RuntimeException {
    final String code;

    BadBody(String code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  /** Jackson's message quotes the offending token; keep it short (and printable). */
  static String clip(String message) {
    return InputText.echo(message, 200);
  }

  private static String firstLine(String message) {
    if (message == null) return "";
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
