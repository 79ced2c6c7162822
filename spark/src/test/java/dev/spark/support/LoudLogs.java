package dev.spark.support;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects the log records an outside attacker must never cause: anything at SEVERE, and any record
 * above INFO that carries a stack trace. Vert.x's blocked-thread warnings are left out: on a loaded
 * machine they say more about the machine than about the request. Close to stop.
 */
public final class LoudLogs extends Handler implements AutoCloseable {
  private final Logger root = Logger.getLogger("");
  private final List<String> records = new ArrayList<>();

  private LoudLogs() {}

  public static LoudLogs start() {
    LoudLogs logs = new LoudLogs();
    logs.setLevel(Level.WARNING);
    logs.root.addHandler(logs);
    return logs;
  }

  @Override
  public void publish(LogRecord r) {
    if (r.getLevel().intValue() <= Level.INFO.intValue()) return;
    String message = String.valueOf(r.getMessage());
    if (message.contains("has been blocked")) return;
    if (r.getLevel() == Level.SEVERE || r.getThrown() != null) {
      synchronized (records) {
        records.add(r.getLevel() + " " + r.getLoggerName() + ": " + message + (r.getThrown() == null ? "" : " / " + r.getThrown()));
      }
    }
  }

  public List<String> records() {
    synchronized (records) {
      return List.copyOf(records);
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    root.removeHandler(this);
  }
}
