package dev.spark.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.FileHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.Stream;

/**
 * What a Vert.x app logs its requests with when it has no Spark: Vert.x Web's {@code LoggerHandler},
 * which logs through Vert.x's logger, here java.util.logging (the project's logging, and what
 * Vert.x picks when no other backend is on the class path), to a {@link FileHandler} in the run's temp
 * directory. One record per request at INFO, one line per record ({@link SimpleFormatter}, the format
 * {@link Bench#configureLogging} sets: time, level, logger, message).
 */
final class AccessLogFile {
  /** The logger LoggerHandler logs to (vertx-web 5: {@code LoggerFactory.getLogger(LoggerHandler.class)}). */
  static final String LOGGER = "io.vertx.ext.web.handler.LoggerHandler";

  /** Held here: java.util.logging keeps loggers weakly, and a collected one would lose its handler. */
  private final Logger logger = Logger.getLogger(LOGGER);
  private final Path file;
  private final FileHandler handler;

  AccessLogFile(Path file) {
    this.file = file;
    try {
      handler = new FileHandler(file.toString(), false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    handler.setFormatter(new SimpleFormatter());
    handler.setLevel(Level.INFO);
    logger.setLevel(Level.INFO);
    logger.setUseParentHandlers(false);
    logger.addHandler(handler);
  }

  /**
   * Detaches and closes the handler (FileHandler flushes every record; close writes nothing more),
   * then counts the file's lines and the lines that are a 200 for {@code GET /hello}: {lines, matching}.
   */
  long[] closeAndCount() {
    logger.removeHandler(handler);
    handler.close();
    try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
      long[] out = new long[2];
      lines.forEach(line -> {
        out[0]++;
        if (line.contains("\"GET /hello HTTP/1.1\" 200 13")) out[1]++;
      });
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first lines of the file, to show what was logged. */
  List<String> head(int n) {
    try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
      return lines.limit(n).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
