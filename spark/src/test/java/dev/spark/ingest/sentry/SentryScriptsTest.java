package dev.spark.ingest.sentry;

import dev.spark.support.Await;
import dev.spark.support.SparkUnderTest;
import dev.spark.support.SseTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The official {@code @sentry/node} (npm, pinned in package.json) and Debian's
 * {@code python3-sentry-sdk} 1.9 (which posts gzipped events to {@code /store/}), each run as a
 * small script under {@code src/test/resources/sentry} against a real Spark: the handled exception
 * each reports arrives with its type, message, stack function names and release, and reaches an
 * agent connected to the event stream. Skipped when the SDK is not installed, unless CI is set
 * (bin/test installs both).
 */
@ExtendWith(VertxExtension.class)
class SentryScriptsTest {
  private static final String KEY = "scriptkey1"; // @sentry/node takes only letters, digits and _ in a DSN key
  private static final Path SCRIPTS = Path.of("src/test/resources/sentry");
  private static final String PYTHON = "/usr/bin/python3";

  @Test
  void nodeAndPythonSdksReportHandledExceptionsThatReachAnAgent(Vertx vertx, @TempDir Path dir) throws Exception {
    boolean node = available("node", "-e", "require.resolve('@sentry/node')");
    boolean python = available(PYTHON, "-c", "import sentry_sdk");
    assumeTrue(System.getenv("CI") != null || (node && python), "@sentry/node (npm ci) or python3-sentry-sdk (apt) missing");
    assertTrue(node, "@sentry/node is not installed: npm ci");
    assertTrue(python, "python3-sentry-sdk is not installed: apt-get install python3-sentry-sdk");

    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("ingest", new JsonObject().put("token", KEY)));
    SseTestClient agent = Await.result(SseTestClient.connect(vertx, spark.port, null, null));
    String dsn = "http://" + KEY + "@127.0.0.1:" + spark.port + "/5";
    try {
      String nodeLog = run("node", SCRIPTS.resolve("node-report.js").toString(), dsn);
      JsonObject fromNode = delivered(agent, 1, spark, nodeLog);
      assertArrived(fromNode, "TypeError: cart 17 has no items", "shop-node@3.1.4", List.of("loadCart", "checkout"), "node");

      String pythonLog = run(PYTHON, SCRIPTS.resolve("python_report.py").toString(), dsn);
      JsonObject fromPython = delivered(agent, 2, spark, pythonLog);
      assertArrived(fromPython, "ValueError: invoice 9 is malformed", "shop-py@0.9.1", List.of("parse_invoice", "import_invoices"),
          "python");
      assertEquals(2, spark.count("SELECT count(*) FROM events"));
    } finally {
      Await.result(agent.close());
      spark.stop();
    }
  }

  private static void assertArrived(JsonObject event, String message, String release, List<String> functions, String platform) {
    JsonObject data = event.getJsonObject("data");
    JsonObject error = data.getJsonObject("error");
    assertEquals("server-error", event.getString("type"), event.encode());
    assertEquals(message, error.getString("message"), event.encode());
    assertEquals(message.substring(0, message.indexOf(':')), error.getString("type"), event.encode());
    assertEquals(release, data.getString("release"), event.encode());
    assertEquals(platform, data.getString("platform"), event.encode());
    assertEquals("staging", event.getString("environment"), event.encode());
    String stack = error.getString("stack");
    int last = -1;
    for (String fn : functions) {
      int at = stack.indexOf(fn);
      assertTrue(at > last, fn + " in the stack, newest frame first: " + stack);
      last = at;
    }
  }

  /** The n-th event the agent got; on a timeout, fails with the rows stored and the script's output. */
  private static JsonObject delivered(SseTestClient agent, int n, SparkUnderTest spark, String scriptLog) {
    try {
      return Await.result(agent.awaitCount(n)).get(n - 1).data();
    } catch (AssertionError e) {
      throw new AssertionError("event " + n + " did not reach the agent; events stored: " + spark.count("SELECT count(*) FROM events")
          + "; the script said:\n" + scriptLog, e);
    }
  }

  /** Runs a script to its end (60 s at most) and answers its output; fails with it when it exits non-zero. */
  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), command[1] + " did not finish");
    String output = new String(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), command[1] + " failed:\n" + output);
    return output;
  }

  private static boolean available(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
