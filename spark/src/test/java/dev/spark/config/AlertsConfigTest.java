package dev.spark.config;

import dev.spark.SparkVerticle;
import dev.spark.support.Await;
import dev.spark.support.TestCertificates;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class AlertsConfigTest {
  static JsonObject hook(String url) {
    return new JsonObject().put("type", "webhook").put("url", url).put("secret", "${HOOK_SECRET}");
  }

  static JsonObject with(JsonObject targets, JsonArray rules) {
    return new JsonObject().put("alerts", new JsonObject().put("targets", targets).put("rules", rules));
  }

  static JsonObject rule(String... to) {
    return new JsonObject().put("on", new JsonArray().add("new-issue")).put("to", new JsonArray(List.of(to)));
  }

  static String error(JsonObject provided, Map<String, String> env) {
    JsonObject merged = ConfigLoader.deepMerge(ConfigLoader.defaults(), provided);
    return assertThrows(ConfigException.class, () -> AlertsConfig.fromJson(merged, env)).getMessage();
  }

  @Test
  void defaultsHaveNoRulesAndNoTargets() {
    AlertsConfig a = AlertsConfig.fromJson(ConfigLoader.defaults(), Map.of());
    assertFalse(a.enabled());
    assertEquals(10, a.maxAttempts());
    assertEquals(Map.of(), a.targets());
  }

  @Test
  void secretsComeFromTheEnvironmentAndAreNeverShown() {
    JsonObject provided = with(new JsonObject()
            .put("ops-hook", hook("https://hooks.example.test/${HOOK_PATH}?token=${HOOK_TOKEN}"))
            .put("mail", new JsonObject().put("type", "email").put("host", "smtp.example.test").put("port", 587)
                .put("username", "spark").put("password", "${SMTP_PASSWORD}").put("from", "spark@example.test")
                .put("to", new JsonArray().add("ops@example.test"))),
        new JsonArray().add(rule("ops-hook", "mail").put("on", new JsonArray().add("frequency").add("regression"))
            .put("threshold", new JsonObject().put("events", 10).put("minutes", 1)).put("environments", new JsonArray().add("production"))));
    AlertsConfig a = AlertsConfig.fromJson(ConfigLoader.deepMerge(ConfigLoader.defaults(), provided),
        Map.of("HOOK_SECRET", "s3cr3t-value", "HOOK_PATH", "T1/B2", "HOOK_TOKEN", "tok-value", "SMTP_PASSWORD", "pw-value"));
    assertEquals("https://hooks.example.test/T1/B2?token=tok-value", a.targets().get("ops-hook").url());
    assertEquals("s3cr3t-value", a.targets().get("ops-hook").secret());
    assertEquals("pw-value", a.targets().get("mail").password());
    assertEquals("starttls", a.targets().get("mail").security(), "STARTTLS unless said otherwise");
    AlertsConfig.Rule r = a.rules().get(0);
    assertEquals("rule-1", r.name());
    assertEquals(10, r.thresholdEvents());
    assertTrue(r.matches("server-error", "production", null));
    assertFalse(r.matches("server-error", "staging", null));
    String shown = a.toMaskedJson().encode() + a.targets().values();
    for (String secret : List.of("s3cr3t-value", "tok-value", "T1/B2", "pw-value")) assertFalse(shown.contains(secret), shown);
    assertTrue(shown.contains("https://hooks.example.test/…"), shown);
  }

  @Test
  void aBadRuleOrTargetIsOneLineNamingTheKey() {
    Map<String, String> env = Map.of("HOOK_SECRET", "x");
    assertEquals("Invalid configuration: alerts.rules[0].to must be names of targets in alerts.targets (got \"pager\")",
        error(with(new JsonObject().put("ops", hook("https://h.example.test/x")), new JsonArray().add(rule("pager"))), env));
    assertEquals("Invalid configuration: alerts.rules[0].to must be a non-empty array of strings (got [])",
        error(with(new JsonObject().put("ops", hook("https://h.example.test/x")), new JsonArray().add(rule())), env));
    assertEquals("Invalid configuration: alerts.targets.ops.url must be an absolute http or https URL (got \"…\")",
        error(with(new JsonObject().put("ops", hook("hooks.example.test/secret-path")), new JsonArray()), env));
    assertEquals("Invalid configuration: alerts.targets.ops.secret must be set: it names the environment variable HOOK_SECRET, which is not set (got nothing)",
        error(with(new JsonObject().put("ops", hook("https://h.example.test/x")), new JsonArray()), Map.of()));
    assertEquals("Invalid configuration: alerts.rules[0].on must be a list of " + String.join(", ", AlertsConfig.KINDS) + " (got \"new-issues\")",
        error(with(new JsonObject().put("ops", hook("https://h.example.test/x")),
            new JsonArray().add(rule("ops").put("on", new JsonArray().add("new-issues")))), env));
    assertTrue(error(with(new JsonObject().put("ops", hook("https://h.example.test/x")),
        new JsonArray().add(rule("ops").put("on", new JsonArray().add("frequency")))), env)
        .startsWith("Invalid configuration: alerts.rules[0].threshold must be"));
    assertTrue(error(with(new JsonObject().put("ops", new JsonObject().put("type", "pager")), new JsonArray()), env)
        .startsWith("Invalid configuration: alerts.targets.ops.type must be one of webhook, slack, email"));
  }

  @Test
  void aCaFileMustBeAReadablePemCertificateAndNeedsEncryption(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("missing.pem");
    Path notPem = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    Path broken = Files.writeString(dir.resolve("broken.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    Path good = TestCertificates.selfSigned(dir, "mail", "dns:smtp.example.test").cert();
    assertEquals("Invalid configuration: alerts.targets.mail.caFile must be a readable PEM file of certificates: no such file (got \""
        + missing + "\")", error(mail(missing, "starttls"), Map.of()));
    assertEquals("Invalid configuration: alerts.targets.mail.caFile must be a readable PEM file of certificates: "
        + "no -----BEGIN CERTIFICATE----- in it (got \"" + notPem + "\")", error(mail(notPem, "tls"), Map.of()));
    assertTrue(error(mail(broken, "starttls"), Map.of())
        .startsWith("Invalid configuration: alerts.targets.mail.caFile must be a readable PEM file of certificates: not a valid certificate"));
    assertEquals("Invalid configuration: alerts.targets.mail.caFile must be left out with security: none (nothing is encrypted) (got \""
        + good + "\")", error(mail(good, "none"), Map.of()));
    AlertsConfig ok = AlertsConfig.fromJson(ConfigLoader.deepMerge(ConfigLoader.defaults(), mail(good, "starttls")), Map.of());
    assertEquals(good.toString(), ok.targets().get("mail").caFile());
    assertEquals(good.toString(), ok.targets().get("mail").toMaskedJson().getString("caFile"), "a path, not a secret: shown");
  }

  private static JsonObject mail(Path caFile, String security) {
    return with(new JsonObject().put("mail", new JsonObject().put("type", "email").put("host", "smtp.example.test")
        .put("security", security).put("caFile", caFile.toString()).put("from", "spark@example.test")
        .put("to", new JsonArray().add("ops@example.test"))), new JsonArray());
  }

  @Test
  void sparkDoesNotStartWithABadAlertsConfiguration(Vertx vertx, @TempDir Path dir) {
    JsonObject conf = with(new JsonObject(), new JsonArray().add(rule("nowhere")))
        .put("db", new JsonObject().put("path", dir.resolve("spark.db").toString()))
        .put("web", new JsonObject().put("enabled", false));
    Throwable failure = Await.failure(vertx.deployVerticle(new SparkVerticle(), new DeploymentOptions().setConfig(conf)));
    assertEquals("Invalid configuration: alerts.rules[0].to must be names of targets in alerts.targets (got \"nowhere\")", failure.getMessage());
  }
}
