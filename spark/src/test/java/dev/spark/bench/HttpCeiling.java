package dev.spark.bench;

import dev.spark.config.ConfigLoader;
import dev.spark.config.SparkConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.BitSet;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP ceiling for (d): a bare Vert.x HTTP server that takes {@code POST /api/v1/events}, reads
 * the whole body and answers what Spark answers for one stored event ({@code {"ids":[n],"stored":1,
 * "ignored":0}}, same headers), storing nothing. It runs as Spark's web server does: on the same
 * Vert.x, {@link SparkServer#WEB_INSTANCES} verticle instances sharing the port, with the
 * {@code HttpServerOptions} Spark's {@code HttpLimits.options} builds from the default {@code web}
 * settings (no compression, no h2c, the same request-line and header limits). Two shapes:
 * <ul>
 *   <li>plain: one {@code HttpServer} request handler ({@code request.body()});</li>
 *   <li>router: a Vert.x Web {@code Router} with one route, {@code BodyHandler} then the answer.</li>
 * </ul>
 * Every instance hands out its own ids (instance i of n answers i, i + n, i + 2n, ...) and remembers
 * them, so the client's count can be checked against what the server answered.
 */
final class HttpCeiling implements BareServer {
  static final String PATH = "/api/v1/events";

  final int port;
  private final Vertx vertx;
  private final String deploymentId;
  private final Tally tally;

  private HttpCeiling(Vertx vertx, int port, String deploymentId, Tally tally) {
    this.vertx = vertx;
    this.port = port;
    this.deploymentId = deploymentId;
    this.tally = tally;
  }

  static HttpCeiling start(Vertx vertx, boolean router) {
    int port = SparkServer.freePort();
    SparkConfig cfg = ConfigLoader.load(new JsonObject().put("web", new JsonObject().put("port", port)), Map.of());
    SparkConfig.Web web = cfg.web();
    HttpServerOptions options = new HttpServerOptions().setHost(web.host()).setPort(port).setCompressionSupported(false)
        .setHttp2ClearTextEnabled(false)
        .setMaxInitialLineLength(web.maxInitialLineBytes())
        .setMaxHeaderSize(web.maxHeaderBytes());
    long bodyLimit = cfg.ingest().maxBodyBytes();
    Tally tally = new Tally();
    AtomicInteger index = new AtomicInteger();
    String id = Bench.await(vertx.deployVerticle(() -> new Server(options, router, bodyLimit, index.getAndIncrement(), tally),
        new DeploymentOptions().setInstances(SparkServer.WEB_INSTANCES)), 60);
    return new HttpCeiling(vertx, port, id, tally);
  }

  @Override
  public void stop() {
    Bench.await(vertx.undeploy(deploymentId), 60);
  }

  @Override
  public String note() {
    return String.format(Locale.ROOT, "stores nothing; %,.0f body bytes per request read", tally.bytes() / (double) Math.max(1, tally.count()));
  }

  @Override
  public RunStats.Verification verify(BitSet acked) {
    return tally.verify(acked);
  }

  /** What every instance answered, added when it stops. */
  static final class Tally {
    private final BitSet ids = new BitSet();
    private long bytes;

    /**
     * The ids the client counted against the ids answered: "missing" are ids the client counted that
     * the server never gave, "extra" answers the client never counted.
     */
    synchronized RunStats.Verification verify(BitSet acked) {
      BitSet missing = (BitSet) acked.clone();
      missing.andNot(ids);
      BitSet extra = (BitSet) ids.clone();
      extra.andNot(acked);
      return new RunStats.Verification("answers", ids.cardinality(), acked.cardinality(), missing.cardinality(),
          extra.cardinality(), null);
    }

    synchronized void add(BitSet answered, long bodyBytes) {
      ids.or(answered);
      bytes += bodyBytes;
    }

    synchronized BitSet ids() {
      return (BitSet) ids.clone();
    }

    synchronized long count() {
      return ids.cardinality();
    }

    synchronized long bytes() {
      return bytes;
    }
  }

  /** One instance; its fields are touched by its own event loop only. */
  private static final class Server extends VerticleBase {
    private final HttpServerOptions options;
    private final boolean useRouter;
    private final long bodyLimit;
    private final Tally tally;
    private final BitSet answered = new BitSet();
    private long nextId;
    private long bodyBytes;

    Server(HttpServerOptions options, boolean useRouter, long bodyLimit, int index, Tally tally) {
      this.options = options;
      this.useRouter = useRouter;
      this.bodyLimit = bodyLimit;
      this.nextId = index;
      this.tally = tally;
    }

    @Override
    public Future<?> start() {
      Handler<HttpServerRequest> handler;
      if (useRouter) {
        Router router = Router.router(vertx);
        router.post(PATH).handler(BodyHandler.create(false).setBodyLimit(bodyLimit))
            .handler(ctx -> answer(ctx.response(), ctx.body().buffer()));
        handler = router;
      } else {
        handler = req -> {
          if (req.method() != HttpMethod.POST || !PATH.equals(req.path())) {
            req.response().setStatusCode(404).end();
            return;
          }
          req.body().onSuccess(body -> answer(req.response(), body));
        };
      }
      return vertx.createHttpServer(options).requestHandler(handler).listen();
    }

    private void answer(HttpServerResponse response, Buffer body) {
      if (body == null || body.length() == 0) {
        response.setStatusCode(400).end();
        return;
      }
      long id = nextId;
      nextId += SparkServer.WEB_INSTANCES;
      answered.set((int) id);
      bodyBytes += body.length();
      response.putHeader("Content-Type", "application/json; charset=utf-8").putHeader("Cache-Control", "no-store")
          .end("{\"ids\":[" + id + "],\"stored\":1,\"ignored\":0}");
    }

    @Override
    public Future<?> stop() {
      tally.add(answered, bodyBytes);
      return Future.succeededFuture();
    }
  }
}
