package dev.spark.cli;

import dev.spark.bus.Addresses;
import dev.spark.bus.FixOp;
import dev.spark.support.Await;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code spark fixes}: list, show (untrusted text escaped), apply/discard refused with Spark's reason; through a running Spark. */
@ExtendWith(VertxExtension.class)
class FixesCommandTest {

  @Test
  void listShowAndRefusals(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    try {
      Map<String, String> env = CliRunner.envFor(spark);
      JsonObject fix = Await.result(vertx.eventBus().<FixOp.Fix>request(Addresses.STORAGE_FIXES, new FixOp.Record(
          new JsonObject().put("fingerprint", "abc123").put("events", new JsonArray().add(7)).put("status", "verified")
              .put("branch", "spark/fix-abc123").put("diff", "--- a/app.txt\n+++ b/app.txt\n-total = a - b\n+total = a + b \u001b]0;pwned\u0007\n")
              .put("summary", "Cause: subtraction.\u001b[2J").put("verify", new JsonObject().put("command", "npm test").put("exitCode", 0).put("tail", "ok")), null)))
          .body().json();

      CliRunner.Result json = CliRunner.run(dir, env, "fixes", "--json");
      assertEquals(0, json.exitCode(), json.toString());
      assertEquals(spark.getJson("/api/v1/fixes"), new JsonObject(json.out()), "what the HTTP API returns");

      CliRunner.Result table = CliRunner.run(dir, env, "fixes");
      assertEquals(0, table.exitCode(), table.toString());
      assertTrue(table.out().startsWith("ID"), table.out());
      assertTrue(table.out().contains("#" + fix.getLong("id") + "  verified  spark/fix-abc123"), table.out());
      assertFalse(table.out().contains("\u001b"), "no escape reaches the terminal");

      CliRunner.Result show = CliRunner.run(dir, env, "fixes", "show", String.valueOf(fix.getLong("id")));
      assertEquals(0, show.exitCode(), show.toString());
      assertTrue(show.out().contains("-total = a - b\n+total = a + b \\x1b]0;pwned\\x07\n"), show.out());
      assertTrue(show.out().contains("Check:    npm test -> exit 0"), show.out());
      assertFalse(show.out().contains("\u001b") || show.out().contains("\u0007"), show.out());

      assertEquals(0, CliRunner.run(dir, env, "fixes", "--status", "applied").out().indexOf("No fixes with status applied"));
      CliRunner.Result ofIssue = CliRunner.run(dir, env, "fixes", "--issue", "abc123", "--json");
      assertEquals(spark.getJson("/api/v1/fixes?issue=abc123"), new JsonObject(ofIssue.out()), ofIssue.toString());
      assertEquals(1, new JsonObject(ofIssue.out()).getJsonArray("fixes").size());
      assertEquals(0, CliRunner.run(dir, env, "fixes", "--issue", "def456").out().indexOf("No fixes of issue def456"));
      CliRunner.Result badIssue = CliRunner.run(dir, env, "fixes", "--issue", "");
      assertNotEquals(0, badIssue.exitCode());
      assertTrue(badIssue.err().contains("issue must be"), badIssue.err());
      CliRunner.Result bad = CliRunner.run(dir, env, "fixes", "--status", "bogus");
      assertNotEquals(0, bad.exitCode());
      assertTrue(bad.err().contains("status must be one of"), bad.err());
      CliRunner.Result missing = CliRunner.run(dir, env, "fixes", "show", "99");
      assertNotEquals(0, missing.exitCode());
      assertTrue(missing.err().contains("No fix #99"), missing.err());
      CliRunner.Result apply = CliRunner.run(dir, env, "fixes", "apply", String.valueOf(fix.getLong("id")));
      assertNotEquals(0, apply.exitCode());
      assertTrue(apply.err().contains("branch delivery"), apply.err());
      assertEquals("verified", spark.getJson("/api/v1/fixes/" + fix.getLong("id")).getString("status"), "nothing changed");
    } finally {
      spark.stop();
    }
  }
}
