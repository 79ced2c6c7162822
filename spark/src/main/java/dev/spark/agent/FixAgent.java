package dev.spark.agent;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * A Pi started for one fix, with the worktree as its working directory (Pi's RPC mode has no command
 * to change directory, so each fix gets a process of its own; every relative path its tools use lands
 * in the worktree). Its tool calls and answers go to the agent's transcript like the main agent's.
 */
final class FixAgent {
  /** Longest a single run of the agent may take before the fix is given up. */
  static final long RUN_TIMEOUT_MS = 30 * 60_000L;

  private final PiRpc rpc;
  private final Transcript transcript;
  private Promise<String> run;
  private String lastText = "";
  private final LongConsumer tokens;

  private FixAgent(Vertx vertx, Transcript transcript, LongConsumer tokens) {
    this.tokens = tokens;
    this.rpc = new PiRpc(vertx);
    this.transcript = transcript;
  }

  static FixAgent start(Vertx vertx, Context context, AgentLaunch launch, Path executable, Path worktree, Transcript transcript,
      LongConsumer tokens) throws IOException {
    FixAgent agent = new FixAgent(vertx, transcript, tokens);
    List<String> command = new ArrayList<>(List.of(executable.toString(), "--mode", "rpc",
        "--append-system-prompt", launch.fixSystemPrompt(), "--tools", String.join(",", launch.fixTools())));
    command.addAll(launch.agent().args());
    agent.rpc.start(context, command, worktree, launch.env(), (gen, msg) -> agent.onMessage(msg), (gen, code) -> agent.onExit(code));
    return agent;
  }

  /** Sends {@code text}; completes with the agent's last answer when its run ends. */
  Future<String> turn(String text) {
    run = Promise.promise();
    lastText = "";
    Promise<String> mine = run;
    rpc.command(PiRpc.prompt(text), AgentVerticle.COMMAND_TIMEOUT_MS).onFailure(e -> mine.tryFail("Pi refused the fix prompt: " + e.getMessage()));
    return mine.future().timeout(RUN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }

  private void onMessage(JsonObject msg) {
    switch (msg.getString("type", "")) {
      case "response" -> rpc.answer(msg);
      case "agent_end" -> {
        if (run != null) run.tryComplete(lastText);
      }
      case "message_end" -> {
        JsonObject m = msg.getJsonObject("message", new JsonObject());
        if (!"assistant".equals(m.getString("role"))) return;
        tokens.accept(PiEvents.usedTokens(m));
        if ("error".equals(m.getString("stopReason"))) {
          transcript.spark("The fix agent's model call failed: " + m.getString("errorMessage", "no reason given"));
        }
        String text = PiRpc.userText(m);
        if (!text.isBlank()) {
          lastText = text;
          transcript.add("assistant", new JsonObject().put("text", text));
        }
      }
      case "tool_execution_start" -> transcript.toolStart(msg.getString("toolCallId"), msg.getString("toolName"), msg.getValue("args"));
      case "tool_execution_end" -> transcript.toolUpdate(msg.getString("toolCallId"), msg.getValue("result"), true,
          Boolean.TRUE.equals(msg.getBoolean("isError")));
      case "extension_ui_request" -> {
        if (List.of("select", "confirm", "input", "editor").contains(msg.getString("method", ""))) {
          rpc.send(new JsonObject().put("type", "extension_ui_response").put("id", msg.getValue("id")).put("cancelled", true));
        }
      }
      default -> {
        // the rest of Pi's events are not shown for a fix
      }
    }
  }

  private void onExit(int code) {
    rpc.failAll("the fix agent exited");
    if (run != null) run.tryFail("the fix agent exited with code " + code);
  }

  /** Stops the process; completes when it has exited (or after a few seconds). */
  Future<Void> stop(Context context) {
    RpcProcess p = rpc.detach();
    rpc.failAll("the fix is done");
    if (p == null) return Future.succeededFuture();
    p.stop(2_000);
    return Future.fromCompletionStage(p.onExit(), context).<Void>mapEmpty().timeout(5, TimeUnit.SECONDS).recover(e -> Future.succeededFuture());
  }
}
