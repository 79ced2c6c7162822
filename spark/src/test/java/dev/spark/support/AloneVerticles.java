package dev.spark.support;

import dev.spark.config.ConfigLoader;
import dev.spark.storage.StorageVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * For tests of one verticle's bus contract: its config on a temp SQLite file, storage deployed under
 * it when it needs a writer, and plain-JDBC counts of what landed in the file.
 */
public final class AloneVerticles {
  private AloneVerticles() {}

  /**
   * Spark's defaults with test settings on {@code db} (polling only when storage reports stored
   * events), deep-merged with {@code overrides}, resolved as {@code SparkVerticle} resolves them.
   */
  public static JsonObject config(Path db, JsonObject overrides) {
    JsonObject base = new JsonObject()
        .put("environment", "test")
        .put("db", new JsonObject().put("path", db.toString()).put("pollIntervalMs", 3_600_000));
    return ConfigLoader.load(SparkUnderTest.merge(base, overrides == null ? new JsonObject() : overrides), Map.of()).json();
  }

  /** Storage on the config's file, then {@code verticle} on the same config. */
  public static Future<String> withStorage(Vertx vertx, JsonObject config, VerticleBase verticle) {
    return deploy(vertx, new StorageVerticle(Clock.systemUTC()), config).compose(v -> deploy(vertx, verticle, config));
  }

  public static Future<String> deploy(Vertx vertx, VerticleBase verticle, JsonObject config) {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config));
  }

}
