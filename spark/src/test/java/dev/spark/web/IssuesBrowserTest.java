package dev.spark.web;

import dev.spark.support.Browser;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.support.ui.Select;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dashboard's Issues view in a real browser against a real Spark on a temp SQLite file. */
@ExtendWith(VertxExtension.class)
class IssuesBrowserTest {
  @RegisterExtension
  static final Browser browser = Browser.perTestClass();

  @Test
  void theIssuesViewCountsDrawsTheHoursAndResolvesMutesAndReopens(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    String base = "http://127.0.0.1:" + spark.port;
    JsonArray events = new JsonArray();
    for (int i = 0; i < 3; i++) {
      events.add(new JsonObject().put("type", "server-error").put("error", new JsonObject()
          .put("message", "Order " + (100 + i) + " lost")
          .put("stack", "Error: Order " + (100 + i) + " lost\n    at loadOrder (/app/src/orders.ts:" + (10 + i) + ":3)")));
    }
    events.add(new JsonObject().put("type", "server-error").put("error", new JsonObject().put("message", DashboardBrowserTest.XSS)));
    assertEquals(200, spark.postNow("/api/v1/events", events).statusCode());
    browser.logIn(base, SparkUnderTest.TOKEN);

    browser.driver().get(base + "/#issues");
    browser.until(d -> browser.tableRows("#issues").size() == 2);
    assertEquals(List.of("3", "1"), browser.columnValues("#issues", 1), "most occurrences first");
    assertEquals("open", browser.columnValues("#issues", 0).get(0));
    String counts = (String) browser.js("return document.querySelector('#issues tbody tr canvas.sparkline').dataset.counts;");
    assertTrue(counts.endsWith(",3"), "24 hourly counts, the current hour last: " + counts);
    assertEquals(24, counts.split(",").length);
    assertTrue(browser.columnValues("#issues", 6).contains(DashboardBrowserTest.XSS), "event text shown as text");
    assertEquals("Spark", browser.driver().getTitle());
    assertEquals("loadOrder (src/orders.ts)", browser.columnValues("#issues", 7).get(0));
    browser.screenshot("07-issues");

    String fp = (String) browser.js("return document.querySelector('#issues tbody tr').dataset.fingerprint;");
    browser.find("#issues tbody tr[data-fingerprint='" + fp + "'] button[data-action='resolve']").click();
    browser.until(d -> "resolved".equals(browser.js(
        "const tr = document.querySelector(\"#issues tbody tr[data-fingerprint='\" + arguments[0] + \"']\"); return tr && tr.dataset.status;", fp)));
    assertEquals(1, spark.count("SELECT count(*) FROM issues WHERE status = 'resolved'"));
    browser.find("#issues tbody tr[data-fingerprint='" + fp + "'] button[data-action='mute']").click();
    browser.until(d -> "muted".equals(browser.js(
        "const tr = document.querySelector(\"#issues tbody tr[data-fingerprint='\" + arguments[0] + \"']\"); return tr && tr.dataset.status;", fp)));
    new Select(browser.find("#i-status")).selectByVisibleText("muted");
    browser.until(d -> browser.tableRows("#issues").size() == 1);
    browser.find("#issues tbody tr button[data-action='reopen']").click();
    browser.until(d -> browser.tableRows("#issues").isEmpty());
    assertEquals(2, spark.count("SELECT count(*) FROM issues WHERE status = 'open'"));
  }
}
