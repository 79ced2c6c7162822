package dev.spark.agent;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Finds the agent's executable: {@code agent.command} as given, else Pi in a project's {@code node_modules/.bin}, else on PATH. */
public final class AgentCommand {
  /** The Pi release Spark is tested with (package.json pins the same). */
  public static final String PI_PACKAGE = "@mariozechner/pi-coding-agent";
  public static final String PI_VERSION = "0.73.1";

  private AgentCommand() {}

  /** @return the executable, or empty with {@code searched} listing where it looked */
  public static Optional<Path> find(String configured, Path agentCwd, Map<String, String> env, List<String> searched) {
    if (configured != null && !configured.isBlank()) {
      if (configured.contains("/") || configured.contains(File.separator)) {
        Path p = agentCwd.resolve(configured).normalize();
        searched.add(p.toString());
        return Files.isExecutable(p) && !Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
      }
      return onPath(configured, env, searched);
    }
    Set<Path> dirs = new LinkedHashSet<>();
    dirs.add(agentCwd.toAbsolutePath().normalize());
    dirs.add(Path.of("").toAbsolutePath().normalize());
    for (Path dir : dirs) {
      Path p = dir.resolve("node_modules/.bin/pi");
      searched.add(p.toString());
      if (Files.isExecutable(p)) return Optional.of(p);
    }
    return onPath("pi", env, searched);
  }

  private static Optional<Path> onPath(String name, Map<String, String> env, List<String> searched) {
    String path = env.getOrDefault("PATH", "");
    searched.add(name + " on PATH");
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isBlank()) continue;
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p) && !Files.isDirectory(p)) return Optional.of(p);
    }
    return Optional.empty();
  }

  /** How to get Pi, for the reason shown when it is missing. */
  public static String installHint() {
    return "install Pi in the project (npm install --save-exact " + PI_PACKAGE + "@" + PI_VERSION
        + ", or npm ci where package.json pins it), install it globally so `pi` is on PATH, or set agent.command";
  }

  static List<String> copy(List<String> l) {
    return new ArrayList<>(l);
  }
}
