package dev.spark;

import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An SSE agent (no {@code observe}): reads {@code id:}/{@code data:} messages, remembers the last
 * id it got, and reconnects with {@code Last-Event-ID} as an EventSource would.
 */
final class ResumingSseAgent {
  record Got(long id, String traceId, int connection) {}

  private final int port;
  private final List<Got> received = new ArrayList<>();
  private final List<Long> resumedFrom = new ArrayList<>();
  private final List<Map.Entry<java.util.function.LongPredicate, CompletableFuture<Void>>> waiters = new ArrayList<>();
  private HttpClient http;
  private InputStream body;
  private Thread reader;
  private CompletableFuture<Void> ended = CompletableFuture.completedFuture(null);
  private long lastId;
  private int connections;

  ResumingSseAgent(int port) {
    this.port = port;
  }

  void connect(Long lastEventId) throws Exception {
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/stream"))
        .header("Authorization", "Bearer " + CrashDurabilityIT.TOKEN).header("Accept", "text/event-stream");
    if (lastEventId != null) req.header("Last-Event-ID", Long.toString(lastEventId));
    HttpResponse<InputStream> r = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    int connection;
    synchronized (this) {
      connection = connections++;
      resumedFrom.add(lastEventId == null ? -1 : lastEventId);
    }
    body = r.body();
    CompletableFuture<Void> done = new CompletableFuture<>();
    ended = done;
    reader = new Thread(() -> read(r.body(), connection, done), "sse-agent-" + connection);
    reader.setDaemon(true);
    reader.start();
  }

  private void read(InputStream in, int connection, CompletableFuture<Void> done) {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      Long id = null;
      StringBuilder data = new StringBuilder();
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.isEmpty()) {
          if (id != null) got(id, new JsonObject(data.toString()).getString("traceId"), connection);
          id = null;
          data.setLength(0);
        } else if (line.startsWith("id: ")) {
          id = Long.parseLong(line.substring(4).trim());
        } else if (line.startsWith("data: ")) {
          data.append(line.substring(6));
        }
      }
    } catch (IOException e) {
      // Spark went away, or we disconnected
    } finally {
      done.complete(null);
    }
  }

  private synchronized void got(long id, String traceId, int connection) {
    received.add(new Got(id, traceId, connection));
    lastId = id;
    waiters.removeIf(w -> {
      if (!w.getKey().test(id)) return false;
      w.getValue().complete(null);
      return true;
    });
  }

  private synchronized CompletableFuture<Void> await(java.util.function.LongPredicate match) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    if (!received.isEmpty() && match.test(lastId)) f.complete(null);
    else waiters.add(Map.entry(match, f));
    return f;
  }

  CompletableFuture<Void> awaitId(long id) {
    return await(last -> last >= id);
  }

  CompletableFuture<Void> awaitCount(int n) {
    return await(last -> received.size() >= n);
  }

  CompletableFuture<Void> awaitDisconnected() {
    return ended;
  }

  void disconnect() throws Exception {
    if (body != null) body.close();
    ended.get(30, TimeUnit.SECONDS);
  }

  synchronized long lastId() {
    return lastId;
  }

  synchronized int count() {
    return received.size();
  }

  synchronized int connections() {
    return connections;
  }

  synchronized List<Got> received() {
    return List.copyOf(received);
  }
}
