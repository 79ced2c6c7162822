package dev.spark.agent;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Pi's RPC protocol over the current agent process: commands carry a fresh id and complete with the
 * {@code response} of that id. Each process is a generation; callbacks of an earlier one (a dead
 * process, a command answered after a restart) see {@link #current} false and are ignored.
 */
final class PiRpc {
  private final Vertx vertx;
  private final Map<String, Promise<JsonObject>> requests = new HashMap<>();
  private RpcProcess process;
  private int generation;
  private long commandSeq;
  private String lastCommandId;

  PiRpc(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Starts the process of a new generation; its messages and exit reach the handlers with that generation. */
  int start(Context context, List<String> command, Path cwd, Map<String, String> env,
      BiConsumer<Integer, JsonObject> onMessage, BiConsumer<Integer, Integer> onExit) throws IOException {
    int gen = ++generation;
    process = null;
    process = RpcProcess.start(context, command, cwd, env, msg -> onMessage.accept(gen, msg), code -> onExit.accept(gen, code));
    return gen;
  }

  int generation() {
    return generation;
  }

  boolean current(int gen) {
    return gen == generation;
  }

  boolean running() {
    return process != null;
  }

  /** The running process, or null. */
  RpcProcess process() {
    return process;
  }

  /** Forgets the current process (what is still pending for it is not answered by its callbacks): returns it, or null. */
  RpcProcess detach() {
    RpcProcess p = process;
    process = null;
    generation++;
    return p;
  }

  /** Sends a message that needs no answer (e.g. an extension dialog's response). */
  void send(JsonObject message) {
    if (process != null) process.send(message);
  }

  /** Sends a command with a fresh id; completes with Pi's successful response, fails with its error or after {@code timeoutMs}. */
  Future<JsonObject> command(JsonObject command, long timeoutMs) {
    if (process == null) return Future.failedFuture("the agent process is not running");
    String id = command.getString("type") + "-" + (++commandSeq);
    lastCommandId = id;
    Promise<JsonObject> promise = Promise.promise();
    requests.put(id, promise);
    long timer = vertx.setTimer(timeoutMs, t -> {
      Promise<JsonObject> p = requests.remove(id);
      if (p != null) p.tryFail("no answer within " + timeoutMs + " ms");
    });
    process.send(command.copy().put("id", id));
    return promise.future().onComplete(ar -> vertx.cancelTimer(timer));
  }

  /** The id of the command sent last. */
  String lastCommandId() {
    return lastCommandId;
  }

  /** Completes the command a {@code response} answers. */
  void answer(JsonObject response) {
    Promise<JsonObject> promise = requests.remove(response.getString("id", ""));
    if (promise == null) return;
    if (Boolean.TRUE.equals(response.getBoolean("success"))) promise.tryComplete(response);
    else promise.tryFail(response.getString("error", "refused without a reason"));
  }

  /** Fails every command still waiting for an answer. */
  void failAll(String why) {
    List<Promise<JsonObject>> open = new ArrayList<>(requests.values());
    requests.clear();
    for (Promise<JsonObject> p : open) p.tryFail(why);
  }

  /** A prompt queued as a follow-up while Pi is busy. */
  static JsonObject prompt(String text) {
    return new JsonObject().put("type", "prompt").put("message", text).put("streamingBehavior", "followUp");
  }

  /** The text of a user message: a string, or the text parts of its content. */
  static String userText(JsonObject message) {
    Object content = message.getValue("content");
    if (content instanceof String s) return s;
    StringBuilder s = new StringBuilder();
    if (content instanceof JsonArray arr) {
      for (Object o : arr) {
        if (o instanceof JsonObject c && "text".equals(c.getString("type"))) s.append(c.getString("text", ""));
      }
    }
    return s.toString();
  }
}
