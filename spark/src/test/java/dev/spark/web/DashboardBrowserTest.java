package dev.spark.web;

import dev.spark.support.Await;
import dev.spark.support.Browser;
import dev.spark.support.SparkUnderTest;
import dev.spark.support.SseTestClient;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in a real browser (headless Chromium through Selenium) against a real Spark on a
 * temp SQLite file. Every wait is an explicit condition; screenshots go to target/screenshots/.
 */
@ExtendWith(VertxExtension.class)
class DashboardBrowserTest {
  static final String XSS = "<img src=x onerror=\"document.title='pwned'\">";

  @RegisterExtension
  static final Browser browser = Browser.perTestClass();

  @BeforeEach
  void forgetCookies() {
    browser.driver().manage().deleteAllCookies();
  }

  private static String base(SparkUnderTest spark) {
    return "http://127.0.0.1:" + spark.port;
  }

  private static void logIn(SparkUnderTest spark) {
    browser.logIn(base(spark), SparkUnderTest.TOKEN);
  }

  private static void waitLive() {
    browser.until(ExpectedConditions.attributeToBe(By.id("live"), "data-state", "live"));
  }

  private static HttpResponse<Buffer> postLogin(SparkUnderTest spark, String token) {
    return Await.result(spark.client().post("/auth").followRedirects(false)
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("token", token)));
  }

  private static HttpResponse<Buffer> getWithCookie(SparkUnderTest spark, String path, String session) {
    var req = spark.client().get(path).followRedirects(false);
    if (session != null) req.putHeader("Cookie", Sessions.COOKIE + "=" + session);
    return Await.result(req.send());
  }

  private static long ingest(SparkUnderTest spark, JsonObject event) {
    HttpResponse<Buffer> r = spark.postNow("/api/v1/events", event);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonArray("ids").getLong(0);
  }

  private static void access(SparkUnderTest spark, JsonArray rows) {
    HttpResponse<Buffer> r = spark.postNow("/api/v1/access", rows);
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  private static WebElement feedRow(long id) {
    return browser.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#feed tr[data-id='" + id + "']")));
  }

  @Test
  void aWrongTokenIsRefusedTheRightOneLetsYouInTheSixthFailureGets429AndNoSessionMeansNoData(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);

    // Without a session the dashboard sends you to the login page.
    browser.driver().get(base(spark) + "/");
    browser.until(ExpectedConditions.urlToBe(base(spark) + "/login"));
    browser.find("#token").sendKeys("not-the-token");
    browser.find("#login-submit").click();
    WebElement refused = browser.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-message")));
    assertEquals("That token is not right.", refused.getText());
    assertTrue(browser.driver().manage().getCookies().stream().noneMatch(c -> c.getName().equals(Sessions.COOKIE)),
        "a refused login sets no session cookie");
    browser.screenshot("01-login-refused");

    // The right token: in, with an HttpOnly, SameSite=Strict cookie (not Secure on localhost).
    browser.find("#token").sendKeys(SparkUnderTest.TOKEN);
    browser.find("#login-submit").click();
    waitLive();
    assertEquals(base(spark) + "/", browser.driver().getCurrentUrl());
    Cookie cookie = browser.driver().manage().getCookieNamed(Sessions.COOKIE);
    assertNotNull(cookie);
    assertTrue(cookie.isHttpOnly(), "HttpOnly");
    assertEquals("Strict", cookie.getSameSite());
    assertFalse(cookie.isSecure(), "not Secure on 127.0.0.1 over plain HTTP");
    assertEquals(Boolean.TRUE, browser.js("return document.cookie.indexOf('" + Sessions.COOKIE + "') < 0"),
        "scripts cannot read the session cookie");
    String session = cookie.getValue();
    assertEquals(200, getWithCookie(spark, "/api/v1/events", session).statusCode(), "the cookie authorises the API");

    // Log out through the page: the cookie is gone and the old value no longer works.
    browser.find("#logout").click();
    browser.until(ExpectedConditions.urlToBe(base(spark) + "/login"));
    assertEquals(401, getWithCookie(spark, "/api/v1/events", session).statusCode(), "a logged-out session gives no data");

    // Five failures a minute per address are allowed; the sixth attempt is refused before the token is looked at.
    for (int i = 1; i <= 5; i++) {
      assertEquals(401, postLogin(spark, "guess-" + i).statusCode(), "failure " + i);
    }
    HttpResponse<Buffer> sixth = postLogin(spark, "guess-6");
    assertEquals(429, sixth.statusCode());
    long retryAfter = Long.parseLong(sixth.getHeader("Retry-After"));
    assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
    assertEquals(429, postLogin(spark, SparkUnderTest.TOKEN).statusCode(), "locked out, even with the right token");
    browser.find("#token").sendKeys(SparkUnderTest.TOKEN);
    browser.find("#login-submit").click();
    WebElement throttled = browser.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-message")));
    assertTrue(throttled.getText().startsWith("Too many failed logins"), throttled.getText());
    browser.screenshot("02-login-throttled");

    // No session cookie (or a made-up one): no data from any read, page or stream.
    for (String path : List.of("/api/v1/events", "/api/v1/access", "/api/v1/access/stats", "/api/v1/access/timeline",
        "/api/v1/dashboard/summary", "/api/v1/stream?observe=true", "/metrics")) {
      assertEquals(401, getWithCookie(spark, path, null).statusCode(), path + " without a cookie");
      assertEquals(401, getWithCookie(spark, path, "made-up-session").statusCode(), path + " with a made-up cookie");
    }
    HttpResponse<Buffer> page = getWithCookie(spark, "/", null);
    assertEquals(303, page.statusCode());
    assertEquals("/login", page.getHeader("Location"));
  }

  @Test
  void anEventIngestedWhileThePageIsOpenAppearsWithinASecondAndItsDetailShowsStackAndAccessRows(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    String now = Instant.now().toString();
    access(spark, new JsonArray()
        .add(new JsonObject().put("method", "POST").put("path", "/api/users").put("status", 500).put("durationMs", 41)
            .put("requestId", "req-7f3a").put("feature", "create-user").put("timestamp", now).put("error", "Connection refused"))
        .add(new JsonObject().put("method", "GET").put("path", "/api/users/42").put("status", 200).put("durationMs", 3)
            .put("requestId", "req-7f3a").put("feature", "create-user").put("timestamp", now))
        .add(new JsonObject().put("method", "GET").put("path", "/api/other").put("status", 200).put("durationMs", 5)
            .put("requestId", "req-unrelated").put("timestamp", now)));

    // The ready-to-click login link: the token rides in the fragment and is dropped from the address bar.
    browser.driver().get(base(spark) + "/login#token=" + SparkUnderTest.TOKEN);
    waitLive();
    assertEquals(base(spark) + "/", browser.driver().getCurrentUrl());
    browser.js("window.__samePage = 'yes'");

    long before = System.currentTimeMillis();
    long id = ingest(spark, new JsonObject()
        .put("type", "server-error").put("traceId", "req-7f3a").put("feature", "create-user").put("route", "POST /api/users")
        .put("status", 500)
        .put("error", new JsonObject().put("message", "Connection refused")
            .put("stack", "Error: Connection refused\n    at connect (db.ts:12:9)\n    at createUser (features/create-user.ts:40:3)"))
        .put("request", new JsonObject().put("input", new JsonObject().put("email", "a@example.com").put("password", "hunter2"))));
    WebElement row = feedRow(id);
    long shownAt = Long.parseLong(row.getDomAttribute("data-received-at"));
    assertTrue(shownAt - before < 1_000, "shown " + (shownAt - before) + " ms after the POST began");
    assertEquals("yes", browser.js("return window.__samePage"), "no reload");
    List<WebElement> cells = row.findElements(By.tagName("td"));
    assertEquals(String.valueOf(id), cells.get(0).getText());
    assertEquals("server-error", cells.get(2).getText());
    assertEquals("create-user", cells.get(3).getText());
    assertEquals("POST /api/users", cells.get(4).getText());
    assertEquals("500", cells.get(5).getText());
    assertEquals("pending", cells.get(6).getText());
    assertEquals("Connection refused", cells.get(7).getText());
    assertEquals(1, spark.count("SELECT count(*) FROM events WHERE consumed = 0"), "watching consumed nothing");
    browser.screenshot("03-events-live");

    row.click();
    browser.until(ExpectedConditions.textToBePresentInElementLocated(By.id("d-trace"), "req-7f3a"));
    browser.until(d -> browser.find("#d-access tbody").findElements(By.tagName("tr")).size() == 2);
    assertEquals("Connection refused", browser.find("#d-message").getText());
    String stack = browser.find("#d-stack").getText();
    assertTrue(stack.contains("at connect (db.ts:12:9)") && stack.contains("features/create-user.ts:40:3"), stack);
    String input = browser.find("#d-input").getText();
    assertTrue(input.contains("a@example.com") && input.contains("[REDACTED]") && !input.contains("hunter2"), input);
    assertEquals("test", browser.find("#d-env").getText());
    List<WebElement> related = browser.find("#d-access tbody").findElements(By.tagName("tr"));
    for (WebElement r : related) assertTrue(r.getText().contains("req-7f3a"), r.getText());
    assertTrue(related.stream().anyMatch(r -> r.getText().contains("Connection refused")));
    assertTrue(browser.driver().getCurrentUrl().endsWith("#events/" + id));
    browser.screenshot("04-event-detail");

    // An agent connects and consumes it: the feed (and the detail) say so, still without a reload.
    SseTestClient agent = Await.result(SseTestClient.connect(vertx, spark.port, null, null));
    assertEquals(id, Await.result(agent.awaitCount(1)).get(0).id());
    browser.until(ExpectedConditions.attributeToBe(By.cssSelector("#feed tr[data-id='" + id + "']"), "data-state", "consumed"));
    assertEquals("yes", browser.js("return window.__samePage"));
    Await.result(agent.close());
  }

  @Test
  void untrustedTextIsShownLiterallyAndNeverRuns(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    HttpResponse<Buffer> page = getWithCookie(spark, "/login", null);
    String csp = page.getHeader("Content-Security-Policy");
    assertTrue(csp.contains("default-src 'self'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), csp);

    logIn(spark);
    String title = browser.driver().getTitle();
    access(spark, new JsonArray().add(new JsonObject().put("method", "GET").put("path", "/search/" + XSS).put("status", 500)
        .put("durationMs", 9).put("requestId", "req-xss").put("error", "<script>document.title='pwned'</script>")
        .put("userAgent", XSS)));
    long id = ingest(spark, new JsonObject().put("type", "server-error").put("traceId", "req-xss")
        .put("feature", "<b>bold</b>").put("route", "GET /search/<script>document.title='pwned'</script>")
        .put("error", new JsonObject().put("message", XSS).put("stack", XSS + "\n    at <anonymous>")));

    WebElement row = feedRow(id);
    List<WebElement> cells = row.findElements(By.tagName("td"));
    assertEquals(XSS, cells.get(7).getText(), "the message, character for character");
    assertEquals("<b>bold</b>", cells.get(3).getText());
    row.click();
    browser.until(d -> browser.find("#d-access tbody").findElements(By.tagName("tr")).size() == 1);
    assertEquals(XSS, browser.find("#d-message").getText());
    assertTrue(browser.find("#d-stack").getText().startsWith(XSS));
    String accessRow = browser.find("#d-access tbody tr").getText();
    assertTrue(accessRow.contains("/search/" + XSS) && accessRow.contains("<script>document.title='pwned'</script>"), accessRow);

    browser.driver().get(base(spark) + "/#access");
    browser.until(d -> browser.find("#access-table tbody").findElements(By.tagName("tr")).size() == 1);
    assertTrue(browser.find("#access-table tbody tr").getText().contains("/search/" + XSS));
    browser.driver().get(base(spark) + "/#events/" + id);
    browser.until(ExpectedConditions.textToBe(By.id("d-message"), XSS));

    assertEquals(title, browser.driver().getTitle(), "no injected script or handler ran");
    assertEquals(0L, browser.js("return document.querySelectorAll('main img, main script, main b').length"),
        "no element was made from event or log text");
    browser.screenshot("05-untrusted-text-literal");
  }

  @Test
  void filtersChangeTheRowsShownAndTheStatisticsMatchAKnownDataSet(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    JsonArray rows = new JsonArray();
    // GET /api/users: durations 1..100 ms, so p50 = 50, p95 = 95, p99 = 99 (nearest rank).
    for (int d = 1; d <= 100; d++) {
      rows.add(row("GET", "/api/users", 200, d, "list-users", now.minusSeconds(d * 10L)));
    }
    for (int i = 0; i < 30; i++) rows.add(row("POST", "/api/orders", 500, 200 + i, "create-order", now.minusSeconds(i * 20L)));
    for (int i = 0; i < 20; i++) rows.add(row("GET", "/api/items/" + i, 404, 2, "items", now.minusSeconds(i * 30L)));
    for (int i = 0; i < 10; i++) rows.add(row("GET", "/api/users", 200, 5, "list-users", now.minus(2, ChronoUnit.HOURS).minusSeconds(i)));
    access(spark, rows);

    logIn(spark);
    browser.driver().get(base(spark) + "/#access");
    browser.until(d -> browser.tableRows("#access-table").size() == 50);
    assertTrue(browser.find("#older").isEnabled(), "150 rows in the last hour: more than one page");
    browser.until(d -> !browser.tableRows("#stats").isEmpty());
    WebElement users = browser.tableRows("#stats").stream().filter(r -> r.getText().startsWith("GET /api/users")).findFirst().orElseThrow();
    List<WebElement> stat = users.findElements(By.tagName("td"));
    assertEquals("100", stat.get(2).getText(), "requests in the window");
    assertEquals("50", stat.get(5).getText(), "p50");
    assertEquals("95", stat.get(6).getText(), "p95");
    assertEquals("99", stat.get(7).getText(), "p99");
    assertEquals("150", browser.find("#timeline").getDomAttribute("data-requests"));
    assertEquals("30", browser.find("#timeline").getDomAttribute("data-errors"));
    browser.screenshot("06-access-logs");

    // Paging: older, then back.
    String firstOnPage1 = firstRowId("#access-table");
    browser.find("#older").click();
    browser.until(d -> firstRowId("#access-table") != null && !firstOnPage1.equals(firstRowId("#access-table")));
    assertTrue(Long.parseLong(firstRowId("#access-table")) < Long.parseLong(firstOnPage1), "older rows on page 2");
    browser.find("#newer").click();
    browser.until(d -> firstOnPage1.equals(firstRowId("#access-table")));

    applyFilter("#f-status", "5xx");
    browser.until(d -> browser.tableRows("#access-table").size() == 30);
    assertTrue(browser.columnValues("#access-table", 4).stream().allMatch("500"::equals));
    assertFalse(browser.find("#older").isEnabled());
    browser.screenshot("07-access-filtered-5xx");

    applyFilter("#f-status", "");
    applyFilter("#f-feature", "items");
    browser.until(d -> browser.tableRows("#access-table").size() == 20);
    assertTrue(browser.columnValues("#access-table", 6).stream().allMatch("items"::equals));

    applyFilter("#f-feature", "");
    new Select(browser.find("#f-method")).selectByVisibleText("POST");
    browser.find("#f-apply").click();
    browser.until(d -> browser.tableRows("#access-table").size() == 30 && browser.columnValues("#access-table", 2).stream().allMatch("POST"::equals));

    new Select(browser.find("#f-method")).selectByVisibleText("any");
    applyFilter("#f-path", "/api/items/*");
    browser.until(d -> browser.tableRows("#access-table").size() == 20 && browser.columnValues("#access-table", 3).stream().allMatch(p -> p.startsWith("/api/items/")));

    // A custom time range two hours back holds only the ten old rows.
    applyFilter("#f-path", "");
    new Select(browser.find("#f-window")).selectByValue("custom");
    browser.js("document.getElementById('f-since').value = arguments[0]; document.getElementById('f-until').value = arguments[1];",
        localInput(now.minus(3, ChronoUnit.HOURS)), localInput(now.minus(90, ChronoUnit.MINUTES)));
    browser.find("#f-apply").click();
    browser.until(d -> browser.tableRows("#access-table").size() == 10);
    browser.until(d -> "10".equals(browser.find("#timeline").getDomAttribute("data-requests")));
  }

  @Test
  void theHealthViewAndTheAgentPanel(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    ingest(spark, new JsonObject().put("type", "unhandled-error").put("error", new JsonObject().put("message", "boom")));
    access(spark, new JsonArray().add(row("GET", "/", 200, 1, null, Instant.now())));
    Await.result(spark.client().post("/api/v1/admin/cleanup").bearerTokenAuthentication(SparkUnderTest.TOKEN).send());
    logIn(spark);

    browser.driver().get(base(spark) + "/#health");
    browser.until(ExpectedConditions.textToBe(By.id("h-pending"), "1"));
    assertEquals("1", browser.find("#h-access").getText());
    assertTrue(browser.find("#h-db-max").getText().startsWith("100 MB"));
    assertTrue(browser.find("#h-mode").getText().startsWith("embedded"));
    assertFalse(browser.find("#h-cleanup").getText().contains("not yet"), "the cleanup that just ran is shown");
    assertTrue(browser.find("#h-storage").getText().contains("of 50,000"), browser.find("#h-storage").getText());
    assertEquals("1", browser.find("#h-observers").getText(), "this page's own observer stream");
    browser.screenshot("08-health");

    browser.driver().get(base(spark) + "/#agent");
    browser.until(ExpectedConditions.textToBePresentInElementLocated(By.id("agent-status"), "No coding agent is attached"));
    assertTrue(browser.find("#agent-status").getText().contains("set agent.enabled to true"), browser.find("#agent-status").getText());
    browser.find("#agent-input").sendKeys("Why did create-user fail? " + XSS);
    browser.find("#agent-send").click();
    // The browser's POST carries the session and its Origin, so it reaches the endpoint: 503, no agent in this Spark.
    browser.until(d -> browser.find("#agent-transcript").findElements(By.cssSelector(".entry")).size() == 2);
    List<WebElement> entries = browser.find("#agent-transcript").findElements(By.cssSelector(".entry"));
    assertTrue(entries.get(0).getText().contains(XSS), "what you typed, literally");
    assertTrue(entries.get(1).getText().contains("No coding agent is attached"), entries.get(1).getText());
    assertEquals(0L, browser.js("return document.querySelectorAll('#agent-transcript img').length"));
    browser.screenshot("09-agent-panel");

    // The same request without the browser's Origin is refused.
    String session = browser.driver().manage().getCookieNamed(Sessions.COOKIE).getValue();
    HttpResponse<Buffer> noOrigin = Await.result(spark.client().post("/api/v1/agent/messages")
        .putHeader("Cookie", Sessions.COOKIE + "=" + session).sendJsonObject(new JsonObject().put("text", "hi")));
    assertEquals(403, noOrigin.statusCode());
    HttpResponse<Buffer> foreign = Await.result(spark.client().post("/api/v1/admin/cleanup")
        .putHeader("Cookie", Sessions.COOKIE + "=" + session).putHeader("Origin", "http://evil.example").send());
    assertEquals(403, foreign.statusCode());
    assertNull(foreign.getHeader("Set-Cookie"));
  }

  private static void applyFilter(String css, String value) {
    WebElement input = browser.find(css);
    input.clear();
    if (!value.isEmpty()) input.sendKeys(value);
    browser.find("#f-apply").click();
  }

  private static String firstRowId(String table) {
    return (String) browser.js("const tr = document.querySelector(arguments[0] + ' tbody tr'); return tr ? tr.dataset.id : null;", table);
  }

  /** A value for an {@code <input type=datetime-local>} in the browser's zone (the JVM's: same machine). */
  private static String localInput(Instant t) {
    return java.time.LocalDateTime.ofInstant(t, java.time.ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS).toString();
  }

  static JsonObject row(String method, String path, int status, long durationMs, String feature, Instant at) {
    JsonObject r = new JsonObject().put("method", method).put("path", path).put("status", status).put("durationMs", durationMs)
        .put("timestamp", at.toString()).put("requestId", "r-" + method + path + at.toEpochMilli());
    if (feature != null) r.put("feature", feature);
    return r;
  }
}
