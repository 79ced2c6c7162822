package dev.spark.cli;

import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code spark issues}: list, show, resolve, mute, reopen; through a running Spark and on the file with Spark stopped. */
@ExtendWith(VertxExtension.class)
class IssuesCommandTest {

  static JsonObject error(String what, int n) {
    return new JsonObject().put("type", "server-error").put("error", new JsonObject()
        .put("message", what + " failed for order " + n)
        .put("stack", "Error: " + what + " failed for order " + n + "\n    at " + what + " (/app/src/" + what + ".ts:" + n + ":1)"));
  }

  @Test
  void listShowAndChangeIssuesOnlineAndOffline(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    Map<String, String> env = CliRunner.envFor(spark);
    JsonArray events = new JsonArray();
    for (int i = 0; i < 3; i++) events.add(error("checkout", i));
    events.add(error("search", 9));
    JsonArray ids = spark.postNow("/api/v1/events", events).bodyAsJsonObject().getJsonArray("ids");
    String checkout = spark.getJson("/api/v1/events/" + ids.getLong(0)).getString("fingerprint");
    String search = spark.getJson("/api/v1/events/" + ids.getLong(3)).getString("fingerprint");

    CliRunner.Result json = CliRunner.run(dir, env, "issues", "--json");
    assertEquals(0, json.exitCode(), json.toString());
    assertEquals(spark.getJson("/api/v1/issues?sort=count&limit=20"), new JsonObject(json.out()), "what the HTTP API returns");

    CliRunner.Result table = CliRunner.run(dir, env, "issues");
    assertEquals(0, table.exitCode(), table.toString());
    String[] lines = table.out().split("\n");
    assertTrue(lines[0].startsWith("FINGERPRINT"), table.out());
    assertTrue(lines[1].startsWith(checkout + "  open    3"), table.out());
    assertTrue(lines[1].endsWith("Error: checkout failed for order 0"), table.out());
    assertTrue(lines[2].startsWith(search), table.out());
    assertEquals("2 issues, most occurrences first", lines[3]);

    CliRunner.Result show = CliRunner.run(dir, env, "issues", "show", checkout, "--events", "2");
    assertEquals(0, show.exitCode(), show.toString());
    assertTrue(show.out().startsWith("Issue         " + checkout + "\nStatus        open\n"), show.out());
    assertTrue(show.out().contains("\nWhere         checkout (src/checkout.ts)\n"), show.out());
    assertTrue(show.out().contains("\nOccurrences   3 (first "), show.out());
    assertTrue(show.out().contains("\nDelivered     never\n"), show.out());
    assertTrue(show.out().contains("2 events, newest first"), show.out());

    CliRunner.Result resolve = CliRunner.run(dir, env, "issues", "resolve", checkout);
    assertEquals(0, resolve.exitCode(), resolve.toString());
    assertEquals("Issue " + checkout + " is now resolved (via Spark at http://127.0.0.1:" + spark.port + ")\n", resolve.out());
    assertEquals(1, spark.count("SELECT count(*) FROM issues WHERE status = 'resolved'"));
    CliRunner.Result resolvedOnly = CliRunner.run(dir, env, "issues", "--status", "resolved", "--json");
    assertEquals(1, new JsonObject(resolvedOnly.out()).getInteger("count"));

    CliRunner.Result unknown = CliRunner.run(dir, env, "issues", "mute", "nope");
    assertEquals(1, unknown.exitCode(), unknown.toString());
    assertEquals("spark issues mute: No issue with fingerprint nope\n", unknown.err());

    JsonObject onlineList = new JsonObject(CliRunner.run(dir, env, "issues", "--sort", "last-seen", "--json").out());
    spark.stop();

    // Spark stopped: the same answer from the file, read-only; changes through Spark's own storage.
    JsonObject offlineList = new JsonObject(CliRunner.run(dir, env, "issues", "--sort", "last-seen", "--json").out());
    assertEquals(onlineList, offlineList);
    CliRunner.Result mute = CliRunner.run(dir, env, "issues", "mute", search);
    assertEquals(0, mute.exitCode(), mute.toString());
    assertEquals("Issue " + search + " is now muted (via the database file spark.db)\n", mute.out());
    assertEquals(1, spark.count("SELECT count(*) FROM issues WHERE status = 'muted'"));
    CliRunner.Result reopen = CliRunner.run(dir, env, "issues", "reopen", checkout, "--json");
    assertEquals("open", new JsonObject(reopen.out()).getJsonObject("issue").getString("status"));
    CliRunner.Result missing = CliRunner.run(dir, env, "issues", "show", "nope");
    assertEquals(1, missing.exitCode());
    assertEquals("spark issues show: No issue with fingerprint nope\n", missing.err());
    CliRunner.Result bad = CliRunner.run(dir, env, "issues", "--status", "gone");
    assertEquals(2, bad.exitCode(), bad.toString());
    assertTrue(bad.err().contains("status must be open, resolved, muted or all"), bad.err());
  }
}
