package dev.spark.config;

import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code agent} and {@code mcp} sections: whether Spark runs a coding agent (Pi in RPC mode) and
 * how, and whether it serves the MCP endpoint. Read from the same merged configuration as
 * {@link SparkConfig}; {@link #fromJson} throws {@link ConfigException} naming the first bad key.
 *
 * @param enabled           run the agent
 * @param command           the agent's executable; empty: Pi, found in {@code node_modules/.bin} or on PATH
 * @param args              extra arguments after Spark's own ({@code --mode rpc}, the prompt, the tools)
 * @param cwd               the agent's working directory (the project it works on); empty: Spark's own
 * @param env               variables added to the agent's environment (e.g. {@code PI_CODING_AGENT_DIR})
 * @param orient            send the orientation and status prompt when the agent starts
 * @param restartDelayMs    first delay before restarting an agent that died (doubles up to the maximum)
 * @param restartMaxDelayMs longest delay between restarts
 * @param transcriptLimit   transcript entries kept for the dashboard (older ones are dropped)
 * @param mcpEnabled        serve {@code POST /mcp}
 * @param verify            how a fix on a branch is checked
 * @param budget            how much the agent may run
 * @param gate              when an issue is worth a run
 */
public record AgentConfig(boolean enabled, String command, List<String> args, String cwd, Map<String, String> env, boolean orient,
    long restartDelayMs, long restartMaxDelayMs, int transcriptLimit, boolean mcpEnabled,
    Verify verify, Budget budget, Gate gate) {

  /**
   * {@code agent.gate}: an issue's batch goes to the agent once the issue has {@code minEvents}
   * occurrences within the last {@code windowMinutes} (1: at once). Until then it waits, held.
   */
  public record Gate(int minEvents, long windowMinutes) {}

  /**
   * {@code agent.budget}: 0 means no limit.
   *
   * @param runsPerHour  batches sent (fixes, with branch delivery) in any hour
   * @param tokensPerDay tokens the model used in a UTC day (Pi's usage per assistant message)
   */
  public record Budget(int runsPerHour, long tokensPerDay) {}

  /**
   * {@code agent.verify}: the project's check, run in a fix's worktree after each run of the agent.
   *
   * @param command   run with {@code sh -c} in the worktree; empty: no verification
   * @param timeoutMs how long it may run before it is killed (and counts as failed)
   * @param attempts  runs of the agent per fix: after a failed check it is shown the output and tries again
   */
  public record Verify(String command, long timeoutMs, int attempts) {}

  public static AgentConfig fromJson(JsonObject json) {
    ConfigReader r = new ConfigReader(json);
    long delay = r.integer("agent.restartDelayMs", 10, 3_600_000);
    long max = r.integer("agent.restartMaxDelayMs", 10, 3_600_000);
    if (max < delay) throw new ConfigException("agent.restartMaxDelayMs", "at least agent.restartDelayMs (" + delay + ")", max);
    return new AgentConfig(
        r.bool("agent.enabled"),
        r.string("agent.command", true),
        r.strings("agent.args"),
        r.string("agent.cwd", true),
        env(r.object("agent.env")),
        r.bool("agent.orient"),
        delay, max,
        (int) r.integer("agent.transcriptLimit", 10, 1_000_000),
        r.bool("mcp.enabled"),
        new Verify(r.string("agent.verify.command", true), r.integer("agent.verify.timeoutMs", 100, 86_400_000),
            (int) r.integer("agent.verify.attempts", 1, 10)),
        new Budget((int) r.integer("agent.budget.runsPerHour", 0, 1_000_000), r.integer("agent.budget.tokensPerDay", 0, Long.MAX_VALUE)),
        new Gate((int) r.integer("agent.gate.minEvents", 1, 1_000), r.integer("agent.gate.windowMinutes", 1, 525_600)));
  }

  private static Map<String, String> env(JsonObject env) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : env.fieldNames()) {
      Object v = env.getValue(name);
      if (name.isBlank() || name.contains("=") || !(v instanceof String s)) {
        throw new ConfigException("agent.env." + name, "a string (and the name a variable name)", v);
      }
      out.put(name, s);
    }
    return Map.copyOf(out);
  }
}
