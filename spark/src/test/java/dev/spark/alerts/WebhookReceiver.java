package dev.spark.alerts;

import dev.spark.support.Await;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on loopback that records every request it gets (headers, body, when) and answers
 * with the statuses it is told, in order (200 once they run out).
 */
final class WebhookReceiver {
  record Received(String path, MultiMap headers, String body, long atNanos) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String header(String name) {
      return headers.get(name);
    }
  }

  final int port;
  private final HttpServer server;
  private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
  private final List<Received> all = java.util.Collections.synchronizedList(new ArrayList<>());

  private WebhookReceiver(HttpServer server) {
    this.server = server;
    this.port = server.actualPort();
  }

  static WebhookReceiver start(Vertx vertx, int port) {
    WebhookReceiver[] self = new WebhookReceiver[1];
    HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      Received r = new Received(req.path(), MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), body.toString(), System.nanoTime());
      self[0].all.add(r);
      self[0].received.add(r);
      Integer status = self[0].statuses.poll();
      req.response().setStatusCode(status == null ? 200 : status).end();
    }));
    Await.result(server.listen(port, "127.0.0.1"));
    self[0] = new WebhookReceiver(server);
    return self[0];
  }

  void answer(Integer... codes) {
    statuses.addAll(List.of(codes));
  }

  /** The next request, waiting at most {@code ms}; null when none came. */
  Received next(long ms) throws InterruptedException {
    return received.poll(ms, TimeUnit.MILLISECONDS);
  }

  Received nextOrFail(long ms) throws InterruptedException {
    Received r = next(ms);
    if (r == null) throw new AssertionError("no request within " + ms + " ms");
    return r;
  }

  List<Received> all() {
    synchronized (all) {
      return List.copyOf(all);
    }
  }

  void stop() {
    Await.result(server.close());
  }
}
