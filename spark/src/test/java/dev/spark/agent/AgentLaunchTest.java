package dev.spark.agent;

import dev.spark.config.ConfigLoader;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent is told where Spark answers ($SPARK_URL and its system prompt), also when Spark binds a wildcard address. */
class AgentLaunchTest {

  private static AgentLaunch launch(JsonObject web) {
    return AgentLaunch.from(ConfigLoader.load(new JsonObject().put("web", web), Map.of()).json());
  }

  @Test
  void aWildcardHostBecomesAnAddressTheAgentCanReach() {
    AgentLaunch v4 = launch(new JsonObject().put("host", "0.0.0.0").put("port", 7001));
    assertEquals("http://127.0.0.1:7001", v4.env().get("SPARK_URL"));
    assertTrue(v4.systemPrompt().contains("http://127.0.0.1:7001"), v4.systemPrompt());

    AgentLaunch v6 = launch(new JsonObject().put("host", "::").put("port", 7001));
    assertEquals("http://[::1]:7001", v6.env().get("SPARK_URL"));
    assertEquals("http://[fe80::1]:7001", launch(new JsonObject().put("host", "fe80::1").put("port", 7001)).env().get("SPARK_URL"));
  }

  @Test
  void branchDeliveryOutsideAGitRepositorySaysSoAndOnlyInvestigatesWithReadOnlyTools(@TempDir Path dir) {
    JsonObject conf = new JsonObject().put("environment", "production").put("agent", new JsonObject().put("cwd", dir.toString()));
    AgentLaunch launch = AgentLaunch.from(ConfigLoader.load(conf, Map.of()).json());
    assertEquals("investigate", launch.delivery());
    assertFalse(launch.branch());
    assertEquals(AgentPrompts.READ_ONLY_TOOLS, launch.tools());
    assertTrue(launch.systemPrompt().contains(AgentPrompts.INVESTIGATE_RULES), launch.systemPrompt());
    assertTrue(launch.deliveryNote().contains("not in one") && launch.deliveryNote().contains("git init"), launch.deliveryNote());

    JsonObject dev = new JsonObject().put("environment", "development").put("agent", new JsonObject().put("cwd", dir.toString()));
    AgentLaunch inPlace = AgentLaunch.from(ConfigLoader.load(dev, Map.of()).json());
    assertEquals("in-place", inPlace.delivery());
    assertEquals(AgentPrompts.FULL_TOOLS, inPlace.tools());
  }

  @Test
  void withoutTheWebServerThereIsNoUrl() {
    AgentLaunch off = launch(new JsonObject().put("enabled", false));
    assertFalse(off.env().containsKey("SPARK_URL"));
    assertEquals("1", off.env().get("SPARK_MANAGED_AGENT"));
  }
}
