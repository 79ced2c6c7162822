package dev.spark.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The branch and changed files of the agent's working directory, for its orientation (blocking: run off the event loop). */
final class GitProbe {
  private GitProbe() {
  }

  /** The status of {@code dir}, or null when it is not a git work tree or git is missing. */
  static AgentMessages.GitStatus status(Path dir) {
    try {
      String branch = run(dir, "git", "rev-parse", "--abbrev-ref", "HEAD");
      if (branch == null) return null;
      String porcelain = run(dir, "git", "status", "--porcelain");
      List<String> changed = new ArrayList<>();
      if (porcelain != null) {
        for (String line : porcelain.split("\n")) {
          if (line.length() > 3) changed.add(line.substring(3).trim());
          if (changed.size() == 50) {
            changed.add("…");
            break;
          }
        }
      }
      return new AgentMessages.GitStatus(branch.trim(), changed);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String run(Path dir, String... command) {
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(false).start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
