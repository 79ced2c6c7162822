package dev.spark.config;

import dev.spark.SparkVerticle;
import dev.spark.support.Await;
import dev.spark.support.Repo;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class ConfigLoaderTest {

  @Test
  void defaultsMatchTheSeed() {
    SparkConfig cfg = ConfigLoader.load(new JsonObject(), Map.of());
    assertTrue(cfg.enabled());
    assertEquals("development", cfg.environment());
    assertEquals(".spark/spark.db", cfg.db().path());
    assertEquals(1000, cfg.db().pollIntervalMs());
    assertEquals(7, cfg.db().cleanup().maxAgeDays());
    assertEquals(100, cfg.db().cleanup().maxSizeMB());
    assertEquals(300_000, cfg.db().cleanup().intervalMs());
    assertTrue(cfg.watch().serverErrors() && cfg.watch().unhandledErrors() && cfg.watch().processErrors());
    assertEquals(new SparkConfig.Profile("full", "fix", "branch"), cfg.environments().get("production"));
    assertEquals(new SparkConfig.Profile("full", "fix", "in-place"), cfg.environments().get("development"));
    assertEquals(8081, cfg.web().port());
    assertEquals("127.0.0.1", cfg.web().host());
    assertEquals(new SparkConfig.Issues(600_000, true), cfg.issues(), "issue 6: a 10-minute cooldown, flood control on");
  }

  @Test
  void theShippedConfFileIsValidAndHoldsEverySeedKey() throws Exception {
    JsonObject conf = new JsonObject(Files.readString(Repo.path("conf/spark.json")));
    SparkConfig cfg = ConfigLoader.load(conf, Map.of());
    for (String key : List.of("enabled", "environment", "db.path", "db.pollIntervalMs", "db.cleanup.maxAgeDays",
        "db.cleanup.maxSizeMB", "db.cleanup.intervalMs", "watch.serverErrors", "watch.unhandledErrors",
        "watch.processErrors", "environments.development.tools", "environments.development.behavior",
        "environments.production.tools", "environments.production.behavior", "web.enabled", "web.host", "web.port", "web.token")) {
      assertTrue(new ConfigReader(conf).raw(key) != null, "conf/spark.json has " + key);
    }
    assertEquals(ConfigLoader.load(new JsonObject(), Map.of()).db(), cfg.db(), "the file states the defaults");
    assertEquals(ConfigLoader.load(new JsonObject(), Map.of()).issues(), cfg.issues(), "and the issues defaults");
  }

  @Test
  void environmentVariablesOverrideTheFile() {
    JsonObject file = new JsonObject().put("environment", "staging").put("web", new JsonObject().put("port", 9000));
    SparkConfig cfg = ConfigLoader.load(file, Map.of("SPARK_ENV", "production", "NODE_ENV", "test",
        "SPARK_DB_PATH", "/tmp/x.db", "SPARK_WEB_PORT", "9100", "SPARK_WEB_TOKEN", "s3cret"));
    assertEquals("production", cfg.environment());
    assertEquals("/tmp/x.db", cfg.db().path());
    assertEquals(9100, cfg.web().port());
    assertEquals("s3cret", cfg.web().token());
    assertEquals("test", ConfigLoader.load(file, Map.of("NODE_ENV", "test")).environment(), "NODE_ENV when SPARK_ENV is unset");
    assertEquals("staging", ConfigLoader.load(file, Map.of()).environment());
  }

  @Test
  void deliveryIsValidatedAndAnEnvironmentOfTheUsersOwnGetsTheDefaultForItsName() {
    JsonObject conf = new JsonObject().put("environments", new JsonObject()
        .put("staging", new JsonObject().put("tools", "full").put("behavior", "fix"))
        .put("production", new JsonObject().put("tools", "full").put("behavior", "fix").put("delivery", "in-place")));
    SparkConfig cfg = ConfigLoader.load(conf, Map.of());
    assertEquals("in-place", cfg.environments().get("staging").delivery());
    assertEquals("in-place", cfg.environments().get("production").delivery(), "the user's choice wins");
    AgentConfig agent = AgentConfig.fromJson(ConfigLoader.load(new JsonObject(), Map.of()).json());
    assertEquals(new AgentConfig.Verify("", 600_000, 2), agent.verify());
    Map<JsonObject, String> cases = Map.of(
        new JsonObject().put("environments", new JsonObject().put("production", new JsonObject().put("delivery", "pr"))), "environments.production.delivery",
        new JsonObject().put("agent", new JsonObject().put("verify", new JsonObject().put("attempts", 0))), "agent.verify.attempts",
        new JsonObject().put("agent", new JsonObject().put("verify", new JsonObject().put("command", 7))), "agent.verify.command",
        new JsonObject().put("agent", new JsonObject().put("verify", new JsonObject().put("timeoutMs", 5))), "agent.verify.timeoutMs");
    cases.forEach((bad, key) -> {
      ConfigException e = assertThrows(ConfigException.class, () -> AgentConfig.fromJson(ConfigLoader.load(bad, Map.of()).json()), key);
      assertTrue(e.getMessage().startsWith("Invalid configuration: " + key + " must be "), e.getMessage());
    });
  }

  @Test
  void aBadValueNamesTheKeyAndWhatIsAllowedInOneLine() {
    Map<JsonObject, String> cases = Map.of(
        new JsonObject().put("db", new JsonObject().put("pollIntervalMs", "soon")), "db.pollIntervalMs",
        new JsonObject().put("db", new JsonObject().put("cleanup", new JsonObject().put("maxSizeMB", 0))), "db.cleanup.maxSizeMB",
        new JsonObject().put("enabled", "yes"), "enabled",
        new JsonObject().put("web", new JsonObject().put("port", 70000)), "web.port",
        new JsonObject().put("environments", new JsonObject().put("production", new JsonObject().put("tools", "all").put("behavior", "fix"))), "environments.production.tools",
        new JsonObject().put("watch", new JsonObject().put("serverErrors", 1)), "watch.serverErrors",
        new JsonObject().put("ingest", new JsonObject().put("redactKeys", new JsonArray().add(3))), "ingest.redactKeys",
        new JsonObject().put("issues", new JsonObject().put("cooldownMs", -1)), "issues.cooldownMs",
        new JsonObject().put("issues", new JsonObject().put("floodControl", "off")), "issues.floodControl",
        new JsonObject().put("db", "x"), "db");
    cases.forEach((conf, key) -> {
      ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(conf, Map.of()), key);
      assertTrue(e.getMessage().startsWith("Invalid configuration: " + key + " must be "), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    });
    ConfigException port = assertThrows(ConfigException.class, () -> ConfigLoader.load(new JsonObject(), Map.of("SPARK_WEB_PORT", "eighty")));
    assertTrue(port.getMessage().contains("SPARK_WEB_PORT"));
  }

  @Test
  void theBrowserAndHostListsAndTheBodyTimeoutAreCheckedTheSameWay() {
    SparkConfig defaults = ConfigLoader.load(new JsonObject(), Map.of());
    assertEquals(List.of(), defaults.ingest().allowedOrigins());
    assertEquals(List.of(), defaults.web().allowedHosts());
    assertEquals(10_000, defaults.ingest().bodyTimeoutMs());
    SparkConfig set = ConfigLoader.load(new JsonObject()
        .put("ingest", new JsonObject().put("allowedOrigins", new JsonArray().add("https://App.example.com").add("http://localhost:3000")))
        .put("web", new JsonObject().put("allowedHosts", new JsonArray().add("Spark.Internal"))), Map.of());
    assertEquals(List.of("https://app.example.com", "http://localhost:3000"), set.ingest().allowedOrigins());
    assertEquals(List.of("spark.internal"), set.web().allowedHosts());
    Map<JsonObject, String> cases = Map.of(
        new JsonObject().put("ingest", new JsonObject().put("allowedOrigins", new JsonArray().add("https://a.example/path"))), "ingest.allowedOrigins",
        new JsonObject().put("ingest", new JsonObject().put("allowedOrigins", new JsonArray().add("*"))), "ingest.allowedOrigins",
        new JsonObject().put("ingest", new JsonObject().put("allowedOrigins", "https://a.example")), "ingest.allowedOrigins",
        new JsonObject().put("web", new JsonObject().put("allowedHosts", new JsonArray().add("http://spark.internal"))), "web.allowedHosts",
        new JsonObject().put("web", new JsonObject().put("allowedHosts", new JsonArray().add("spark.internal:8081"))), "web.allowedHosts",
        new JsonObject().put("ingest", new JsonObject().put("bodyTimeoutMs", 0)), "ingest.bodyTimeoutMs");
    cases.forEach((conf, key) -> {
      ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(conf, Map.of()), key);
      assertTrue(e.getMessage().startsWith("Invalid configuration: " + key + " must be "), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    });
  }

  @Test
  void sparkRefusesToStartOnABadValue(Vertx vertx) {
    Throwable failure = Await.failure(vertx.deployVerticle(new SparkVerticle(),
        new DeploymentOptions().setConfig(new JsonObject().put("db", new JsonObject().put("pollIntervalMs", -5)))));
    assertTrue(failure.getMessage().contains("db.pollIntervalMs"), failure.getMessage());
  }
}
