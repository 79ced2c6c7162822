package dev.spark.support;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A user's git project for the fix tests: one file committed on {@code main}, and git run as that user. */
public final class GitRepo {
  private GitRepo() {}

  /** {@code dir/project} with {@code app.txt} holding {@code content}, committed on {@code main}. */
  public static Path project(Path dir, String content) throws Exception {
    Path project = Files.createDirectories(dir.resolve("project"));
    Files.writeString(project.resolve("app.txt"), content);
    git(project, "init", "-q", "-b", "main");
    git(project, "add", "app.txt");
    git(project, "commit", "-q", "-m", "the app");
    return project;
  }

  /** Runs git as the user "Dev" in {@code dir}; fails the test when git does. Answers its output. */
  public static String git(Path dir, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("git " + String.join(" ", args) + " did not finish");
    if (p.exitValue() != 0) throw new AssertionError("git " + String.join(" ", args) + " exited " + p.exitValue() + ": " + out);
    return out;
  }
}
