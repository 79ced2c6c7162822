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
 *
 * <p>Delivery ({@code environments.<env>.delivery}): {@code in-place}, the agent edits {@code agent.cwd};
 * {@code branch}, each batch is fixed by an agent of its own in a git worktree ({@link FixRunner}) and
 * the long-running agent (for the console) gets read-only tools; a {@code branch} profile whose
 * {@code agent.cwd} is not in a git repository falls back to {@code investigate} (read-only tools,
 * never in place), and {@code deliveryNote} says why.
 *
 * @param systemPrompt    the long-running agent's
 * @param fixSystemPrompt a fix agent's (the profile's own tools and behaviour)
 */
record AgentLaunch(SparkConfig cfg, AgentConfig agent, Path cwd, List<String> tools, String systemPrompt, Map<String, String> env,
    String delivery, String deliveryNote, List<String> fixTools, String fixSystemPrompt) {
  static final String INVESTIGATE = "investigate";

  static AgentLaunch from(JsonObject config) {
    SparkConfig cfg = SparkConfig.fromJson(config);
    AgentConfig agent = AgentConfig.fromJson(config);
    Path cwd = (agent.cwd().isBlank() ? Path.of("") : Path.of(agent.cwd())).toAbsolutePath().normalize();
    SparkConfig.Profile profile = cfg.profile();
    String delivery = profile.delivery();
    String note = null;
    SparkConfig.Profile main = profile;
    if (profile.branchDelivery()) {
      main = new SparkConfig.Profile("read-only", profile.behavior(), profile.delivery());
      if (!Git.looksLikeRepository(cwd)) {
        delivery = INVESTIGATE;
        main = new SparkConfig.Profile("read-only", INVESTIGATE, profile.delivery());
        note = "Branch delivery needs a git repository, and agent.cwd " + cwd + " is not in one: the agent only investigates "
            + "(read-only tools, no fixes). To fix: run git init there (and commit), or set environments." + cfg.environment()
            + ".delivery to in-place.";
      }
    }
    String url = cfg.web().enabled() ? ServerUrl.of(cfg.web()) : null;
    String dbPath = Path.of(cfg.db().path()).toAbsolutePath().toString();
    Map<String, String> env = new HashMap<>();
    if (url != null) env.put("SPARK_URL", url);
    env.put("SPARK_WEB_TOKEN", cfg.web().token());
    env.put("SPARK_DB_PATH", dbPath);
    // Tells Spark's Pi extension (installed by spark init for human sessions) not to subscribe too.
    env.put("SPARK_MANAGED_AGENT", "1");
    env.putAll(agent.env());
    return new AgentLaunch(cfg, agent, cwd, AgentPrompts.tools(main), AgentPrompts.systemPrompt(cfg.environment(), main, url, dbPath),
        Map.copyOf(env), delivery, note, AgentPrompts.tools(profile), AgentPrompts.systemPrompt(cfg.environment(), profile, url, dbPath));
  }

  /** Batches go to fix agents in worktrees. */
  boolean branch() {
    return SparkConfig.BRANCH.equals(delivery);
  }
}
