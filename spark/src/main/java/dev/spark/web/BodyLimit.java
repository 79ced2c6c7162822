package dev.spark.web;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * A route's body handler with its size limit named, so that a 413 says which limit the body passed
 * ({@code ingest.maxBodyBytes}, the login form's, ...) and how large it is.
 */
final class BodyLimit implements Handler<RoutingContext> {
  private static final String KEY = "spark.bodyLimit";

  private final BodyHandler body;
  private final String description;

  private BodyLimit(long bytes, String name) {
    this.body = BodyHandler.create(false).setBodyLimit(bytes);
    this.description = name + " (" + bytes + " bytes)";
  }

  static BodyLimit of(long bytes, String name) {
    return new BodyLimit(bytes, name);
  }

  @Override
  public void handle(RoutingContext ctx) {
    ctx.put(KEY, description);
    body.handle(ctx);
    // Broken framing or a client gone mid-body: answered (or just closed) here, logged at FINE. Left to
    // the body handler it becomes a router failure that Vert.x logs at SEVERE with a stack trace.
    if (!ctx.request().isEnded()) ctx.request().exceptionHandler(e -> SparkRouter.endedEarly(ctx, e));
  }

  /** The 413 message for the route that refused the body. */
  static String tooLarge(RoutingContext ctx) {
    String limit = ctx.get(KEY);
    return "The request body is larger than " + (limit == null ? "this endpoint accepts" : limit);
  }
}
