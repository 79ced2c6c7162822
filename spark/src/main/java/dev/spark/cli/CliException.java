package dev.spark.cli;

/** Something the user has to fix; printed as one line, and the CLI exits with {@link #exitCode()}. */
class CliException extends RuntimeException {
  /** Exit code for a bad option or option value, as picocli uses for usage errors. */
  static final int USAGE = 2;
  /** Exit code for everything else that went wrong. */
  static final int FAILED = 1;

  private final int exitCode;

  CliException(String message) {
    this(FAILED, message);
  }

  CliException(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
