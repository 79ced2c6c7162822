package dev.spark.cli;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** How a supervised command is shown (shell-quoted), named in messages, and named on disk. */
final class ProcessNames {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final int SLUG_MAX = 60;

  private ProcessNames() {}

  /** The command as you would type it in a shell: {@code sh -c 'echo boom; exit 3'}. */
  static String display(List<String> command) {
    List<String> parts = new ArrayList<>();
    for (String arg : command) {
      parts.add(PLAIN.matcher(arg).matches() ? arg : "'" + arg.replace("'", "'\\''") + "'");
    }
    return String.join(" ", parts);
  }

  /** The program's file name: {@code node} for {@code /usr/bin/node}. */
  static String program(List<String> command) {
    String first = command.get(0);
    int slash = first.lastIndexOf('/');
    return slash >= 0 && slash < first.length() - 1 ? first.substring(slash + 1) : first;
  }

  /**
   * Creates a new, empty log file in {@code dir} named after the time and the command, e.g.
   * {@code 20261124T100000Z-sh-c-echo_boom_exit_3.log}; a second run in the same second gets {@code -2}.
   */
  static Path createLogFile(Path dir, List<String> command, Instant now) throws IOException {
    Files.createDirectories(dir);
    String base = STAMP.format(now) + "-" + slug(command);
    for (int i = 1; ; i++) {
      Path file = dir.resolve(base + (i == 1 ? "" : "-" + i) + ".log");
      try {
        return Files.createFile(file);
      } catch (FileAlreadyExistsException taken) {
        // next suffix
      }
    }
  }

  static String slug(List<String> command) {
    List<String> parts = new ArrayList<>();
    List<String> args = new ArrayList<>(command);
    args.set(0, program(command));
    for (String arg : args) {
      String s = arg.replaceAll("[^A-Za-z0-9.]+", "_").replaceAll("^[_.]+|_+$", "");
      if (!s.isEmpty()) parts.add(s);
    }
    String slug = String.join("-", parts);
    if (slug.length() > SLUG_MAX) slug = slug.substring(0, SLUG_MAX).replaceAll("[-_]+$", "");
    return slug.isEmpty() ? "command" : slug;
  }
}
