package dev.spark.cli;

import dev.spark.SparkVerticle;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

@Command(name = "start",
    header = "Start Spark in the foreground (bin/vertx run dev.spark.SparkVerticle).",
    description = {
        "Runs the README's start command, bin/vertx run dev.spark.SparkVerticle -conf <conf> "
            + "(bin/vertx builds Spark first when needed), with the configuration file the CLI uses. "
            + "Ctrl-C or SIGTERM stops it gracefully: everything queued is committed. The exit code is Spark's.",
        "Refuses when a Spark already answers on web.host:web.port.",
        ""})
final class StartCommand extends SparkCommand {
  @Override
  public Integer call() {
    Settings settings = settings();
    if (HttpAccess.probe(settings) != null) {
      throw new CliException("Spark is already running at " + settings.baseUrl());
    }
    Path script = home().resolve("bin/vertx");
    List<String> command = new ArrayList<>(List.of(script.toString(), "run", SparkVerticle.class.getName()));
    if (settings.confFile != null) {
      command.add("-conf");
      command.add(settings.confFile.toString());
    }
    try {
      return Supervisor.inherit(command, ctx().cwd(), ctx().env()).exitCode();
    } catch (IOException e) {
      throw new CliException("Cannot run " + script + ": " + e.getMessage());
    }
  }

  /** Spark's checkout: -Dspark.home (bin/spark sets it), else the project that target/classes belongs to. */
  static Path home() {
    String property = System.getProperty("spark.home");
    if (property != null && !property.isBlank()) return Path.of(property).toAbsolutePath();
    try {
      Path classes = Path.of(SparkCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path root = classes.getParent() == null ? null : classes.getParent().getParent();
      if (Files.isDirectory(classes) && root != null && Files.isExecutable(root.resolve("bin/vertx"))) return root;
    } catch (URISyntaxException | RuntimeException e) {
      // fall through
    }
    throw new CliException("Cannot find Spark's bin/vertx: run bin/spark from Spark's checkout");
  }
}
