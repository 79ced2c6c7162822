package dev.spark.agent;

import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.function.LongConsumer;

/** What Pi says on its stdout: responses to commands, and the events of its runs, turned into the transcript and the agent's state. */
final class PiEvents {
  private final PiRpc rpc;
  private final Transcript transcript;
  private final BatchDelivery delivery;
  private final AgentSupervisor supervisor;
  private final AgentStatus status;
  private JsonObject currentAssistant;
  private final LongConsumer tokens;
  /** The agent's last answer in the current run (a fix's summary). */
  private String lastAnswer;

  PiEvents(PiRpc rpc, Transcript transcript, BatchDelivery delivery, AgentSupervisor supervisor, AgentStatus status, LongConsumer tokens) {
    this.tokens = tokens;
    this.rpc = rpc;
    this.transcript = transcript;
    this.delivery = delivery;
    this.supervisor = supervisor;
    this.status = status;
  }

  void onMessage(int gen, JsonObject msg) {
    if (!rpc.current(gen)) return;
    String type = msg.getString("type", "");
    switch (type) {
      case "response" -> rpc.answer(msg);
      case "agent_start" -> {
        status.busy = true;
        transcript.add("run-start", null);
        if (status.ready) supervisor.setState("busy", "Pi is working.", null);
      }
      case "agent_end" -> {
        status.busy = false;
        BatchDelivery.Run run = delivery.runEnded();
        currentAssistant = null;
        supervisor.runEnded(run, lastAnswer);
        lastAnswer = null;
        transcript.add("run-end", null);
        if (status.ready) supervisor.setState("idle", "Pi is ready and waiting for events.", null);
      }
      case "message_start" -> messageStart(msg.getJsonObject("message", new JsonObject()));
      case "message_update" -> {
        JsonObject e = msg.getJsonObject("assistantMessageEvent", new JsonObject());
        if ("text_delta".equals(e.getString("type"))) {
          if (currentAssistant == null) currentAssistant = transcript.add("assistant", new JsonObject().put("text", ""));
          transcript.assistantDelta(e.getString("delta", ""), currentAssistant);
        }
      }
      case "message_end" -> {
        JsonObject m = msg.getJsonObject("message", new JsonObject());
        if ("assistant".equals(m.getString("role"))) {
          currentAssistant = null;
          tokens.accept(usedTokens(m));
          String text = PiRpc.userText(m);
          if (!text.isBlank()) lastAnswer = text;
          if ("error".equals(m.getString("stopReason"))) {
            transcript.spark("The model call failed: " + m.getString("errorMessage", "no reason given"));
          } else if ("aborted".equals(m.getString("stopReason"))) {
            transcript.spark("Aborted.");
          }
        }
      }
      case "tool_execution_start" -> transcript.toolStart(msg.getString("toolCallId"), msg.getString("toolName"), msg.getValue("args"));
      case "tool_execution_update" -> transcript.toolUpdate(msg.getString("toolCallId"), msg.getValue("partialResult"), false, false);
      case "tool_execution_end" -> transcript.toolUpdate(msg.getString("toolCallId"), msg.getValue("result"), true,
          Boolean.TRUE.equals(msg.getBoolean("isError")));
      case "extension_ui_request" -> {
        // Nobody sits at this session: dialogs an extension opens are dismissed rather than left to block the agent.
        String method = msg.getString("method", "");
        if (List.of("select", "confirm", "input", "editor").contains(method)) {
          rpc.send(new JsonObject().put("type", "extension_ui_response").put("id", msg.getValue("id")).put("cancelled", true));
        }
      }
      default -> {
        // turn_start/turn_end, queue_update, compaction and retry events: not shown
      }
    }
  }

  private void messageStart(JsonObject message) {
    String role = message.getString("role", "");
    if ("assistant".equals(role)) {
      currentAssistant = null;  // its entry starts with its first text (a message of tool calls only has none)
      return;
    }
    if (!"user".equals(role)) return;
    String text = PiRpc.userText(message);
    transcript.taken(text);
    delivery.taken(text);
  }

  /** The tokens an assistant message used (Pi's {@code usage}: input and output; cache reads are not counted). */
  static long usedTokens(JsonObject message) {
    JsonObject usage = message.getJsonObject("usage", new JsonObject());
    return usage.getLong("input", 0L) + usage.getLong("output", 0L);
  }

  /** The process is gone: an assistant message it was writing ends there. */
  void processGone() {
    currentAssistant = null;
  }
}
