package dev.spark.web;

import dev.spark.event.InputText;
import dev.spark.event.ValidationException;
import dev.spark.query.QueryParams;
import dev.spark.stream.SseHub;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /stream}: Server-Sent Events. {@code Last-Event-ID} (or {@code ?since=N}) resumes
 * after event N; {@code ?observe=true} watches without consuming.
 */
public final class StreamRoutes {
  private static final int WRITE_QUEUE_BYTES = 1024 * 1024;

  private StreamRoutes() {}

  public static Router router(Vertx vertx, SseHub hub, TokenAuth auth) {
    Router router = Router.router(vertx);
    router.get("/stream").handler(auth).handler(ctx -> open(ctx, hub));
    return router;
  }

  private static void open(RoutingContext ctx, SseHub hub) {
    QueryParams q = new QueryParams(ctx);
    Long since;
    Boolean observe;
    try {
      since = resumeFrom(ctx, q);
      observe = q.bool("observe");
    } catch (ValidationException e) {
      ApiResponses.json(ctx, 400, e.toJson());
      return;
    }
    HttpServerResponse response = ctx.response()
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache, no-store")
        .putHeader("X-Accel-Buffering", "no")
        .setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
    hub.open(response, Boolean.TRUE.equals(observe), since, String.valueOf(ctx.request().remoteAddress()));
  }

  private static Long resumeFrom(RoutingContext ctx, QueryParams q) {
    String header = ctx.request().getHeader("Last-Event-ID");
    if (header != null && !header.isBlank()) {
      try {
        long id = Long.parseLong(header.trim());
        if (id >= 0) return id;
      } catch (NumberFormatException ignored) {
        // reported below
      }
      throw new ValidationException("Last-Event-ID", "Last-Event-ID must be an event id, 0 or more (got " + InputText.echo(header) + ")");
    }
    return q.integer("since", 0, Long.MAX_VALUE);
  }
}
