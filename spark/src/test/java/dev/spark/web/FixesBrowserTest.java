package dev.spark.web;

import dev.spark.support.AgentConsole;
import dev.spark.support.AgentSetup;
import dev.spark.support.Await;
import dev.spark.support.Browser;
import dev.spark.support.GitRepo;
import dev.spark.support.Pi;
import dev.spark.support.ScriptedModel;
import dev.spark.support.ScriptedModel.Reply;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The dashboard's Fixes view in the real browser, over a fix the real Pi made on its own branch: a
 * diff holding {@code <script>} and {@code <img onerror>} is shown as text with its lines coloured,
 * and Apply brings the fix into the user's tree.
 */
@ExtendWith(VertxExtension.class)
class FixesBrowserTest {
  private static final String HOSTILE = "total = a + b  # <script>document.title='pwned'</script> <img src=x onerror=\"document.title='pwned'\">";

  @RegisterExtension
  static final Browser browser = Browser.perTestClass();

  @Test
  void aHostileDiffIsShownAsColouredTextAndApplyWorks(Vertx vertx, @TempDir Path dir) throws Exception {
    Path project = GitRepo.project(dir, "total = a - b\n");
    ScriptedModel model = Await.result(ScriptedModel.start(vertx, request -> {
      if (!ScriptedModel.lastUserText(request).contains("fresh git worktree")) return Reply.text("Oriented.");
      return ScriptedModel.toolResultsSinceUser(request) == 0
          ? Reply.tool("edit", new JsonObject().put("path", "app.txt").put("edits", new JsonArray()
              .add(new JsonObject().put("oldText", "total = a - b").put("newText", HOSTILE))))
          : Reply.text("Fixed <b>the sum</b>.");
    }));
    JsonObject agent = AgentSetup.agentConfig(Pi.executable(), project, new JsonObject(new HashMap<>(model.piEnvironment(dir.resolve("pi-agent")))))
        .put("verify", new JsonObject().put("command", "grep -q 'a + b' app.txt"));
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("environment", "production").put("agent", agent));
    AgentConsole console = Await.result(AgentConsole.connect(vertx, spark.port));
    try {
      Await.result(console.awaitState(AgentConsole::ready));
      AgentSetup.ingest(spark, "wrong total");
      JsonObject entry = Await.result(console.awaitEntry(e -> e.getString("text", "").startsWith("Fix #")));
      String id = entry.getString("text").substring("Fix #".length(), entry.getString("text").indexOf(':'));

      browser.logIn("http://127.0.0.1:" + spark.port, SparkUnderTest.TOKEN);
      String title = browser.driver().getTitle();
      browser.find("a[data-view='fixes']").click();
      browser.until(d -> browser.tableRows("#fixes-table").size() == 1);
      browser.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#fixes-table tbody tr"), "verified"));
      browser.click("#fixes-table tbody tr");
      browser.until(ExpectedConditions.textToBe(By.id("fix-status"), "verified"));

      assertEquals("+" + HOSTILE, browser.find("#fix-diff .add").getText(), "the added line, character for character");
      assertEquals("-total = a - b", browser.find("#fix-diff .del").getText());
      assertEquals("Fixed <b>the sum</b>.", browser.find("#fix-summary").getText());
      assertEquals(0L, browser.js("return document.querySelectorAll('main img, main script, main b').length"), "nothing made from the diff");
      assertEquals(title, browser.driver().getTitle(), "no injected script or handler ran");
      browser.screenshot("fixes-01-hostile-diff-as-text");

      browser.find("#fix-apply").click();
      browser.until(ExpectedConditions.textToBePresentInElementLocated(By.id("fix-result"), "is now applied"));
      browser.until(ExpectedConditions.textToBe(By.id("fix-status"), "applied"));
      assertEquals(HOSTILE + "\n", Files.readString(project.resolve("app.txt")), "applied to the user's tree");
      assertEquals("", git(project, "status", "--porcelain"));
      assertEquals(Boolean.TRUE, browser.js("return document.getElementById('fix-apply').disabled"), "an applied fix cannot be applied again");
      browser.screenshot("fixes-02-applied");

      // The Issues view links the issue to its fix.
      browser.find("a[data-view='issues']").click();
      // The view refreshes itself every few seconds (its rows drawn anew): each step finds its element again.
      browser.until(ExpectedConditions.textToBe(By.cssSelector("#issues a.fix-link"), "Fix #" + id + " (applied)"));
      browser.until(ExpectedConditions.textToBe(By.cssSelector("#issues a.fix-list-link"), "all fixes (1)"));
      browser.click("#issues a.fix-list-link");
      browser.until(ExpectedConditions.visibilityOfElementLocated(By.id("fixes-filter")));
      browser.until(d -> d.findElements(By.cssSelector("#fixes-table tbody tr")).size() == 1);
      assertEquals(spark.getJson("/api/v1/fixes/" + id).getString("fingerprint"), browser.find("#fixes-filter-fp").getText());
      browser.find("a[data-view='issues']").click();
      browser.click("#issues a.fix-link");
      browser.until(ExpectedConditions.textToBe(By.id("fix-id"), "#" + id));
    } finally {
      Await.result(console.close());
      spark.stop();
      Await.result(model.close());
    }
  }

  private static String git(Path dir, String... args) throws Exception {
    return GitRepo.git(dir, args);
  }
}
