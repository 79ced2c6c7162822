package dev.spark;

import dev.spark.agent.AgentVerticle;
import dev.spark.bus.EventBusCodecs;
import dev.spark.alerts.AlertsVerticle;
import dev.spark.config.AgentConfig;
import dev.spark.config.AlertsConfig;
import dev.spark.config.ConfigLoader;
import dev.spark.config.HeapAdvice;
import dev.spark.config.RandomTokens;
import dev.spark.config.SparkConfig;
import dev.spark.ingest.IngestVerticle;
import dev.spark.janitor.JanitorVerticle;
import dev.spark.storage.StorageVerticle;
import dev.spark.stream.PollerVerticle;
import dev.spark.web.DashboardVerticle;
import dev.spark.web.StandbyVerticle;
import dev.spark.web.WebVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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
 * server stops taking requests before storage commits what is queued and closes the database. On a
 * clustered event bus it first takes the cluster's {@link WriterLock}; while another Spark holds it,
 * this one is a standby ({@link StandbyVerticle}) and deploys the rest when it gets the lock.
 */
public final class SparkVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(SparkVerticle.class.getName());

  /** How long one ask for the writer lock waits before asking again (a worker thread waits meanwhile). */
  private static final long LOCK_ATTEMPT_MS = 5_000;

  private final List<String> deployed = new ArrayList<>();
  private WriterLock writerLock;
  private volatile String standbyId;
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
    String heap = HeapAdvice.warning(cfg, HeapAdvice.maxHeapBytes());
    if (heap != null) LOG.warning(heap);
    JsonObject resolved = cfg.json().copy();
    if (cfg.web().token().isEmpty()) {
      String token = RandomTokens.token();
      resolved.getJsonObject("web").put("token", token);
      LOG.warning("No web.token or SPARK_WEB_TOKEN set; this run's API token is " + token
          + (cfg.web().enabled() ? ". Dashboard: " + DashboardVerticle.loginUrl(cfg.web(), token) : ""));
    }
    EventBusCodecs.register(vertx);
    if (!vertx.isClustered()) return deployAll(resolved);
    // On a cluster, one writer: wait for the lock, serving only /health as a standby meanwhile.
    Promise<Void> started = Promise.promise();
    writerLock = new WriterLock(vertx, LOCK_ATTEMPT_MS);
    writerLock.acquire(() -> standBy(resolved).onComplete(started))
        .compose(v -> standbyId == null ? Future.succeededFuture() : vertx.undeploy(standbyId).andThen(ar -> standbyId = null))
        .compose(v -> deployAll(resolved))
        .onComplete(v -> started.tryComplete(), err -> {
          if (started.tryFail(err)) return;
          LOG.severe("Spark could not take over as the writer: " + err.getMessage());
          writerLock.release();
        });
    return started.future();
  }

  private Future<Void> standBy(JsonObject resolved) {
    LOG.warning("Spark standby: another Spark in this cluster holds the writer lock (" + WriterLock.NAME
        + "); waiting to take over when it leaves. Database " + cfg.db().path() + " is not opened until then.");
    if (!cfg.web().enabled()) return Future.succeededFuture();
    return vertx.deployVerticle(new StandbyVerticle(), new DeploymentOptions().setConfig(resolved))
        .onSuccess(id -> standbyId = id).mapEmpty();
  }

  private Future<?> deployAll(JsonObject resolved) {
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
        + cfg.db().path() + (cfg.web().enabled() ? ", http://" + cfg.web().host() + ":" + cfg.web().port() : ", HTTP off")
        + (vertx.isClustered() ? ", the writer of its cluster" : "") + ")"));
  }

  @Override
  public Future<?> stop() {
    List<String> reverse = new ArrayList<>(deployed);
    Collections.reverse(reverse);
    Future<?> chain = Future.succeededFuture();
    for (String id : reverse) {
      chain = chain.eventually(() -> vertx.undeploy(id));
    }
    if (standbyId != null) chain = chain.eventually(() -> vertx.undeploy(standbyId));
    // The lock goes last: a standby must not open the database before this one has closed it.
    return writerLock == null ? chain : chain.eventually(() -> {
      writerLock.release();
      return Future.succeededFuture();
    });
  }

  public SparkConfig configuration() {
    return cfg;
  }

  private Future<String> deploy(String verticle, DeploymentOptions options) {
    return vertx.deployVerticle(verticle, options).onSuccess(deployed::add);
  }
}
