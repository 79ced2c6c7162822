package dev.spark.web;

import dev.spark.support.Await;
import dev.spark.support.LoudLogs;
import dev.spark.support.Poll;
import dev.spark.support.RawHttp;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18, finding 1 and 6: a client that announces a large body and stops sending must not shut
 * out everyone else (on main, every other ingest got 503 for as long as its socket stayed open), a
 * body that stops arriving is answered 408 after {@code ingest.bodyTimeoutMs}, and broken framing or
 * a client that vanishes mid-body is answered 400 (or just closed) without a stack trace in the log.
 */
@ExtendWith(VertxExtension.class)
class SlowClientsTest {
  private static final String EVENT = "{\"type\":\"server-error\",\"error\":{\"message\":\"normal %d\"}}";

  @Test
  void aStalledUploadIsHeldOpenWhileAThousandNormalIngestsSucceed(Vertx vertx, @TempDir Path dir) throws Exception {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("ingest", new JsonObject().put("bodyTimeoutMs", 600_000)));
    try (LoudLogs logs = LoudLogs.start();
         Socket declared = stall(spark.port, "Content-Length: 16777216\r\n", "[");
         // Opened once the first holds its byte (else the first, announcing all of maxInFlightBytes, is refused 503 at once).
         Socket chunked = Poll.until("the first stalled byte in flight", 5_000, () -> inFlight(spark) == 1)
             ? stall(spark.port, "Transfer-Encoding: chunked\r\n", "40\r\n[{\"type\":\"server-error\"") : null) {
      Poll.until("both stalled bodies to be counted as stalled in /health", 20_000, () -> {
        JsonObject ingest = Await.result(spark.client().get("/health").send()).bodyAsJsonObject().getJsonObject("ingest");
        return ingest.getInteger("stalledRequests") == 2 && ingest.getLong("stalledBytes") > 0;
      });
      for (int batch = 0; batch < 100; batch++) {
        List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) sent.add(spark.post("/api/v1/events", String.format(EVENT, batch * 10 + i)));
        for (Future<HttpResponse<Buffer>> f : sent) {
          HttpResponse<Buffer> r = Await.result(f);
          assertEquals(200, r.statusCode(), r.bodyAsString());
        }
      }
      assertEquals(1_000, spark.count("SELECT count(*) FROM events"));
      String metrics = Await.result(spark.client().get("/metrics").bearerTokenAuthentication(SparkUnderTest.TOKEN).send()).bodyAsString();
      assertTrue(metrics.lines().anyMatch(l -> l.startsWith("spark_ingest_stalled_bytes ") && !l.endsWith(" 0.0")), metrics);
      // Both attackers are still connected and unanswered: nothing cut them, they just hold what they sent.
      for (Socket s : List.of(declared, chunked)) {
        s.setSoTimeout(200);
        assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
      }
      assertEquals(List.of(), logs.records());
    }
  }

  @Test
  void aBodyThatStopsArrivingIsAnswered408AndItsConnectionClosed(Vertx vertx, @TempDir Path dir) throws Exception {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("ingest", new JsonObject().put("bodyTimeoutMs", 500)));
    try (LoudLogs logs = LoudLogs.start(); Socket s = stall(spark.port, "Content-Length: 1000\r\n", "[{\"type\":\"server-error\",")) {
      RawHttp.Answer answer = RawHttp.read(s.getInputStream(), false);
      assertEquals(408, answer.status(), answer.toString());
      assertTrue(answer.text().contains("ingest.bodyTimeoutMs"), answer.text());
      assertEquals(-1, s.getInputStream().read(), "the connection is closed after the 408");
      JsonObject ingest = Poll.until("the stalled bytes to be given back", 5_000, () -> {
        JsonObject i = Await.result(spark.client().get("/health").send()).bodyAsJsonObject().getJsonObject("ingest");
        return i.getLong("inFlightBytes") == 0 ? i : null;
      });
      assertEquals(0, ingest.getInteger("stalledRequests"));
      assertEquals(0, spark.count("SELECT count(*) FROM events"));
      assertEquals(List.of(), logs.records());
    }
  }

  @Test
  void brokenChunkedFramingIsA400OrAClosedConnectionAndAVanishedClientIsNotLoggedAboveFine(Vertx vertx, @TempDir Path dir) throws Exception {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    try (LoudLogs logs = LoudLogs.start()) {
      for (String path : List.of("/api/v1/events", "/mcp", "/api/v1/agent/messages")) {
        byte[] request = ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + SparkUnderTest.TOKEN
            + "\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), spark.port)) {
          s.setSoTimeout(10_000);
          s.getOutputStream().write(request);
          InputStream in = s.getInputStream();
          byte[] all = in.readAllBytes(); // the server answers and closes, or just closes
          String text = new String(all, StandardCharsets.ISO_8859_1);
          assertTrue(all.length == 0 || text.startsWith("HTTP/1.1 400"), path + ": " + text);
        }
      }
      // A client that sends half its body and goes away: its reservation is given back, quietly.
      try (Socket s = stall(spark.port, "Content-Length: 5000\r\n", "[{\"type\":\"server-error\",\"error\":{\"message\":\"half")) {
        Poll.until("the half body to be in flight", 5_000, () -> inFlight(spark) > 0);
      }
      Poll.until("the vanished client's bytes to be given back", 5_000, () -> inFlight(spark) == 0);
      assertEquals(200, spark.postNow("/api/v1/events", String.format(EVENT, 1)).statusCode());
      assertEquals(1, spark.count("SELECT count(*) FROM events"));
      assertEquals(List.of(), logs.records());
    }
  }

  @Test
  void aClientThatAsksForContinueGetsItAndItsBodyIsStored(Vertx vertx, @TempDir Path dir) throws Exception {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    String body = String.format(EVENT, 7);
    try (Socket s = stall(spark.port, "Content-Length: " + body.length() + "\r\nExpect: 100-continue\r\n", "")) {
      RawHttp.Answer go = RawHttp.read(s.getInputStream(), true);
      assertEquals(100, go.status(), "curl waits a second for this before sending a large body anyway");
      s.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
      assertEquals(200, RawHttp.read(s.getInputStream(), false).status());
    }
    assertEquals(1, spark.count("SELECT count(*) FROM events"));
  }

  private static long inFlight(SparkUnderTest spark) {
    return Await.result(spark.client().get("/health").send()).bodyAsJsonObject().getJsonObject("ingest").getLong("inFlightBytes");
  }

  /** A connection that sends an ingest request's head and the start of its body, then nothing. */
  private static Socket stall(int port, String framing, String start) throws Exception {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
    s.setSoTimeout(10_000);
    s.getOutputStream().write(("POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + framing + "\r\n" + start)
        .getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
    return s;
  }
}
