package dev.spark.agent;

import dev.spark.config.AgentConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Why no agent answers in this process, and what to do about it: the agent state the API shows then. */
public final class AgentAbsence {
  private AgentAbsence() {}

  public static JsonObject describe(boolean sidecar, AgentConfig agent) {
    String reason;
    String fix;
    if (sidecar) {
      reason = "No coding agent runs in this dashboard sidecar: the agent runs inside the Spark that writes the database.";
      fix = "open the dashboard of that Spark to talk to its agent";
    } else if (agent != null && !agent.enabled()) {
      reason = "No coding agent is attached: agent.enabled is false in the configuration, so events wait, pending, for an agent "
          + "(GET /api/v1/stream).";
      List<String> searched = new ArrayList<>();
      Optional<Path> pi = AgentCommand.find(agent.command(), agent.cwd().isBlank() ? Path.of("") : Path.of(agent.cwd()),
          System.getenv(), searched);
      fix = "set agent.enabled to true in conf/spark.json and restart Spark"
          + (pi.isPresent() ? " (Pi was found at " + pi.get() + ")" : "; Pi was not found: " + AgentCommand.installHint());
    } else {
      reason = "The agent is not running in this Spark (it is starting or stopping).";
      fix = null;
    }
    return new JsonObject().put("enabled", agent != null && agent.enabled() && !sidecar)
        .put("available", false).put("state", "disabled").put("reason", reason).put("fix", fix)
        .put("message", fix == null ? reason : reason + " To fix: " + fix + ".")
        .put("transcript", new JsonArray()).put("version", 0);
  }}
