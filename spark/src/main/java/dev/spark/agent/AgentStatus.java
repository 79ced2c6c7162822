package dev.spark.agent;

import dev.spark.config.SparkConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;

/** The agent's state as the dashboard's agent panel, MCP and {@code spark agent} show it. */
final class AgentStatus {
  private final AgentLaunch launch;
  private String state = "starting";
  private String reason = "";
  private String fix;
  JsonObject model;
  boolean ready;
  boolean busy;
  int restarts;
  String startedAt;
  Path executable;

  AgentStatus(AgentLaunch launch) {
    this.launch = launch;
  }

  void set(String newState, String why, String howToFix) {
    state = newState;
    reason = why;
    fix = howToFix;
  }

  String reason() {
    return reason;
  }

  /** The state, with the running process (or null), whether the agent is subscribed, and its batches. */
  JsonObject json(RpcProcess process, boolean subscribed, JsonObject batches) {
    SparkConfig cfg = launch.cfg();
    return new JsonObject()
        .put("enabled", true)
        .put("available", ready)
        .put("state", state)
        .put("reason", reason)
        .put("fix", fix)
        .put("message", (fix == null ? reason : reason + " To fix: " + fix + ".")
            + (launch.deliveryNote() == null ? "" : " " + launch.deliveryNote()))
        .put("command", executable == null ? null : executable.toString())
        .put("cwd", launch.cwd().toString())
        .put("pid", process == null ? null : process.pid())
        .put("startedAt", process == null ? null : startedAt)
        .put("model", model)
        .put("environment", cfg.environment())
        .put("behavior", cfg.profile().behavior())
        .put("tools", new JsonArray(launch.tools()))
        .put("delivery", launch.delivery())
        .put("deliveryNote", launch.deliveryNote())
        .put("subscribed", subscribed)
        .put("restarts", restarts)
        .put("batches", batches);
  }
}
