package dev.spark.web;

import dev.spark.config.ConfigLoader;
import dev.spark.config.SparkConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The login link and the prompt served at /api/v1/agent/prompt name an address that reaches this server, for any web.host. */
class ServerUrlUsersTest {

  private static SparkConfig cfg(String host) {
    return ConfigLoader.load(new JsonObject().put("web", new JsonObject().put("host", host).put("port", 7002)), Map.of());
  }

  @Test
  void theLoginLinkOfAWildcardBindReachesThisMachine() {
    assertEquals("http://127.0.0.1:7002/login#token=t", DashboardVerticle.loginUrl(cfg("0.0.0.0").web(), "t"));
    assertEquals("http://[::1]:7002/login#token=t", DashboardVerticle.loginUrl(cfg("::").web(), "t"));
    assertEquals("http://[::1]:7002/login#token=t", DashboardVerticle.loginUrl(cfg("::1").web(), "t"));
  }

  @Test
  void theServedPromptNamesAnAddressThatReachesThisServer() {
    String wildcard = AgentRoutes.prompt(cfg("0.0.0.0")).getString("systemPrompt");
    assertTrue(wildcard.contains("http://127.0.0.1:7002"), wildcard);
    String v6 = AgentRoutes.prompt(cfg("::")).getString("systemPrompt");
    assertTrue(v6.contains("http://[::1]:7002"), v6);
  }
}
