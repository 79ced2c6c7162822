package dev.spark;

import dev.spark.agent.AgentVerticle;
import dev.spark.bus.EventBusCodecs;
import dev.spark.alerts.AlertsVerticle;
import dev.spark.config.AgentConfig;
import dev.spark.config.AlertsConfig;
import dev.spark.config.ConfigLoader;
import dev.spark.config.RandomTokens;
import dev.spark.config.SparkConfig;
import dev.spark.ingest.IngestVerticle;
import dev.spark.janitor.JanitorVerticle;
import dev.spark.storage.StorageVerticle;
import dev.spark.stream.PollerVerticle;
import dev.spark.web.DashboardVerticle;
import dev.spark.web.WebVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Logger;

/**
 * Spark's main verticle: resolves the configuration (defaults, {@code -conf}, environment), then
 * deploys storage first and the rest once it is open. Stops them in the reverse order, so the HTTP
 * server stops taking requests before storage commits what is queued and closes the database.
 */
public final class SparkVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(SparkVerticle.class.getName());

  private final List<String> deployed = new ArrayList<>();
  private final Clock clock;
  private SparkConfig cfg;
  private AgentConfig agentCfg;

  public SparkVerticle() {
    this(Clock.systemUTC());
  }

  /** With the clock storage decides issue cooldowns by (tests pass one they move by hand). */
  public SparkVerticle(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    try {
      cfg = ConfigLoader.load(config(), System.getenv());
      agentCfg = AgentConfig.fromJson(cfg.json());
      AlertsConfig.fromJson(cfg.json(), System.getenv());
    } catch (RuntimeException e) {
      LOG.severe(e.getMessage());
      return Future.failedFuture(e);
    }
    JsonObject resolved = cfg.json().copy();
    if (cfg.web().token().isEmpty()) {
      String token = RandomTokens.token();
      resolved.getJsonObject("web").put("token", token);
      LOG.warning("No web.token or SPARK_WEB_TOKEN set; this run's API token is " + token
          + (cfg.web().enabled() ? ". Dashboard: " + DashboardVerticle.loginUrl(cfg.web(), token) : ""));
    }
    EventBusCodecs.register(vertx);
    DeploymentOptions once = new DeploymentOptions().setConfig(resolved);
    Future<?> started = vertx.deployVerticle(new StorageVerticle(clock), once).onSuccess(deployed::add)
        .compose(v -> deploy(PollerVerticle.class.getName(), once))
        .compose(v -> deploy(JanitorVerticle.class.getName(), once))
        .compose(v -> deploy(AlertsVerticle.class.getName(), once))
        .compose(v -> deploy(IngestVerticle.class.getName(),
            new DeploymentOptions().setConfig(resolved).setInstances(cfg.ingest().instances())));
    if (cfg.web().enabled()) {
      started = started.compose(v -> deploy(WebVerticle.class.getName(),
          new DeploymentOptions().setConfig(resolved).setInstances(cfg.web().instances())));
    }
    if (agentCfg.enabled()) {
      // Last, so the HTTP API it is told about is up. It never fails Spark's start: without Pi or a
      // model it reports why (GET /api/v1/agent) and events stay pending.
      started = started.compose(v -> vertx.deployVerticle(new AgentVerticle(clock), once).onSuccess(deployed::add));
    }
    return started.onSuccess(v -> LOG.info("Spark started (environment " + cfg.environment() + ", database "
        + cfg.db().path() + (cfg.web().enabled() ? ", http://" + cfg.web().host() + ":" + cfg.web().port() : ", HTTP off") + ")"));
  }

  @Override
  public Future<?> stop() {
    List<String> reverse = new ArrayList<>(deployed);
    Collections.reverse(reverse);
    Future<?> chain = Future.succeededFuture();
    for (String id : reverse) {
      chain = chain.eventually(() -> vertx.undeploy(id));
    }
    return chain;
  }

  public SparkConfig configuration() {
    return cfg;
  }

  private Future<String> deploy(String verticle, DeploymentOptions options) {
    return vertx.deployVerticle(verticle, options).onSuccess(deployed::add);
  }
}
