package dev.spark.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The dashboard's agent console as a test sees it: {@code GET /api/v1/agent/stream} over a real HTTP
 * connection. Keeps the transcript (snapshot plus changes) and the latest state, and lets a test wait
 * for a state or an entry without sleeping.
 */
public final class AgentConsole {
  private final HttpClient http;
  private final Map<Long, JsonObject> entries = new LinkedHashMap<>();
  private final Collected<JsonObject> states = new Collected<>();
  private final Collected<JsonObject> entryChanges = new Collected<>();

  private AgentConsole(HttpClient http) {
    this.http = http;
  }

  public static Future<AgentConsole> connect(Vertx vertx, int port) {
    HttpClient http = vertx.createHttpClient();
    AgentConsole console = new AgentConsole(http);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
        .setURI("/api/v1/agent/stream").putHeader("Authorization", "Bearer " + SparkUnderTest.TOKEN);
    return SseRequest.open(http, options, console::onBlock, null).map(resp -> console);
  }

  private synchronized void onBlock(String block) {
    String event = null;
    StringBuilder data = new StringBuilder();
    for (String line : block.split("\n")) {
      if (line.startsWith("event: ")) event = line.substring(7);
      else if (line.startsWith("data: ")) data.append(line.substring(6));
    }
    if (event == null || data.length() == 0) return;
    JsonObject json = new JsonObject(data.toString());
    if (event.equals("snapshot")) {
      for (Object o : json.getJsonArray("transcript", new JsonArray())) add((JsonObject) o);
      json.remove("transcript");
      states.handle(json);
    } else {
      apply(json);
    }
  }

  private void apply(JsonObject change) {
    switch (change.getString("op")) {
      case "state" -> states.handle(change.getJsonObject("state"));
      case "add" -> add(change.getJsonObject("entry"));
      case "update" -> add(change.getJsonObject("entry"));
      case "append" -> {
        JsonObject e = entries.get(change.getLong("seq"));
        if (e != null) {
          e.put("text", e.getString("text", "") + change.getString("text"));
          entryChanges.handle(e.copy());
        }
      }
      default -> { }
    }
  }

  private void add(JsonObject entry) {
    entries.put(entry.getLong("seq"), entry.copy());
    entryChanges.handle(entry.copy());
  }

  /** The first state (snapshot or change) that matches. */
  public Future<JsonObject> awaitState(Predicate<JsonObject> match) {
    return states.await(match);
  }

  /** The first entry version (as added, appended to or updated) that matches. */
  public Future<JsonObject> awaitEntry(Predicate<JsonObject> match) {
    return entryChanges.await(match);
  }

  public synchronized List<JsonObject> transcript() {
    return List.copyOf(entries.values());
  }

  public List<JsonObject> states() {
    return states.all();
  }

  public Future<Void> close() {
    return http.close();
  }

  /** The agent is ready for events: idle or busy, and subscribed. */
  public static boolean ready(JsonObject state) {
    return Boolean.TRUE.equals(state.getBoolean("available")) && Boolean.TRUE.equals(state.getBoolean("subscribed"));
  }
}
