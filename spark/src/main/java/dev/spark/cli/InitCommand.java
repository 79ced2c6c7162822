package dev.spark.cli;

import dev.spark.config.ConfigLoader;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

@Command(name = "init",
    header = "Set up Spark in this project: conf/spark.json, .gitignore and the Pi extension.",
    description = {
        "Creates conf/spark.json (or the --conf file) from Spark's defaults, with the environment from "
            + "SPARK_ENV or NODE_ENV (else development), when it does not exist; adds .spark/ (the database "
            + "and run logs) to .gitignore in the working directory, creating it if needed.",
        "Safe to run again: it never overwrites a configuration you edited, never adds a line twice, "
            + "and says \"Nothing to do\" when everything is in place.",
        "Prints the DSN an application's Sentry SDK reports to this Spark with.",
        "Installs Spark's Pi extension for human Pi sessions as .pi/spark/extension.ts (rewritten when it "
            + "differs from this Spark's) and registers it in .pi/settings.json (created if needed; other "
            + "settings are kept). Run pi in the project and it receives Spark's events.",
        ""})
final class InitCommand extends SparkCommand {
  static final String IGNORE_LINE = ".spark/";
  private static final Set<String> IGNORED_ALREADY = Set.of(".spark", ".spark/", "/.spark", "/.spark/", ".spark/*", "/.spark/*");

  @Override
  public Integer call() throws IOException {
    CliContext ctx = ctx();
    List<String> done = new ArrayList<>();
    List<String> already = new ArrayList<>();
    String invalid = null;

    Path conf = Settings.confFile(ctx, parent.conf);
    if (Files.exists(conf)) {
      already.add(ctx.show(conf) + " exists (left as it is)");
      try {
        Settings.load(ctx, parent.conf);
      } catch (CliException e) {
        invalid = e.getMessage();
      }
    } else {
      String environment = ConfigLoader.load(null, ctx.env()).environment();
      if (conf.getParent() != null) Files.createDirectories(conf.getParent());
      Files.writeString(conf, JsonText.pretty(withEnvironment(environment)), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
      done.add("Created " + ctx.show(conf) + " (Spark's defaults, environment " + environment + ")");
    }

    Path gitignore = ctx.cwd().resolve(".gitignore");
    if (!Files.exists(gitignore)) {
      Files.writeString(gitignore, IGNORE_LINE + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
      done.add("Created .gitignore with " + IGNORE_LINE);
    } else {
      String text = Files.readString(gitignore, StandardCharsets.UTF_8);
      if (text.lines().map(String::trim).anyMatch(IGNORED_ALREADY::contains)) {
        already.add(".gitignore already ignores " + IGNORE_LINE);
      } else {
        String sep = text.isEmpty() || text.endsWith("\n") ? "" : "\n";
        Files.writeString(gitignore, sep + IGNORE_LINE + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        done.add("Added " + IGNORE_LINE + " to .gitignore");
      }
    }

    String piProblem = PiExtensionInstaller.install(ctx.cwd(), done, already);

    StringBuilder out = new StringBuilder();
    if (done.isEmpty()) {
      out.append("Nothing to do: ").append(String.join("; ", already)).append(".\n");
    } else {
      for (String line : done) out.append(line).append('\n');
      out.append("Next: bin/spark start\n");
    }
    if (invalid == null) out.append(StatusCommand.sentryDsn(Settings.load(ctx, parent.conf).cfg));
    print(out.toString());
    if (piProblem != null) warn(piProblem);
    if (invalid != null) {
      warn(ctx.show(conf) + " will not load: " + invalid);
      return CliException.FAILED;
    }
    return 0;
  }

  /** The embedded defaults with {@code environment} right after {@code enabled}, as conf/spark.json has it. */
  static JsonObject withEnvironment(String environment) {
    JsonObject defaults = ConfigLoader.defaults();
    JsonObject out = new JsonObject();
    for (Map.Entry<String, Object> e : defaults) {
      out.put(e.getKey(), e.getValue());
      if (e.getKey().equals("enabled")) out.put("environment", environment);
    }
    if (!out.containsKey("environment")) out.put("environment", environment);
    return out;
  }
}
