package dev.spark.support;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real Pi ({@code @mariozechner/pi-coding-agent}, pinned in package.json; {@code bin/test} installs
 * it with {@code npm ci}). Tests that need it are skipped when it is missing, unless {@code CI} is set:
 * then they fail.
 */
public final class Pi {
  private Pi() {}

  public static Path executable() {
    Path pi = Repo.path("node_modules/.bin/pi");
    if (Files.isExecutable(pi)) return pi;
    String ci = System.getenv("CI");
    if (ci != null && !ci.isBlank()) {
      throw new AssertionError("Pi is not installed at " + pi + " and CI is set: run bin/test (it runs npm ci)");
    }
    Assumptions.abort("Pi is not installed at " + pi + " (bin/test installs it with npm ci)");
    return null;
  }
}
