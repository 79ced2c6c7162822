package dev.spark;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Runs Spark inside an application's own {@link Vertx}: one call deploys {@link SparkVerticle}
 * (storage, poller, janitor, ingest and, unless {@code web.enabled} is false, the HTTP API), exactly
 * as {@code bin/vertx run} would. Undeploy with {@code vertx.undeploy(id)}: queued rows are committed
 * and the database is closed before that future completes.
 */
public final class Spark {
  private Spark() {}

  /** Deploys Spark with its embedded defaults (plus the {@code SPARK_*} environment variables). */
  public static Future<String> deploy(Vertx vertx) {
    return deploy(vertx, new JsonObject());
  }

  /**
   * Deploys Spark with {@code config} (the same keys as {@code conf/spark.json}; missing keys take
   * their defaults, environment variables win). Completes with the deployment id once Spark is
   * started, or fails with the configuration error.
   */
  public static Future<String> deploy(Vertx vertx, JsonObject config) {
    return vertx.deployVerticle(new SparkVerticle(), new DeploymentOptions().setConfig(config == null ? new JsonObject() : config));
  }
}
