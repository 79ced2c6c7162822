package dev.spark.bench;

import dev.spark.support.SseRequest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.util.BitSet;

/**
 * One SSE agent subscriber on {@code GET /api/v1/stream}: parses each {@code id:}/{@code data:}
 * message and, for events carrying {@code data.sentAtNanos}, records now − sentAtNanos the moment
 * the message has been parsed.
 */
final class SseAgent {
  private final HttpClient http;
  private final Promise<Void> greeted = Promise.promise();
  private final RunStats.LongList latencies = new RunStats.LongList();
  /** When each of {@link #latencies}' events was sent (its sentAtNanos), in the same order. */
  private final RunStats.LongList sentAt = new RunStats.LongList();
  private final BitSet seen = new BitSet();
  private long received;
  private long duplicates;
  private long outOfOrder;
  private long lastId;
  private long parseErrors;
  private volatile boolean closed;

  private SseAgent(HttpClient http) {
    this.http = http;
  }

  /** Completes once the server answered 200 and sent its greeting comment. */
  static Future<SseAgent> connect(Vertx vertx, int port, String token) {
    return connect(vertx, port, token, false);
  }

  /** The same as an observer ({@code ?observe=true}): sees every stored event, consumes nothing. */
  static Future<SseAgent> connect(Vertx vertx, int port, String token, boolean observer) {
    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true));
    SseAgent agent = new SseAgent(http);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
        .setURI(observer ? "/api/v1/stream?observe=true" : "/api/v1/stream").putHeader("Authorization", "Bearer " + token).putHeader("Accept", "text/event-stream");
    return SseRequest.open(http, options, agent::parse, () -> agent.closed = true).compose(resp -> agent.greeted.future().map(agent));
  }

  private synchronized void parse(String block) {
    long id = -1;
    String data = null;
    int from = 0;
    while (from <= block.length()) {
      int nl = block.indexOf('\n', from);
      String line = nl < 0 ? block.substring(from) : block.substring(from, nl);
      if (line.startsWith(":")) greeted.tryComplete();
      else if (line.startsWith("id: ")) id = Long.parseLong(line.substring(4).trim());
      else if (line.startsWith("data: ")) data = line.substring(6);
      if (nl < 0) break;
      from = nl + 1;
    }
    if (data == null) return;
    JsonObject event;
    try {
      event = new JsonObject(data);
    } catch (RuntimeException e) {
      parseErrors++;
      return;
    }
    JsonObject payload = event.getValue("data") instanceof JsonObject o ? o : null;
    long now = System.nanoTime();
    received++;
    if (id >= 0) {
      if (seen.get((int) id)) duplicates++;
      else seen.set((int) id);
      if (id <= lastId) outOfOrder++;
      lastId = Math.max(lastId, id);
    }
    if (payload != null && payload.getValue("sentAtNanos") instanceof Number sent) {
      latencies.add(now - sent.longValue());
      sentAt.add(sent.longValue());
    }
  }

  /** Forgets the latencies so far (a lead-in's) and returns how many messages were received until now. */
  synchronized long restartLatencies() {
    latencies.clear();
    sentAt.clear();
    return received;
  }

  /** The 99th percentile latency (ms) of the events sent in each whole second from {@code startNanos}. */
  synchronized double[] p99BySecond(long startNanos, int seconds) {
    RunStats.LongList[] by = new RunStats.LongList[Math.max(0, seconds)];
    for (int i = 0; i < latencies.size(); i++) {
      long second = (sentAt.get(i) - startNanos) / 1_000_000_000L;
      if (second < 0 || second >= by.length) continue;
      if (by[(int) second] == null) by[(int) second] = new RunStats.LongList();
      by[(int) second].add(latencies.get(i));
    }
    double[] p99 = new double[by.length];
    for (int s = 0; s < by.length; s++) p99[s] = by[s] == null ? Double.NaN : RunStats.percentileMs(by[s].sorted(), 99);
    return p99;
  }

  synchronized long received() {
    return received;
  }

  synchronized BitSet seen() {
    return (BitSet) seen.clone();
  }

  synchronized long[] sortedLatencies() {
    return latencies.sorted();
  }

  synchronized String problems() {
    StringBuilder out = new StringBuilder();
    if (duplicates > 0) out.append(duplicates).append(" duplicate ids; ");
    if (outOfOrder > 0) out.append(outOfOrder).append(" out-of-order ids; ");
    if (parseErrors > 0) out.append(parseErrors).append(" unparseable messages; ");
    if (closed) out.append("stream closed by the server; ");
    return out.toString();
  }

  Future<Void> close() {
    return http.close();
  }
}
