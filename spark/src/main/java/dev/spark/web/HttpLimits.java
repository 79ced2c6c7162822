package dev.spark.web;

import dev.spark.config.SparkConfig;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The limits every Spark HTTP server (the embedded one and the dashboard sidecar) sets on purpose:
 *
 * <ul>
 *   <li>{@code web.maxInitialLineBytes}: a longer request line (method, path, query) gets 414;</li>
 *   <li>{@code web.maxHeaderBytes}: larger headers in all get 431;</li>
 *   <li>{@code web.idleTimeoutMs}: a connection with no request in progress (a new one whose request
 *   head has not fully arrived, or a kept-alive one between requests) is closed after this long. A
 *   client that opens connections and trickles its headers a byte at a time (slowloris) therefore
 *   holds each for at most that long, however steadily it trickles. A request being answered is
 *   never cut, so an SSE stream or a long VACUUM keeps its connection.</li>
 * </ul>
 * HTTP/2 over cleartext (h2c) is off. Bodies are bounded per route ({@code ingest.maxBodyBytes}, 8 KB for the login form, 64 KB for
 * agent messages). No thread waits on a slow client: Vert.x reads and writes without blocking.
 *
 * <p>One instance per HTTP server object, so per event loop: its connections are only ever handled
 * on that loop, and the bookkeeping needs no locks.
 */
final class HttpLimits {
  private final Vertx vertx;
  private final long idleNanos;
  private final long sweepMs;
  private final Map<HttpConnection, Tracked> connections = new HashMap<>();
  private long timer = -1;

  /**
   * Only the connection's latest response: HTTP/1.1 answers in order (Vert.x hands a pipelined
   * request to the handler only once the one before it is answered), so the connection is idle exactly
   * when its latest response has ended. Keeping every response until the next sweep held each one, its
   * routing context and its body for up to a quarter of the idle timeout (7.5 s by default): at
   * 20,000 requests/s some 150,000 of them, promoted to the old generation and collected in bursts.
   */
  private static final class Tracked {
    HttpServerResponse latest;
    long idleSince;

    boolean busy() {
      return latest != null && !latest.ended() && !latest.closed();
    }
  }

  private HttpLimits(Vertx vertx, long idleTimeoutMs) {
    this.vertx = vertx;
    this.idleNanos = idleTimeoutMs * 1_000_000;
    this.sweepMs = Math.max(25, idleTimeoutMs / 4);
  }

  static HttpServerOptions options(SparkConfig.Web web) {
    // No HTTP/2 over cleartext (h2c): while Vert.x sniffs for its preface it has no connection object
    // yet, so nothing could time out a client that trickles its request line. Spark speaks HTTP/1.1.
    return new HttpServerOptions().setHost(web.host()).setPort(web.port()).setCompressionSupported(false)
        .setHttp2ClearTextEnabled(false)
        .setMaxInitialLineLength(web.maxInitialLineBytes())
        .setMaxHeaderSize(web.maxHeaderBytes());
  }

  /**
   * Creates the server with {@link #options} and the idle-connection rule around {@code handler}.
   * The returned limits must be {@link #stop stopped} with the server.
   */
  static HttpLimits install(Vertx vertx, HttpServer server, SparkConfig.Web web, Handler<HttpServerRequest> handler) {
    HttpLimits limits = new HttpLimits(vertx, web.idleTimeoutMs());
    server.connectionHandler(limits::connected);
    server.requestHandler(req -> {
      limits.requested(req);
      handler.handle(req);
    });
    limits.timer = vertx.setPeriodic(limits.sweepMs, id -> limits.sweep());
    return limits;
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  /** Responses held for the idle rule: at most one per open connection (for tests). */
  int trackedResponses() {
    int n = 0;
    for (Tracked t : connections.values()) if (t.latest != null) n++;
    return n;
  }

  private void connected(HttpConnection conn) {
    Tracked t = new Tracked();
    t.idleSince = System.nanoTime();
    connections.put(conn, t);
    conn.closeHandler(v -> connections.remove(conn));
  }

  private void requested(HttpServerRequest req) {
    Tracked t = connections.get(req.connection());
    if (t == null) return;
    t.latest = req.response();
    t.idleSince = -1;
  }

  /**
   * A connection is idle from the first sweep that finds every response on it ended (or since it
   * opened), and is closed once it has been idle for the timeout: at most one sweep (a quarter of
   * the timeout) late.
   */
  private void sweep() {
    long now = System.nanoTime();
    List<HttpConnection> expired = new ArrayList<>();
    for (Iterator<Map.Entry<HttpConnection, Tracked>> it = connections.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<HttpConnection, Tracked> e = it.next();
      Tracked t = e.getValue();
      if (t.busy()) {
        t.idleSince = -1;
      } else if (t.idleSince < 0) {
        t.idleSince = now;
      } else if (now - t.idleSince >= idleNanos) {
        it.remove();
        expired.add(e.getKey());
      }
    }
    for (HttpConnection conn : expired) conn.close();
  }
}
