package dev.spark.cli;

import dev.spark.support.Await;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code spark alerts test NAME} and {@code spark alerts deliveries}, against a running Spark and a real receiver. */
@ExtendWith(VertxExtension.class)
class AlertsCommandTest {
  @Test
  void testSendsToTheTargetAndDeliveriesListsWhatWasSent(Vertx vertx, @TempDir Path dir) throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    HttpServer hook = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      received.add(req.getHeader("X-Spark-Event"));
      req.response().setStatusCode(200).end();
    }));
    Await.result(hook.listen(0, "127.0.0.1"));
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("alerts", new JsonObject()
        .put("targets", new JsonObject()
            .put("hook", new JsonObject().put("type", "webhook").put("url", "http://127.0.0.1:" + hook.actualPort() + "/h"))
            .put("down", new JsonObject().put("type", "webhook").put("url", "http://127.0.0.1:" + SparkUnderTest.freePort() + "/h")))
        .put("rules", new JsonArray().add(new JsonObject().put("on", new JsonArray().add("new-issue")).put("to", new JsonArray().add("hook"))))));
    Map<String, String> env = CliRunner.envFor(spark);

    CliRunner.Result test = CliRunner.run(dir, env, "alerts", "test", "hook");
    assertEquals(0, test.exitCode(), test.toString());
    assertTrue(test.out().startsWith("Test alert delivered to hook (delivery "), test.out());
    assertEquals(List.of("test"), received);

    CliRunner.Result down = CliRunner.run(dir, env, "alerts", "test", "down");
    assertEquals(1, down.exitCode(), down.toString());
    assertTrue(down.err().startsWith("spark alerts test: Test alert to down failed: "), down.err());
    CliRunner.Result unknown = CliRunner.run(dir, env, "alerts", "test", "nope");
    assertEquals(1, unknown.exitCode(), unknown.toString());
    assertTrue(unknown.err().contains("No alert target named nope"), unknown.err());

    spark.postNow("/api/v1/events", new JsonObject().put("type", "server-error")
        .put("error", new JsonObject().put("message", "ledger out of balance \u001b[2J")));
    JsonObject deliveries;
    long deadline = System.nanoTime() + 10_000_000_000L;
    do {
      deliveries = new JsonObject(CliRunner.run(dir, env, "alerts", "deliveries", "--json").out());
    } while (!deliveries.getJsonArray("deliveries").getJsonObject(0).getString("status").equals("delivered") && System.nanoTime() < deadline);
    assertEquals(spark.getJson("/api/v1/alerts/deliveries?limit=20"), deliveries, "what the HTTP API returns");
    CliRunner.Result table = CliRunner.run(dir, env, "alerts", "deliveries");
    assertEquals(0, table.exitCode(), table.toString());
    String[] lines = table.out().split("\n");
    assertTrue(lines[0].startsWith("CREATED"), table.out());
    assertTrue(lines[1].contains("delivered  1      new-issue  hook    ledger out of balance \\x1b[2J"), table.out());
    assertFalse(table.out().contains("\u001b"), "no terminal escape from the event reaches the terminal");
    spark.stop();
    CliRunner.Result stopped = CliRunner.run(dir, env, "alerts", "deliveries");
    assertEquals(1, stopped.exitCode(), stopped.toString());
    assertTrue(stopped.err().contains("alerts are sent by a running Spark"), stopped.err());
    Await.result(hook.close());
  }
}
