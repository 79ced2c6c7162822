package dev.spark.web;

import dev.spark.support.Await;
import dev.spark.support.Browser;
import dev.spark.support.Poll;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dashboard's Alerts view in a real browser: rules, masked targets, deliveries as text, Send test. */
@ExtendWith(VertxExtension.class)
class AlertsDashboardBrowserTest {
  private static final String XSS = "<img src=x onerror=\"document.title='pwned'\">";
  @RegisterExtension
  static final Browser browser = Browser.perTestClass();

  @Test
  void alertsViewShowsRulesMaskedTargetsAndDeliveriesAsTextAndSendsATest(Vertx vertx, @TempDir Path dir) throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    HttpServer hook = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      received.add(req.getHeader("X-Spark-Event"));
      req.response().setStatusCode(200).end();
    }));
    Await.result(hook.listen(0, "127.0.0.1"));
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("alerts", new JsonObject()
        .put("targets", new JsonObject().put("ops-hook", new JsonObject().put("type", "webhook")
            .put("url", "http://127.0.0.1:" + hook.actualPort() + "/secret-path?token=abc").put("secret", "s3cret")))
        .put("rules", new JsonArray().add(new JsonObject().put("name", "new-problems").put("on", new JsonArray().add("new-issue"))
            .put("to", new JsonArray().add("ops-hook"))))));
    assertEquals(200, spark.postNow("/api/v1/events", new JsonObject().put("type", "server-error")
        .put("error", new JsonObject().put("message", XSS))).statusCode());
    Poll.until("the webhook to receive the alert", 10_000, () -> !received.isEmpty());
    assertEquals(List.of("new-issue"), received);

    browser.logIn("http://127.0.0.1:" + spark.port, SparkUnderTest.TOKEN);
    browser.find("#nav a[data-view='alerts']").click();

    WebElement rule = browser.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#alert-rules tbody tr")));
    assertTrue(rule.getText().startsWith("new-problems new-issue everything 30 min ops-hook"), rule.getText());
    WebElement target = browser.find("#alert-targets tbody tr");
    assertTrue(target.getText().contains("http://127.0.0.1:" + hook.actualPort() + "/… (signed)"), target.getText());
    String page = browser.driver().getPageSource();
    assertFalse(page.contains("secret-path") || page.contains("token=abc") || page.contains("s3cret"), "no secret on the page");

    WebElement delivery = browser.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#alert-deliveries tbody tr")));
    browser.until(d -> delivery.getText().contains("delivered"));
    WebElement issue = delivery.findElement(By.cssSelector("td:nth-child(7) a"));
    assertEquals(XSS, issue.getText(), "the error message shown as text");
    assertTrue(browser.driver().findElements(By.cssSelector("#alert-deliveries img")).isEmpty(), "never parsed as HTML");
    assertFalse("pwned".equals(browser.driver().getTitle()));

    target.findElement(By.tagName("button")).click();
    WebElement result = browser.until(ExpectedConditions.visibilityOfElementLocated(By.id("alert-test-result")));
    browser.until(d -> result.getText().startsWith("Test alert delivered"));
    assertEquals("Test alert delivered to ops-hook.", result.getText());
    assertEquals(List.of("new-issue", "test"), received);
    browser.screenshot("alerts-view");
    spark.stop();
    Await.result(hook.close());
  }
}
