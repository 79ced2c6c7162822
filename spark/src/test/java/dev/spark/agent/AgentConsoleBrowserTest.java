package dev.spark.agent;

import dev.spark.support.AgentConsole;
import dev.spark.support.Await;
import dev.spark.support.Browser;
import dev.spark.support.Pi;
import dev.spark.support.ScriptedModel;
import dev.spark.support.ScriptedModel.Reply;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard's agent panel in a real browser with the real Pi: the batch, the tool calls with their
 * arguments and results, the streamed answer, a message typed into the prompt box, the abort button,
 * and the transcript again after a reload.
 */
@ExtendWith(VertxExtension.class)
class AgentConsoleBrowserTest {

  @Test
  void thePanelStreamsTheRunTakesAPromptAbortsAndShowsTheTranscriptAgainAfterAReload(Vertx vertx, @TempDir Path dir) throws Exception {
    Browser.assumeInstalled();
    Path pi = Pi.executable();
    Path project = Files.createDirectories(dir.resolve("project"));
    Files.writeString(project.resolve("Greeter.java"), "class Greeter { String greet() { return \"helo\"; } }\n");
    Promise<Void> never = Promise.promise();
    ScriptedModel model = Await.result(ScriptedModel.start(vertx, request -> {
      String last = ScriptedModel.lastUserText(request);
      if (last.contains("Take your time")) return Reply.hold(never.future());
      if (last.contains("What did you change?")) return Reply.text("I replaced helo with hello in Greeter.java.");
      if (!last.contains("```spark-events")) return Reply.text("Oriented.");
      return switch (ScriptedModel.toolResultsSinceUser(request)) {
        case 0 -> Reply.tool("edit", new JsonObject().put("path", "Greeter.java").put("edits", new JsonArray()
            .add(new JsonObject().put("oldText", "\"helo\"").put("newText", "\"hello\""))));
        default -> Reply.text("Fixed the greeting's typo.");
      };
    }));
    JsonObject agent = AgentPiTest.agentConfig(pi, project, new JsonObject(new HashMap<>(model.piEnvironment(dir.resolve("pi-agent")))));
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("agent", agent));
    Path profile = Files.createTempDirectory("spark-chromium-");
    Browser browser = Browser.start(profile);
    try {
      AgentConsole console = Await.result(AgentConsole.connect(vertx, spark.port));
      Await.result(console.awaitState(AgentConsole::ready));
      String base = "http://127.0.0.1:" + spark.port;
      browser.logIn(base, SparkUnderTest.TOKEN);
      browser.driver().get(base + "/#agent");
      browser.until(ExpectedConditions.textToBePresentInElementLocated(By.id("agent-status"), "Idle."));

      AgentPiTest.ingest(spark, "greeting says helo");
      browser.until(d -> entries(browser, "tool").stream().anyMatch(e -> e.getText().contains("edit") && e.getText().contains("✓")));
      browser.until(d -> entries(browser, "assistant").stream().anyMatch(e -> e.getText().contains("Fixed the greeting's typo.")));
      WebElement edit = entries(browser, "tool").get(0);
      assertTrue(edit.getText().contains("\"path\":\"Greeter.java\""), edit.getText());
      assertTrue(entries(browser, "batch").get(0).getText().contains("Spark: one new event"), "the batch is shown");
      assertTrue(Files.readString(project.resolve("Greeter.java")).contains("\"hello\""), "fixed on disk");
      browser.screenshot("20-agent-edit");

      // The prompt box: a message to the agent, and its answer.
      browser.find("#agent-input").sendKeys("What did you change?");
      browser.find("#agent-send").click();
      browser.until(d -> entries(browser, "user").stream().anyMatch(e -> e.getText().contains("What did you change?")));
      browser.until(d -> entries(browser, "assistant").stream().anyMatch(e -> e.getText().contains("I replaced helo with hello")));

      // Abort: a run that would never end is stopped from the panel.
      browser.find("#agent-input").sendKeys("Take your time");
      browser.find("#agent-send").click();
      browser.until(ExpectedConditions.elementToBeClickable(By.id("agent-abort")));
      int runEnds = entries(browser, "run-end").size();
      browser.find("#agent-abort").click();
      browser.until(d -> entries(browser, "run-end").size() > runEnds);
      browser.until(ExpectedConditions.textToBePresentInElementLocated(By.id("agent-status"), "Idle."));

      // A reload shows the same transcript.
      List<String> before = entries(browser, null).stream().map(WebElement::getText).toList();
      browser.driver().navigate().refresh();
      browser.until(d -> entries(browser, null).size() == before.size());
      assertEquals(before, entries(browser, null).stream().map(WebElement::getText).toList());
      assertEquals(0L, browser.js("return document.querySelectorAll('#agent-transcript img, #agent-transcript script').length"));
      browser.screenshot("21-agent-after-reload");
      Await.result(console.close());
    } finally {
      never.tryComplete();
      browser.close();
      spark.stop();
      Await.result(model.close());
    }
  }

  private static List<WebElement> entries(Browser browser, String kind) {
    return browser.find("#agent-transcript").findElements(By.cssSelector(kind == null ? ".entry" : ".entry." + kind));
  }
}
