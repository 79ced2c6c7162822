package dev.spark.web;

import dev.spark.support.RawHttp;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A request refused before its body is read (a foreign Origin, a wrong Sentry key, a broken request
 * line) still has its body on the connection: the next request on that kept-alive connection must be
 * answered, not left waiting behind the unread body.
 */
@ExtendWith(VertxExtension.class)
class KeepAliveRefusalsTest {
  private static final String EVENT = "{\"type\":\"server-error\",\"error\":{\"message\":\"kept alive\"}}";

  @Test
  void theNextRequestOnAKeptAliveConnectionIsAnsweredAfterEachRefusal(Vertx vertx, @TempDir Path dir) throws IOException {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("ingest", new JsonObject().put("token", "right-key")));
    String body = EVENT.repeat(1).concat(" ".repeat(4000));
    List<String> refusals = List.of(
        post("/api/v1/events", "Origin: https://evil.example\r\nAuthorization: Bearer right-key\r\n", body),
        post("/api/1/envelope/", "X-Sentry-Auth: Sentry sentry_version=7,sentry_key=wrong\r\n", body),
        post("/api/1/store/", "X-Sentry-Auth: Sentry sentry_version=7,sentry_key=wrong\r\n", body),
        post("/api/v1/events", "", body),
        post("/api/v1/nowhere", "Authorization: Bearer right-key\r\n", body));
    List<Integer> expected = List.of(403, 403, 403, 401, 404);
    for (int round = 0; round < 10; round++) {
      for (int i = 0; i < refusals.size(); i++) {
        for (Mode mode : Mode.values()) exchange(spark.port, mode, refusals.get(i), expected.get(i));
      }
    }
  }

  /** How the refused request and the next one reach Spark. */
  enum Mode {
    /** Both in one write, as a client that does not wait for an early answer would. */
    PIPELINED,
    /** The next one after the refusal's answer. */
    AFTER_ANSWER,
    /** The refused body only after its answer, then the next request. */
    BODY_LATE
  }

  private static void exchange(int port, Mode mode, String refusal, int status) throws IOException {
    String next = post("/api/v1/events", "Authorization: Bearer right-key\r\n", EVENT);
    String what = mode + " " + refusal.lines().findFirst().orElse("");
    int split = refusal.indexOf("\r\n\r\n") + 4;
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write((mode == Mode.PIPELINED ? refusal + next : mode == Mode.BODY_LATE ? refusal.substring(0, split) : refusal)
          .getBytes(StandardCharsets.UTF_8));
      out.flush();
      RawHttp.Answer first = RawHttp.read(in, false);
      assertEquals(status, first.status(), what + ": " + first);
      if ("close".equalsIgnoreCase(first.headers().get("connection"))) return;
      if (mode != Mode.PIPELINED) {
        out.write((mode == Mode.BODY_LATE ? refusal.substring(split) + next : next).getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      RawHttp.Answer second = RawHttp.read(in, false);
      assertEquals(200, second.status(), "after " + what + ": " + second);
    }
  }

  private static String post(String path, String headers, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "Content-Type: application/json\r\nContent-Length: "
        + bytes.length + "\r\n\r\n" + body;
  }
}
