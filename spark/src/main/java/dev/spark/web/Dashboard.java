package dev.spark.web;

import dev.spark.config.AgentConfig;
import dev.spark.config.SparkConfig;
import dev.spark.mcp.McpContext;
import dev.spark.mcp.McpRoutes;
import dev.spark.query.DashboardReads;
import dev.spark.query.ReadStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * Everything the dashboard adds to an HTTP server, in one place, so the embedded server
 * ({@link WebVerticle}) and the stand-alone sidecar ({@link DashboardVerticle}) serve the same thing:
 * pages, login and logout, static assets and {@code /metrics} at the root, and the analytics,
 * dashboard and agent endpoints under {@code /api/v1}.
 */
public final class Dashboard {
  /** Embedded: in the Spark that writes the database. Sidecar: a separate process that only reads it. */
  public enum Mode {
    EMBEDDED, SIDECAR;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  final Vertx vertx;
  final SparkConfig cfg;
  final ReadStore reads;
  final DashboardReads dashboardReads;
  final TokenAuth auth;
  final Sessions sessions;
  final LoginThrottle throttle;
  final Mode mode;
  final Supplier<JsonObject> followerStats;

  /**
   * @param auth          the web-token check, built with {@code sessions}
   * @param followerStats sidecar only: the row follower's state, for the health view (null when embedded)
   */
  public Dashboard(Vertx vertx, SparkConfig cfg, String token, ReadStore reads, TokenAuth auth, Sessions sessions, Mode mode,
      Supplier<JsonObject> followerStats) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.reads = reads;
    this.dashboardReads = new DashboardReads(vertx, reads);
    this.auth = auth;
    this.sessions = sessions;
    this.throttle = new LoginThrottle(vertx, Integer.toHexString(token.hashCode()));
    this.mode = mode;
    this.followerStats = followerStats;
  }

  /** Adds {@code /access/stats}, {@code /access/timeline}, {@code /dashboard/*}, {@code /agent/*} and {@code /fixes/*}. */
  public void mountApi(Router api) {
    api.route().subRouter(AccessStatsRoutes.router(vertx, dashboardReads, auth));
    api.route().subRouter(DashboardApiRoutes.router(this));
    api.route().subRouter(AgentRoutes.router(vertx, auth, mode, cfg));
    api.route().subRouter(FixRoutes.router(vertx, auth));
  }

  /** Releases the analytics connections. */
  public Future<Void> close() {
    return dashboardReads.close();
  }

  /** Pages, {@code POST /auth}, {@code POST /logout}, {@code /assets/*} and {@code /metrics}. */
  public Router router() {
    Router router = Router.router(vertx);
    router.route().subRouter(DashboardRoutes.router(vertx, auth, sessions, throttle));
    router.route().subRouter(MetricsRoutes.router(this));
    AgentConfig agent = AgentConfig.fromJson(cfg.json());
    if (agent.mcpEnabled()) router.route().subRouter(McpRoutes.router(new McpContext(vertx, auth,
        BodyLimit.of(1 << 20, "the MCP endpoint's limit"), reads, dashboardReads, mode == Mode.SIDECAR, agent)));
    return router;
  }
}
