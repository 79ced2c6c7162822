package dev.spark.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * A minimal Server-Sent Events client over a real HTTP connection: parses {@code id:}/{@code data:}
 * blocks, records each event with its arrival time, and lets a test wait for the n-th one.
 */
public final class SseTestClient {
  public record Received(long id, JsonObject data, long arrivedNanos) {}

  private final HttpClient http;
  private final List<Received> events = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final Promise<Void> connected = Promise.promise();
  private HttpClientResponse response;
  private int comments;

  private record Waiter(int count, Promise<List<Received>> promise) {}

  private record IdWaiter(long id, Promise<List<Received>> promise) {}

  private final List<IdWaiter> idWaiters = new ArrayList<>();

  private record CommentWaiter(int count, Promise<Void> promise) {}

  private final List<CommentWaiter> commentWaiters = new ArrayList<>();

  private SseTestClient(HttpClient http) {
    this.http = http;
  }

  /** Connects; the future completes once the server has answered 200 and sent its first comment. */
  public static Future<SseTestClient> connect(Vertx vertx, int port, String query, Long lastEventId) {
    HttpClient http = vertx.createHttpClient();
    SseTestClient client = new SseTestClient(http);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
        .setURI("/api/v1/stream" + (query == null ? "" : "?" + query))
        .putHeader("Authorization", "Bearer " + SparkUnderTest.TOKEN)
        .putHeader("Accept", "text/event-stream");
    if (lastEventId != null) options.putHeader("Last-Event-ID", String.valueOf(lastEventId));
    return SseRequest.open(http, options, client::parse, null).compose(resp -> {
      client.response = resp;
      return client.connected.future().map(client);
    });
  }

  private synchronized void parse(String block) {
    Long id = null;
    StringBuilder data = new StringBuilder();
    for (String line : block.split("\n")) {
      if (line.startsWith(":")) {
        comments++;
        connected.tryComplete();
        commentWaiters.removeIf(w -> {
          if (comments < w.count()) return false;
          w.promise().tryComplete();
          return true;
        });
      } else if (line.startsWith("id: ")) {
        id = Long.parseLong(line.substring(4).trim());
      } else if (line.startsWith("data: ")) {
        data.append(line.substring(6));
      }
    }
    if (id == null) return;
    events.add(new Received(id, new JsonObject(data.toString()), System.nanoTime()));
    waiters.removeIf(w -> {
      if (events.size() < w.count()) return false;
      w.promise().tryComplete(List.copyOf(events));
      return true;
    });
    long got = id;
    idWaiters.removeIf(w -> {
      if (w.id() != got) return false;
      w.promise().tryComplete(List.copyOf(events));
      return true;
    });
  }

  /** Completes with all events received so far once the event with this id has arrived. */
  public synchronized Future<List<Received>> awaitId(long id) {
    if (events.stream().anyMatch(e -> e.id() == id)) return Future.succeededFuture(List.copyOf(events));
    Promise<List<Received>> p = Promise.promise();
    idWaiters.add(new IdWaiter(id, p));
    return p.future();
  }

  /** Completes with all events received so far once there are at least {@code count}. */
  public synchronized Future<List<Received>> awaitCount(int count) {
    if (events.size() >= count) return Future.succeededFuture(List.copyOf(events));
    Promise<List<Received>> p = Promise.promise();
    waiters.add(new Waiter(count, p));
    return p.future();
  }

  /** Completes once {@code total} comment lines (the greeting and heartbeats) have arrived in all. */
  public synchronized Future<Void> awaitComments(int total) {
    if (comments >= total) return Future.succeededFuture();
    Promise<Void> p = Promise.promise();
    commentWaiters.add(new CommentWaiter(total, p));
    return p.future();
  }

  /** Comment lines (the greeting and heartbeats) received so far. */
  public synchronized int comments() {
    return comments;
  }

  public synchronized List<Received> events() {
    return List.copyOf(events);
  }

  public Future<Void> close() {
    return http.close();
  }
}
