package dev.spark.agent;

import dev.spark.config.AgentConfig;
import dev.spark.config.ServerUrl;
import dev.spark.config.SparkConfig;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How the agent process is started, read off the configuration: where it runs, the tools of the
 * profile, the system prompt (who it is, where Spark is), and the environment it gets.
 */
record AgentLaunch(SparkConfig cfg, AgentConfig agent, Path cwd, List<String> tools, String systemPrompt, Map<String, String> env) {

  static AgentLaunch from(JsonObject config) {
    SparkConfig cfg = SparkConfig.fromJson(config);
    AgentConfig agent = AgentConfig.fromJson(config);
    Path cwd = (agent.cwd().isBlank() ? Path.of("") : Path.of(agent.cwd())).toAbsolutePath().normalize();
    SparkConfig.Profile profile = cfg.profile();
    List<String> tools = AgentPrompts.tools(profile);
    String url = cfg.web().enabled() ? ServerUrl.of(cfg.web()) : null;
    String dbPath = Path.of(cfg.db().path()).toAbsolutePath().toString();
    String systemPrompt = AgentPrompts.systemPrompt(cfg.environment(), profile, url, dbPath);
    Map<String, String> env = new HashMap<>();
    if (url != null) env.put("SPARK_URL", url);
    env.put("SPARK_WEB_TOKEN", cfg.web().token());
    env.put("SPARK_DB_PATH", dbPath);
    // Tells Spark's Pi extension (installed by spark init for human sessions) not to subscribe too.
    env.put("SPARK_MANAGED_AGENT", "1");
    env.putAll(agent.env());
    return new AgentLaunch(cfg, agent, cwd, tools, systemPrompt, Map.copyOf(env));
  }
}
