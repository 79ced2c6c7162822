package dev.spark.cli;

import dev.spark.event.EventType;
import dev.spark.event.Timestamps;
import dev.spark.event.UuidV7;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

@Command(name = "run",
    header = "Run a command; record a process-error event when it fails.",
    description = {
        "Runs the command (the original's processErrors). Its output goes to the terminal and to a log "
            + "file in .spark/logs/ (logs/ beside db.path) named after the time and the command.",
        "When it exits with a non-zero code, Spark records a process-error event with command, exitCode, "
            + "logFile, tail (the last 50 lines) and error.message (\"sh exited with code 3\"): through a "
            + "running Spark over HTTP, else straight into the database through Spark's own storage code, "
            + "so it is never lost. A zero exit records nothing.",
        "SIGINT and SIGTERM are forwarded to the command; a command stopped that way is not recorded as "
            + "an error. The exit code is the command's (127 when it cannot be started).",
        "",
        "  spark run -- bun index.ts",
        "  spark run -- sh -c 'echo boom; exit 3'",
        ""})
final class RunCommand extends SparkCommand {
  static final int TAIL_LINES = 50;
  static final int CANNOT_START = 127;

  @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The command to run and its arguments (after --).")
  List<String> command;

  @Override
  public Integer call() {
    Settings settings = settings();
    CliContext ctx = ctx();
    String display = ProcessNames.display(command);
    Path log;
    try {
      log = ProcessNames.createLogFile(settings.logsDir(), command, Instant.now());
    } catch (IOException e) {
      throw new CliException("Cannot create a log file in " + ctx.show(settings.logsDir()) + ": " + e.getMessage());
    }
    Supervisor.Outcome outcome;
    try {
      outcome = Supervisor.tee(command, ctx.cwd(), ctx.env(), ctx.out(), ctx.err(), log,
          display + " (in " + ctx.cwd() + ", started " + Timestamps.now() + ")", TAIL_LINES);
    } catch (IOException e) {
      deleteQuietly(log); // it never ran: there is no output to keep
      warn("cannot run " + display + ": " + e.getMessage());
      return CANNOT_START;
    }
    int code = outcome.exitCode();
    if (code == 0) return 0;
    String what = ProcessNames.program(command) + " exited with code " + code;
    String logNote = " (log: " + ctx.show(log) + ")";
    if (outcome.stoppedBy() != null) {
      warn(what + " after " + outcome.stoppedBy() + " was forwarded to it; not recorded as an error" + logNote);
      return code;
    }
    record(settings, event(what, display, code, log, outcome.tail()), what, logNote);
    return code;
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a leftover empty log is harmless
    }
  }

  static JsonObject event(String message, String command, int exitCode, Path log, List<String> tail) {
    return new JsonObject()
        .put("type", EventType.PROCESS_ERROR.wire())
        // The same event may go over HTTP and then, if Spark went away mid-request, into the file: stored once.
        .put("eventId", UuidV7.next())
        .put("error", new JsonObject().put("message", message))
        .put("command", command)
        .put("exitCode", exitCode)
        .put("logFile", log.toAbsolutePath().toString())
        .put("tail", String.join("\n", tail));
  }

  /** Over HTTP when Spark is up; when it is not (or goes away, or is refusing work), into the file. */
  private void record(Settings settings, JsonObject event, String what, String logNote) {
    JsonObject answer;
    String where;
    try (SparkAccess spark = SparkAccess.open(settings, true)) {
      where = spark.where();
      try {
        answer = spark.ingestEvent(event);
      } catch (HttpAccess.Unavailable e) {
        try (LocalAccess file = new LocalAccess(settings)) {
          where = file.where() + " (" + e.getMessage() + ")";
          answer = file.ingestEvent(event);
        }
      }
    } catch (CliException e) {
      warn(what + "; could not record it: " + e.getMessage() + logNote);
      return;
    }
    JsonArray ids = answer.getJsonArray("ids", new JsonArray());
    Object id = ids.isEmpty() ? null : ids.getValue(0);
    if (id == null) {
      warn(what + "; not recorded: Spark is set to ignore process errors (enabled or watch.processErrors is false)" + logNote);
    } else {
      warn(what + "; recorded as process-error #" + id + " in " + where + logNote);
    }
  }
}
