package dev.spark.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A scripted OpenAI-compatible chat-completions endpoint on loopback ({@code POST /v1/chat/completions},
 * streamed as {@code data:} chunks, tool calls included), for running the real Pi without a real model.
 * Every request body is recorded; {@code script} decides each answer from the request.
 */
public final class ScriptedModel {
  public static final String PROVIDER = "scripted";
  public static final String MODEL = "scripted-model";

  /** One answer: text, tool calls, or (with {@code hold}) nothing until the future completes. */
  public record Reply(String text, List<JsonObject> toolCalls, Future<Void> hold) {
    public static Reply text(String text) {
      return new Reply(text, List.of(), null);
    }

    /** One tool call: {@code name} with {@code args}. */
    public static Reply tool(String name, JsonObject args) {
      return new Reply(null, List.of(new JsonObject().put("name", name).put("arguments", args)), null);
    }

    /** Answers nothing (the connection stays open) until {@code release} completes, then {@code then}. */
    public static Reply hold(Future<Void> release) {
      return new Reply("released", List.of(), release);
    }
  }

  private final HttpServer server;
  private final Collected<JsonObject> requests = new Collected<>();
  private int calls;

  private ScriptedModel(HttpServer server) {
    this.server = server;
  }

  public static Future<ScriptedModel> start(Vertx vertx, Function<JsonObject, Reply> script) {
    HttpServer server = vertx.createHttpServer();
    ScriptedModel model = new ScriptedModel(server);
    server.requestHandler(req -> {
      if (!req.path().endsWith("/chat/completions")) {
        req.response().setStatusCode(404).end();
        return;
      }
      req.body().onSuccess(body -> {
        JsonObject request = body.toJsonObject();
        Reply reply;
        synchronized (model) {
          model.calls++;
        }
        try {
          reply = script.apply(request);
        } catch (RuntimeException e) {
          reply = Reply.text("script failed: " + e);
        }
        model.requests.handle(request);
        HttpServerResponse res = req.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
        Reply r = reply;
        if (r.hold() != null) r.hold().onComplete(x -> answer(res, r));
        else answer(res, r);
      });
    });
    return server.listen(0, "127.0.0.1").map(model);
  }

