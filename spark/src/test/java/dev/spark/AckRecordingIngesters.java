package dev.spark;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Clients that post batches of events in a loop, each event with a trace id of its own, and
 * record the ids Spark acknowledges. They stop at the first connection error (the kill).
 */
final class AckRecordingIngesters {
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final URI uri;
  private final String round;
  private final int batch;
  private final Map<Long, String> acked;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong ackedHere = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicBoolean killExpected = new AtomicBoolean();
  private final List<String> unexpected = new CopyOnWriteArrayList<>();
  private final List<Map.Entry<Long, CompletableFuture<Void>>> thresholds = new CopyOnWriteArrayList<>();

  AckRecordingIngesters(int port, String round, int clients, int batch, Map<Long, String> acked) {
    this.uri = URI.create("http://127.0.0.1:" + port + "/api/v1/events");
    this.round = round;
    this.batch = batch;
    this.acked = acked;
    for (int c = 0; c < clients; c++) {
      int client = c;
      Thread t = new Thread(() -> run(client), "ingest-" + round + "-" + c);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  private void run(int client) {
    for (long seq = 0; !stop.get(); seq++) {
      JsonArray events = new JsonArray();
      List<String> traces = new ArrayList<>(batch);
      for (int i = 0; i < batch; i++) {
        String trace = round + "-c" + client + "-" + seq + "-" + i;
        traces.add(trace);
        events.add(new JsonObject().put("type", "server-error").put("traceId", trace).put("feature", "crash-test")
            .put("error", new JsonObject().put("message", "boom " + trace).put("stack", "Error: boom\n    at crash.ts:" + i)));
      }
      HttpResponse<String> r;
      try {
        requests.incrementAndGet();
        r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString(events.encode())).build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        if (!killExpected.get()) unexpected.add("connection error before the kill: " + e);
        return;
      } catch (InterruptedException e) {
        return;
      }
      if (r.statusCode() == 503) {
        refused.incrementAndGet();
        continue;
      }
      if (r.statusCode() != 200) {
        unexpected.add(r.statusCode() + ": " + r.body());
        continue;
      }
      JsonArray ids = new JsonObject(r.body()).getJsonArray("ids");
      for (int i = 0; i < ids.size(); i++) {
        String previous = acked.putIfAbsent(ids.getLong(i), traces.get(i));
        if (previous != null) unexpected.add("id " + ids.getLong(i) + " acknowledged twice: " + previous + ", " + traces.get(i));
      }
      long total = ackedHere.addAndGet(ids.size());
      for (Map.Entry<Long, CompletableFuture<Void>> t : thresholds) {
        if (total >= t.getKey()) t.getValue().complete(null);
      }
    }
  }

  CompletableFuture<Void> reached(long rows) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    thresholds.add(Map.entry(rows, f));
    if (ackedHere.get() >= rows) f.complete(null);
    return f;
  }

  void expectKill() {
    killExpected.set(true);
  }

  void join() throws InterruptedException {
    for (Thread t : threads) {
      t.join(60_000);
      assertFalse(t.isAlive(), t.getName() + " still running");
    }
  }

  void stopAndJoin() throws InterruptedException {
    stop.set(true);
    join();
    assertEquals(List.of(), unexpected);
  }

  List<String> unexpected() {
    return List.copyOf(unexpected);
  }

  String summary() {
    return requests.get() + " requests, " + ackedHere.get() + " events acknowledged, " + refused.get() + " refused (503)";
  }
}
