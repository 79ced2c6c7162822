package dev.spark.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures every log record of this JVM, at every level (FINEST included: Spark, Vert.x and Netty
 * all log through java.util.logging here), formatted with its parameters and stack trace, while
 * the console keeps printing only what it printed before. Close to restore.
 */
public final class LogCapture extends Handler implements AutoCloseable {
  private final Logger root = Logger.getLogger("");
  private final Level rootLevel = root.getLevel();
  private final Map<Handler, Level> consoleLevels = new HashMap<>();
  private final SimpleFormatter formatter = new SimpleFormatter();
  private final List<String> lines = new ArrayList<>();

  private LogCapture() {}

  public static LogCapture start() {
    LogCapture capture = new LogCapture();
    Level shown = capture.rootLevel == null ? Level.INFO : capture.rootLevel;
    for (Handler h : capture.root.getHandlers()) {
      capture.consoleLevels.put(h, h.getLevel());
      if (h.getLevel().intValue() < shown.intValue()) h.setLevel(shown);
    }
    capture.setLevel(Level.ALL);
    capture.root.addHandler(capture);
    capture.root.setLevel(Level.ALL);
    return capture;
  }

  @Override
  public void publish(LogRecord record) {
    String text = formatter.format(record);
    synchronized (lines) {
      lines.add(text);
    }
  }

  public String text() {
    synchronized (lines) {
      return String.join("", lines);
    }
  }

  public int size() {
    synchronized (lines) {
      return lines.size();
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    root.removeHandler(this);
    root.setLevel(rootLevel);
    consoleLevels.forEach(Handler::setLevel);
  }
}
