package dev.spark.web;

import dev.spark.config.SparkConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The idle-connection rule of {@link HttpLimits} holds on to each connection's latest response only:
 * a kept-alive connection that has answered many requests keeps none of the earlier ones (each held
 * its routing context and body until the next sweep, a quarter of the idle timeout), and a pipelined
 * request still keeps its connection open until it is answered.
 */
class HttpLimitsTrackingTest {
  private static final long IDLE_MS = 400;
  private static final long SLOW_MS = 1_200;

  private Vertx vertx;
  private Context ctx;
  private HttpLimits limits;
  private int port;

  @BeforeEach
  void vertx() {
    vertx = Vertx.vertx();
    ctx = vertx.getOrCreateContext();
  }

  private void start(long idleMs) throws Exception {
    SparkConfig.Web web = new SparkConfig.Web(true, "127.0.0.1", 0, "t", 1, 8_192, 4_096, idleMs, List.of());
    port = onContext(() -> {
      HttpServer server = vertx.createHttpServer(HttpLimits.options(web));
      limits = HttpLimits.install(vertx, server, web, req -> {
        if (req.path().equals("/slow")) vertx.setTimer(SLOW_MS, t -> req.response().end("slow"));
        else req.response().end("fast");
      });
      return server.listen().map(HttpServer::actualPort);
    });
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aKeptAliveConnectionHoldsOnlyItsLatestResponse() throws Exception {
    start(60_000); // the connection must not be closed as idle between two of the requests on a slow machine
    HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setDefaultHost("127.0.0.1")
        .setDefaultPort(port), new PoolOptions().setHttp1MaxSize(1));
    for (int i = 0; i < 500; i++) {
      String body = http.request(HttpMethod.GET, "/fast").compose(req -> req.send().compose(HttpClientResponse::body))
          .await(10, TimeUnit.SECONDS).toString();
      assertEquals("fast", body);
    }
    assertEquals(1, (int) onContext(() -> Future.succeededFuture(limits.trackedResponses())),
        "500 requests on one kept-alive connection: only the latest response is held");
  }

  @Test
  void aPipelinedRequestKeepsItsConnectionUntilItIsAnsweredThenItClosesWhenIdle() throws Exception {
    start(IDLE_MS);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(10_000);
      long t0 = System.nanoTime();
      s.getOutputStream().write(("GET /fast HTTP/1.1\r\nHost: localhost\r\n\r\n"
          + "GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      String all = new String(in.readAllBytes(), StandardCharsets.US_ASCII); // until the server closes
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(all.contains("fast") && all.endsWith("slow"), "both answered, in order: " + all);
      // The slow answer took longer than the idle timeout: the connection was busy, not idle, meanwhile.
      assertTrue(ms >= SLOW_MS + IDLE_MS * 9 / 10, "closed only once idle after the slow answer: " + ms + " ms");
      assertTrue(ms < SLOW_MS + IDLE_MS * 4, "closed soon after it went idle: " + ms + " ms");
    }
  }

  private <T> T onContext(Callable<Future<T>> work) throws Exception {
    Promise<T> result = Promise.promise();
    ctx.runOnContext(v -> {
      try {
        work.call().onComplete(result);
      } catch (Exception e) {
        result.fail(e);
      }
    });
    return result.future().await(10, TimeUnit.SECONDS);
  }
}
