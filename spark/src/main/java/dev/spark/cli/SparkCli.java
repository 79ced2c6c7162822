package dev.spark.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code bin/spark}: Spark's command line. Every command that looks at data talks to a running
 * Spark over HTTP when one answers on web.host:web.port, and otherwise opens the database file
 * itself (read-only for reads; through Spark's own storage and janitor verticles for writes).
 */
@Command(name = "spark",
    description = {
        "Spark's command line: set up a project, start Spark, supervise a process, and look at what Spark captured. "
            + "Each command talks to a running Spark over HTTP when GET /health answers on web.host:web.port, "
            + "and otherwise reads the database file itself (read-only), or writes it through Spark's own storage code.",
        ""},
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
        InitCommand.class, StartCommand.class, RunCommand.class, EventsCommand.class, AccessCommand.class,
        IssuesCommand.class, AlertsCommand.class, FixesCommand.class, StatusCommand.class, CleanupCommand.class, VacuumCommand.class},
    footer = {
        "",
        "Configuration: --conf <file>, else conf/spark.json when present, else Spark's defaults; then "
            + "SPARK_ENV (or NODE_ENV), SPARK_DB_PATH, SPARK_WEB_PORT and SPARK_WEB_TOKEN win, as for the server.",
        "Exit codes: 0 done; 1 failed (one line on stderr says why); 2 bad command line. "
            + "spark run exits with its command's code.",
        "See 'spark COMMAND --help'."})
public final class SparkCli implements Callable<Integer> {
  @Option(names = "--conf", paramLabel = "<file>", scope = ScopeType.INHERIT,
      description = "Spark's configuration file (default: conf/spark.json when it exists, else the embedded defaults).")
  String conf;

  @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "Show this help and exit.")
  boolean help;

  @Spec
  CommandSpec spec;

  final CliContext ctx;

  public SparkCli(CliContext ctx) {
    this.ctx = ctx;
  }

  public static void main(String[] args) {
    if (System.getProperty("java.util.logging.config.file") == null) {
      // The verticles a command deploys log their start-up at INFO; a CLI prints only what matters.
      Logger.getLogger("").setLevel(Level.WARNING);
    }
    System.exit(execute(CliContext.system(), args));
  }

  /** Runs the command line in this JVM with the given surroundings; answers the exit code. */
  public static int execute(CliContext ctx, String... args) {
    return commandLine(ctx).execute(args);
  }

  public static CommandLine commandLine(CliContext ctx) {
    CommandLine cl = new CommandLine(new SparkCli(ctx));
    cl.setOut(new PrintWriter(new OutputStreamWriter(ctx.out(), StandardCharsets.UTF_8), true));
    cl.setErr(new PrintWriter(new OutputStreamWriter(ctx.err(), StandardCharsets.UTF_8), true));
    // `spark run sh -c '…'` works without `--`: everything from the command on is the command's.
    cl.getSubcommands().get("run").setStopAtPositional(true);
    cl.setParameterExceptionHandler((ex, args) -> {
      CommandLine bad = ex.getCommandLine();
      bad.getErr().println(name(bad) + ": " + ex.getMessage() + " (see '" + name(bad) + " --help')");
      bad.getErr().flush();
      return CliException.USAGE;
    });
    cl.setExecutionExceptionHandler((ex, failed, parsed) -> {
      if (ex instanceof CliException e) {
        failed.getErr().println(name(failed) + ": " + Terminal.text(e.getMessage()));
        failed.getErr().flush();
        return e.exitCode();
      }
      failed.getErr().println(name(failed) + ": unexpected error: " + Terminal.text(String.valueOf(ex)));
      failed.getErr().flush();
      return CliException.FAILED;
    });
    return cl;
  }

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("spark: name a command, e.g. 'spark status' (see 'spark --help')");
    return CliException.USAGE;
  }

  private static String name(CommandLine cl) {
    return cl.getCommandSpec().qualifiedName(" ");
  }
}
