package dev.spark.web;

import dev.spark.event.ValidationException;
import dev.spark.ingest.IngestFailures;
import dev.spark.ingest.IngestResult;
import dev.spark.ingest.Ingestor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.function.Function;

/** {@code POST /events} and {@code POST /access}: one JSON object or an array, answered after commit. */
public final class IngestRoutes {
  private IngestRoutes() {}

  /**
   * @param scope what the in-flight budget ({@code maxInFlightBytes}) is shared by: the web instances
   *              of one Spark give the same scope
   */
  public static Router router(Vertx vertx, Ingestor ingestor, TokenAuth auth, long maxBodyBytes, long maxInFlightBytes, String scope) {
    Router router = Router.router(vertx);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
    IngestAdmission admission = new IngestAdmission(vertx, scope, maxInFlightBytes, maxBodyBytes);
    router.post("/events").handler(auth).handler(admission).handler(body).handler(ctx -> ingest(ctx, ingestor::events));
    router.post("/access").handler(auth).handler(admission).handler(body).handler(ctx -> ingest(ctx, ingestor::access));
    return router;
  }

  private static void ingest(RoutingContext ctx, Function<Object, Future<IngestResult>> ingest) {
    Buffer raw = ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      ApiResponses.error(ctx, 400, "invalid_input", "The request body is empty: send a JSON object or an array of objects");
      return;
    }
    Object parsed;
    try {
      parsed = Json.decodeValue(raw);
    } catch (DecodeException e) {
      ApiResponses.error(ctx, 400, "invalid_json", "The request body is not valid JSON: " + firstLine(e.getMessage()));
      return;
    }
    if (!(parsed instanceof JsonObject) && !(parsed instanceof JsonArray)) {
      ApiResponses.error(ctx, 400, "invalid_input", "Send a JSON object or an array of objects");
      return;
    }
    ingest.apply(parsed).onComplete(ar -> {
      if (ar.succeeded()) {
        ApiResponses.json(ctx, 200, ar.result().toJson());
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

  private static String firstLine(String message) {
    if (message == null) return "";
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
