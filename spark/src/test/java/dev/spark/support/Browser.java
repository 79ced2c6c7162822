package dev.spark.support;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which
 * {@code bin/test} installs) driven through Selenium, with screenshots under
 * {@code target/screenshots/}. Without the browser the tests are skipped, except in CI (the
 * {@code CI} environment variable is set), where that is a failure.
 */
public final class Browser implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  public static final Path SCREENSHOTS = Path.of("target", "screenshots");

  private WebDriver driver;

  private Browser(WebDriver driver) {
    this.driver = driver;
  }

  /**
   * One browser for a test class: {@code @RegisterExtension static final Browser browser =
   * Browser.perTestClass();} starts it (with a fresh profile) before the class's tests, skipped or
   * failed as {@link #assumeInstalled} says, and closes it after them.
   */
  public static Browser perTestClass() {
    return new Browser(null);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    assumeInstalled();
    driver = newDriver(Files.createTempDirectory("spark-chromium-"));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  public WebDriver driver() {
    return driver;
  }

  /** Skips the calling test class when Chromium is missing, unless CI is set: then it fails. */
  public static void assumeInstalled() {
    if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) return;
    String why = "Browser tests need Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
        + "); bin/test installs them (apt-get install -y chromium chromium-driver)";
    if (System.getenv("CI") != null) Assertions.fail(why + ". CI is set, so they may not be skipped.");
    Assumptions.abort("Skipped: " + why + ".");
  }

  public static Browser start(Path userDataDir) {
    return new Browser(newDriver(userDataDir));
  }

  private static WebDriver newDriver(Path userDataDir) {
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--disable-extensions", "--disable-default-apps", "--no-default-browser-check",
        "--window-size=1440,1000", "--user-data-dir=" + userDataDir.toAbsolutePath());
    return new ChromeDriver(service, options);
  }

  public WebDriverWait waiting(Duration timeout) {
    WebDriverWait wait = new WebDriverWait(driver, timeout, Duration.ofMillis(20));
    // A condition may read an element the page is just replacing (a table re-rendered): look again.
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  public <T> T until(ExpectedCondition<T> condition) {
    return waiting(Duration.ofSeconds(10)).until(condition);
  }

  /** Clicks what {@code css} finds, finding it again when the page re-rendered it in between (a view refreshing itself). */
  public void click(String css) {
    until(d -> {
      d.findElement(By.cssSelector(css)).click();
      return true;
    });
  }

  public WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  public Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Logs in to the dashboard at {@code base} through its form and waits for the live feed to be connected. */
  public void logIn(String base, String token) {
    driver.get(base + "/login");
    find("#token").sendKeys(token);
    find("#login-submit").click();
    until(ExpectedConditions.attributeToBe(By.id("live"), "data-state", "live"));
  }

  public List<WebElement> tableRows(String table) {
    return find(table + " tbody").findElements(By.tagName("tr"));
  }

  /** One column of a table's body, read in one step in the page (no element can go stale half way). */
  @SuppressWarnings("unchecked")
  public List<String> columnValues(String table, int column) {
    return (List<String>) js("return Array.from(document.querySelectorAll(arguments[0] + ' tbody tr'))"
        + ".map(tr => tr.cells[arguments[1]].textContent)", table, column);
  }

  /**
   * Writes {@code target/screenshots/<name>.png} for a reviewer to look at: the whole page (the
   * headless window is stretched to the page's height for the shot, then put back).
   */
  public Path screenshot(String name) {
    Dimension before = driver.manage().window().getSize();
    try {
      Files.createDirectories(SCREENSHOTS);
      long height = ((Number) js("return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)")).longValue();
      if (height > before.getHeight()) driver.manage().window().setSize(new Dimension(before.getWidth(), (int) Math.min(height + 120, 6000)));
      Path file = SCREENSHOTS.resolve(name + ".png");
      Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(shot, file, StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (!driver.manage().window().getSize().equals(before)) driver.manage().window().setSize(before);
    }
  }

  @Override
  public void close() {
    if (driver != null) driver.quit();
    driver = null;
  }
}
