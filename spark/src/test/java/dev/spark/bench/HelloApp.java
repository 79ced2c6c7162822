package dev.spark.bench;

import dev.spark.client.SparkClient;
import dev.spark.client.SparkWeb;
import dev.spark.client.SparkWebOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.LoggerFormat;
import io.vertx.ext.web.handler.LoggerHandler;

import java.util.Queue;

/**
 * The integration benchmark's hello-world app ({@code GET /hello} → {@code Hello, World!}); with a
 * client, SparkWeb is installed on its router; with {@code accessLogger}, Vert.x Web's own
 * {@link LoggerHandler} logs a line per request instead (see {@link AccessLogFile}).
 */
final class HelloApp extends VerticleBase {
  private static final JsonArray NO_IDS = new JsonArray();

  private final int port;
  private final SparkClient client;
  private final SparkWebOptions options;
  private final Queue<SparkWeb> webs;
  private final boolean accessLogger;

  HelloApp(int port, SparkClient client, SparkWebOptions options, Queue<SparkWeb> webs, boolean accessLogger) {
    this.port = port;
    this.client = client;
    this.options = options;
    this.webs = webs;
    this.accessLogger = accessLogger;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    if (client != null) webs.add(SparkWeb.install(router, client, options));
    if (accessLogger) router.route().handler(LoggerHandler.create(LoggerFormat.DEFAULT));
    router.get("/hello").setName("hello").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; charset=utf-8")
        .end("Hello, World!"));
    return vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true)).requestHandler(router).listen(port, "127.0.0.1");
  }

  /** The load's side: one {@code GET /hello}, ok only for a 200 "Hello, World!". */
  static Future<ClosedLoop.Outcome> get(HttpClientAgent http) {
    return http.request(HttpMethod.GET, "/hello")
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(body -> resp.statusCode() == 200 && body.length() == 13
            ? ClosedLoop.Outcome.ok(NO_IDS)
            : ClosedLoop.Outcome.failed(resp.statusCode(), body.toString())));
  }
}
