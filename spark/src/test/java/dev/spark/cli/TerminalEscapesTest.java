package dev.spark.cli;

import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18, finding 3: stored events and access logs come from outside, and the CLI must not hand
 * their ESC, OSC, BEL, CR or LF to the terminal (on main it printed them raw: clear the screen,
 * retitle the window, recolour, break rows). Against a real Spark over HTTP and against the file
 * with Spark stopped, every human-readable command's output has no byte below 0x20 but newline, no
 * DEL or C1 control, and shows the characters escaped; {@code --json} stays the exact JSON.
 */
@ExtendWith(VertxExtension.class)
class TerminalEscapesTest {
  private static final String HOSTILE = "\u001b[2J\u001b]0;owned\u0007\r\nFAKE ROW\u0000\u007f\u009b31m\u202eend\tx";

  @Test
  void hostileTextIsEscapedInEveryTableAndExactInJson(Vertx vertx, @TempDir Path dir) throws Exception {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    JsonObject event = new JsonObject().put("type", "server-error").put("feature", HOSTILE).put("route", HOSTILE)
        .put("fingerprint", "fp-hostile").put("error", new JsonObject().put("message", HOSTILE).put("stack", HOSTILE));
    assertEquals(200, spark.postNow("/api/v1/events", event).statusCode());
    JsonObject access = new JsonObject().put("method", "GET").put("path", "/" + HOSTILE).put("status", 500)
        .put("feature", HOSTILE).put("error", HOSTILE).put("userAgent", HOSTILE);
    assertEquals(200, spark.postNow("/api/v1/access", access).statusCode());

    Map<String, String> env = CliRunner.envFor(spark);
    List<List<String>> commands = List.of(List.of("events"), List.of("access"), List.of("issues"),
        List.of("issues", "show", "fp-hostile"), List.of("status"));
    for (List<String> command : commands) checkPlain(CliRunner.run(dir, env, command.toArray(String[]::new)), command + " online");
    CliRunner.Result json = CliRunner.run(dir, env, "events", "--json");
    assertEquals(0, json.exitCode(), json.toString());
    assertEquals(HOSTILE, new JsonObject(json.out()).getJsonArray("events").getJsonObject(0).getString("feature"),
        "--json carries the exact text");

    spark.stop();
    for (List<String> command : commands) checkPlain(CliRunner.run(dir, env, command.toArray(String[]::new)), command + " offline");
  }

  private static void checkPlain(CliRunner.Result r, String what) {
    assertEquals(0, r.exitCode(), what + ": " + r);
    byte[] bytes = r.out().getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      int u = b & 0xff;
      assertTrue(u >= 0x20 && u != 0x7f || u == '\n', what + ": byte 0x" + Integer.toHexString(u) + " in\n" + r.out());
    }
    for (char c : r.out().toCharArray()) {
      assertTrue(!(c >= 0x80 && c < 0xa0) && c != '\u202e', what + ": control U+" + Integer.toHexString(c) + " in\n" + r.out());
    }
    if (!what.startsWith("[status")) {
      assertTrue(r.out().contains("\\x1b"), what + " shows the ESC it escaped:\n" + r.out());
      assertTrue(!r.out().contains("\nFAKE ROW"), what + ": a CR/LF in the data must not start a row:\n" + r.out());
    }
  }
}
