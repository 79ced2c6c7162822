package dev.spark.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a child process the way a shell would (same working directory, environment and stdin),
 * forwards SIGINT and SIGTERM to it while it runs, and answers with its exit code. With a log file,
 * also tees the child's stdout and stderr: to the terminal as they come, and to the file line by
 * line (a line from one stream is never cut by the other), keeping the last lines for a report.
 *
 * <p>Signals are caught with {@code sun.misc.Signal} (module jdk.unsupported, which JEP 260 keeps
 * open because Java has no public API for this); javac warns about it, on purpose.
 */
final class Supervisor {
  /** How long, after the child exited, to wait for its output pipes to drain (a background grandchild may hold them open). */
  private static final long DRAIN_MS = 2_000;
  /** A line longer than this goes to the log in pieces rather than growing without bound. */
  private static final int MAX_LINE_BYTES = 64 * 1024;

  /** @param stoppedBy "SIGINT" or "SIGTERM" when the child ran while we forwarded one of them, else null */
  record Outcome(int exitCode, String stoppedBy, List<String> tail) {}

  private Supervisor() {}

  /** Runs the command with stdin, stdout and stderr inherited. */
  static Outcome inherit(List<String> command, Path cwd, Map<String, String> env) throws IOException {
    ProcessBuilder pb = builder(command, cwd, env).inheritIO();
    Forwarder signals = Forwarder.install();
    try {
      Process child = signals.attach(pb.start());
      return new Outcome(waitFor(child), signals.received(), List.of());
    } finally {
      signals.restore();
    }
  }

  /** Runs the command with stdin inherited, its output teed to {@code out}/{@code err} and to {@code log}. */
  static Outcome tee(List<String> command, Path cwd, Map<String, String> env, PrintStream out, PrintStream err,
      Path log, String header, int tailLines) throws IOException {
    ProcessBuilder pb = builder(command, cwd, env).redirectInput(ProcessBuilder.Redirect.INHERIT);
    try (LineLog lines = new LineLog(log, tailLines)) {
      lines.note(header);
      Forwarder signals = Forwarder.install();
      try {
        Process child = signals.attach(pb.start());
        Thread o = pump("spark-run-stdout", child.getInputStream(), out, lines);
        Thread e = pump("spark-run-stderr", child.getErrorStream(), err, lines);
        int code = waitFor(child);
        join(o, e);
        lines.note("exited with code " + code + (signals.received() == null ? "" : " after " + signals.received()));
        return new Outcome(code, signals.received(), lines.tail());
      } finally {
        signals.restore();
      }
    }
  }

  private static ProcessBuilder builder(List<String> command, Path cwd, Map<String, String> env) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
    pb.environment().putAll(env);
    return pb;
  }

  private static int waitFor(Process child) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return child.waitFor();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  private static void join(Thread... pumps) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MS);
    for (Thread t : pumps) {
      try {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static Thread pump(String name, InputStream from, PrintStream terminal, LineLog log) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[8192];
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      try (from) {
        int n;
        while ((n = from.read(buf)) > 0) {
          synchronized (terminal) {
            terminal.write(buf, 0, n);
            terminal.flush();
          }
          int start = 0;
          for (int i = 0; i < n; i++) {
            if (buf[i] == '\n') {
              line.write(buf, start, i - start);
              log.line(line.toByteArray());
              line.reset();
              start = i + 1;
            }
          }
          line.write(buf, start, n - start);
          if (line.size() > MAX_LINE_BYTES) {
            log.line(line.toByteArray());
            line.reset();
          }
        }
      } catch (IOException e) {
        // the child closed its end; what was read is logged below
      } finally {
        if (line.size() > 0) log.line(line.toByteArray());
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** The log file, written a whole line at a time, and the last lines kept in memory. */
  private static final class LineLog implements AutoCloseable {
    private final OutputStream file;
    private final Deque<String> tail = new ArrayDeque<>();
    private final int keep;
    private boolean closed;

    LineLog(Path path, int keep) throws IOException {
      this.file = new BufferedOutputStream(Files.newOutputStream(path));
      this.keep = keep;
    }

    /** Spark's own lines in the log (command, exit code), marked so they are not mistaken for output. */
    synchronized void note(String text) throws IOException {
      if (closed) return;
      file.write(("# spark run: " + text + "\n").getBytes(StandardCharsets.UTF_8));
      file.flush();
    }

    synchronized void line(byte[] bytes) {
      int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
      tail.addLast(new String(bytes, 0, len, StandardCharsets.UTF_8));
      while (tail.size() > keep) tail.removeFirst();
      if (closed) return;
      try {
        file.write(bytes);
        file.write('\n');
        file.flush();
      } catch (IOException e) {
        // a full disk must not stop the child's output reaching the terminal
      }
    }

    synchronized List<String> tail() {
      return new ArrayList<>(tail);
    }

    @Override
    public synchronized void close() throws IOException {
      closed = true;
      file.close();
    }
  }

  /**
   * While the child runs, SIGINT and SIGTERM sent to this JVM go to the child instead of stopping
   * us: we wait for it and exit with its code. (Ctrl-C in a terminal reaches the child directly too,
   * as it shares our process group; most programs treat a repeated SIGINT like the first.)
   * Installed before the child starts, so a signal in between is not lost: it is passed on as soon
   * as the child exists.
   */
  private static final class Forwarder {
    private static final List<String> SIGNALS = List.of("INT", "TERM");

    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
    private Process child;
    private Signal early;
    private volatile String received;

    static Forwarder install() {
      Forwarder f = new Forwarder();
      for (String name : SIGNALS) {
        try {
          Signal signal = new Signal(name);
          f.previous.put(signal, Signal.handle(signal, f::onSignal));
        } catch (IllegalArgumentException | UnsupportedOperationException notHere) {
          // this platform or JVM (-Xrs) does not let us handle it; the default applies
        }
      }
      return f;
    }

    Process attach(Process started) {
      Signal pending;
      synchronized (this) {
        child = started;
        pending = early;
      }
      if (pending != null) forward(started, pending);
      return started;
    }

    private void onSignal(Signal signal) {
      received = "SIG" + signal.getName();
      Process target;
      synchronized (this) {
        target = child;
        if (target == null) early = signal;
      }
      if (target != null) forward(target, signal);
    }

    private static void forward(Process target, Signal signal) {
      if (!target.isAlive()) return;
      try {
        Process kill = new ProcessBuilder("kill", "-" + signal.getName(), String.valueOf(target.pid()))
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (kill.waitFor() == 0) return;
      } catch (IOException e) {
        // no kill(1): fall back below
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      target.destroy(); // SIGTERM on Unix
    }

    String received() {
      return received;
    }

    void restore() {
      previous.forEach((signal, handler) -> {
        try {
          Signal.handle(signal, handler);
        } catch (IllegalArgumentException ignored) {
          // nothing to restore
        }
      });
    }
  }
}
