package dev.spark.web;

import dev.spark.bus.EventBusCodecs;
import dev.spark.config.ConfigLoader;
import dev.spark.config.RandomTokens;
import dev.spark.config.ServerUrl;
import dev.spark.config.SparkConfig;
import dev.spark.query.ReadStore;
import dev.spark.storage.SqliteDatabase;
import dev.spark.stream.RowFollower;
import dev.spark.stream.SseHub;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The dashboard on its own, as a separate process beside an application that embeds Spark (the
 * seed's "web sidecar"): {@code bin/vertx run dev.spark.web.DashboardVerticle -conf conf/spark.json}.
 * It opens the SQLite file at {@code db.path} read-only in practice (it only ever runs SELECTs; if the
 * file does not exist yet it creates it with Spark's schema, so either process may start first),
 * follows new events by id ({@link RowFollower}) for the live feed, and serves the dashboard, the
 * query API, the analytics endpoints, an observer-only stream, {@code /metrics} and {@code /health} on
 * {@code web.port}. It needs nothing from the process that writes the file, so it keeps serving when
 * that process crashes.
 *
 * <p>It never consumes: agents must connect to the Spark that writes the database (a stream request
 * without {@code observe=true} is answered 409), and ingest is not served here.
 */
public final class DashboardVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(DashboardVerticle.class.getName());
  /** How often the follower looks for new rows: well inside the one second the feed promises. */
  static final long FOLLOW_INTERVAL_MS = 250;

  private ReadStore reads;
  private SseHub hub;
  private RowFollower follower;
  private HttpServer server;
  private Dashboard dashboard;
  private HttpLimits limits;
  private Router root;

  @Override
  public Future<?> start() {
    SparkConfig cfg;
    try {
      cfg = ConfigLoader.load(config(), System.getenv());
    } catch (RuntimeException e) {
      LOG.severe(e.getMessage());
      return Future.failedFuture(e);
    }
    String token = cfg.web().token();
    if (token.isEmpty()) {
      token = RandomTokens.token();
      LOG.warning("No web.token or SPARK_WEB_TOKEN set; this run's API token is " + token + ". Dashboard: " + loginUrl(cfg.web(), token));
    }
    Path path = Path.of(cfg.db().path());
    EventBusCodecs.register(vertx);
    String finalToken = token;
    return vertx.executeBlocking(() -> {
      ensureDatabase(path, cfg.db().synchronous());
      return null;
    }).compose(v -> {
      reads = new ReadStore(vertx, path);
      hub = new SseHub(vertx, reads, cfg.stream());
      follower = new RowFollower(vertx, reads, FOLLOW_INTERVAL_MS);
      root = router(cfg, finalToken);
      server = vertx.createHttpServer(HttpLimits.options(cfg.web()));
      limits = HttpLimits.install(vertx, server, cfg.web(), root);
      return hub.start().compose(x -> follower.start()).compose(x -> server.listen());
    }).onSuccess(s -> LOG.info("Spark dashboard (sidecar) on http://" + cfg.web().host() + ":" + s.actualPort()
        + ", reading " + path.toAbsolutePath()));
  }

  /** Every route this server serves (AccessControlTest walks it to check each one has an entry in its table). */
  Router routes() {
    return root;
  }

  private Router router(SparkConfig cfg, String token) {
    Sessions sessions = new Sessions(vertx, token);
    TokenAuth auth = TokenAuth.required(token, "web.token", sessions);
    dashboard = new Dashboard(vertx, cfg, token, reads, auth, sessions, Dashboard.Mode.SIDECAR, follower::stats);

    SparkRouter router = SparkRouter.create(vertx, cfg);
    Router api = router.api();
    api.get("/stream").handler(auth).handler(ctx -> {
      if ("true".equalsIgnoreCase(ctx.request().getParam("observe"))) {
        ctx.next();
        return;
      }
      ApiResponses.error(ctx, 409, "conflict", "This is Spark's read-only dashboard sidecar: it never consumes events. "
          + "Connect agents to the Spark that writes the database, or add ?observe=true to watch.");
    });
    api.post("/issues/:fingerprint/:action").handler(auth).handler(ctx ->
        ApiResponses.error(ctx, 409, "conflict", "This is Spark's read-only dashboard sidecar: it never writes. "
            + "Resolve, mute or reopen issues on the Spark that writes the database."));
    router.readApi(vertx, reads, hub, auth);
    router.api(AlertRoutes.sidecar(vertx, cfg.json(), System.getenv(), reads, auth));
    router.root().get("/health").handler(ctx -> reads.counts().onComplete(ar -> {
      JsonObject body = new JsonObject().put("mode", "sidecar").put("follower", follower.stats());
      if (ar.succeeded()) {
        ApiResponses.json(ctx, 200, body.put("status", "UP").put("db", ar.result().put("path", reads.path().toAbsolutePath().toString())));
      } else {
        ApiResponses.json(ctx, 503, body.put("status", "DOWN").put("db", new JsonObject().put("status", "DOWN")
            .put("reason", String.valueOf(ar.cause().getMessage()))));
      }
    }));
    return router.build(dashboard);
  }

  @Override
  public Future<?> stop() {
    if (follower != null) follower.stop();
    if (limits != null) limits.stop();
    Future<?> hubStopped = hub == null ? Future.succeededFuture() : hub.stop();
    return hubStopped
        .compose(v -> server == null ? Future.succeededFuture() : server.shutdown(5, TimeUnit.SECONDS))
        .compose(v -> dashboard == null ? Future.succeededFuture() : dashboard.close())
        .compose(v -> reads == null ? Future.succeededFuture() : reads.close());
  }

  /** Creates the file with Spark's schema when it is missing or empty; an existing database is only read. */
  private static void ensureDatabase(Path path, String synchronous) throws Exception {
    if (Files.exists(path) && Files.size(path) > 0) return;
    try (SqliteDatabase created = SqliteDatabase.open(path, synchronous)) {
      LOG.info("Created an empty Spark database at " + created.path().toAbsolutePath());
    }
  }

  /**
   * The ready-to-click login link: the token travels in the URL fragment, which the browser never
   * sends; the login page posts it to {@code /auth} and then drops it from the address bar.
   */
  public static String loginUrl(SparkConfig.Web web, String token) {
    return ServerUrl.of(web) + "/login#token=" + token;
  }
}