  private static void answer(HttpServerResponse res, Reply reply) {
    if (res.closed()) return;
    JsonObject base = new JsonObject().put("id", "chatcmpl-1").put("object", "chat.completion.chunk").put("created", 1).put("model", MODEL);
    if (!reply.toolCalls().isEmpty()) {
      int i = 0;
      for (JsonObject call : reply.toolCalls()) {
        String id = "call_" + Long.toHexString(System.nanoTime()) + "_" + i;
        chunk(res, base, new JsonObject().put("role", "assistant").put("tool_calls", new JsonArray().add(new JsonObject()
            .put("index", i).put("id", id).put("type", "function")
            .put("function", new JsonObject().put("name", call.getString("name")).put("arguments", "")))), null);
        chunk(res, base, new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject()
            .put("index", i).put("function", new JsonObject().put("arguments", call.getJsonObject("arguments").encode())))), null);
        i++;
      }
      chunk(res, base, new JsonObject(), "tool_calls");
    } else {
      String text = reply.text();
      int half = text.length() / 2;
      chunk(res, base, new JsonObject().put("role", "assistant").put("content", text.substring(0, half)), null);
      chunk(res, base, new JsonObject().put("content", text.substring(half)), null);
      chunk(res, base, new JsonObject(), "stop");
    }
    res.write("data: [DONE]\n\n");
    res.end();
  }

  private static void chunk(HttpServerResponse res, JsonObject base, JsonObject delta, String finish) {
    JsonObject choice = new JsonObject().put("index", 0).put("delta", delta);
    if (finish != null) choice.put("finish_reason", finish);
    JsonObject c = base.copy().put("choices", new JsonArray().add(choice));
    if (finish != null) c.put("usage", new JsonObject().put("prompt_tokens", 10).put("completion_tokens", 5).put("total_tokens", 15));
    res.write("data: " + c.encode() + "\n\n");
  }

  public int port() {
    return server.actualPort();
  }

  /** The first request, made so far or later, that matches. */
  public Future<JsonObject> await(Predicate<JsonObject> match) {
    return requests.await(match);
  }

  public List<JsonObject> requests() {
    return requests.all();
  }

  public Future<Void> close() {
    return server.close();
  }

  /**
   * Writes a Pi configuration directory ({@code PI_CODING_AGENT_DIR}) whose only model is this endpoint.
   *
   * @return the variables to give the agent
   */
  public Map<String, String> piEnvironment(Path agentDir) {
    try {
      Files.createDirectories(agentDir);
      JsonObject models = new JsonObject().put("providers", new JsonObject().put(PROVIDER, new JsonObject()
          .put("baseUrl", "http://127.0.0.1:" + port() + "/v1")
          .put("api", "openai-completions")
          .put("apiKey", "scripted-key")
          .put("compat", new JsonObject().put("supportsDeveloperRole", false).put("supportsReasoningEffort", false))
          .put("models", new JsonArray().add(new JsonObject().put("id", MODEL).put("reasoning", false)))));
      Files.writeString(agentDir.resolve("models.json"), models.encodePrettily());
      Files.writeString(agentDir.resolve("settings.json"), new JsonObject().put("defaultProvider", PROVIDER).put("defaultModel", MODEL)
          .put("enableInstallTelemetry", false).encodePrettily());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Map.of("PI_CODING_AGENT_DIR", agentDir.toString(), "PI_OFFLINE", "1");
  }

  // ------------------------------------------------------------------ reading a request

  /** The text of the last user message. */
  public static String lastUserText(JsonObject request) {
    JsonArray messages = request.getJsonArray("messages", new JsonArray());
    for (int i = messages.size() - 1; i >= 0; i--) {
      JsonObject m = messages.getJsonObject(i);
      if ("user".equals(m.getString("role"))) return text(m);
    }
    return "";
  }

  /** Tool results after the last user message (how far the script has got in this run). */
  public static int toolResultsSinceUser(JsonObject request) {
    JsonArray messages = request.getJsonArray("messages", new JsonArray());
    int n = 0;
    for (int i = messages.size() - 1; i >= 0; i--) {
      String role = messages.getJsonObject(i).getString("role");
      if ("user".equals(role)) break;
      if ("tool".equals(role)) n++;
    }
    return n;
  }

  /** The system prompt as sent to the model. */
  public static String systemText(JsonObject request) {
    for (Object o : request.getJsonArray("messages", new JsonArray())) {
      JsonObject m = (JsonObject) o;
      if ("system".equals(m.getString("role")) || "developer".equals(m.getString("role"))) return text(m);
    }
    return "";
  }

  /** The names of the tools offered to the model. */
  public static List<String> toolNames(JsonObject request) {
    List<String> names = new ArrayList<>();
    for (Object o : request.getJsonArray("tools", new JsonArray())) {
      names.add(((JsonObject) o).getJsonObject("function", new JsonObject()).getString("name"));
    }
    return names;
  }

  /** Every message's text, joined (to look for something anywhere in the conversation). */
  public static String allText(JsonObject request) {
    StringBuilder s = new StringBuilder();
    for (Object o : request.getJsonArray("messages", new JsonArray())) s.append(text((JsonObject) o)).append('\n');
    return s.toString();
  }

  private static String text(JsonObject message) {
    Object content = message.getValue("content");
    if (content instanceof String s) return s;
    StringBuilder s = new StringBuilder();
    if (content instanceof JsonArray arr) {
      for (Object o : arr) if (o instanceof JsonObject c && c.getString("text") != null) s.append(c.getString("text"));
    }
    return s.toString();
  }
}
