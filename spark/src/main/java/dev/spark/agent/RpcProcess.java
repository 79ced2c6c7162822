package dev.spark.agent;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One agent process speaking Pi's RPC protocol: JSON objects, one per line, on its stdin (commands)
 * and stdout (responses and events). Records are split on {@code \n} only (a trailing {@code \r} is
 * dropped), never on other Unicode line separators, which are legal inside JSON strings.
 *
 * <p>Blocking I/O runs on threads of its own; every line and the exit are handed to {@code context},
 * in order, so the owner sees them on its event loop. The exit comes after the last line.
 */
final class RpcProcess {
  private static final Logger LOG = Logger.getLogger(RpcProcess.class.getName());
  private static final int STDERR_LINES = 40;

  private final Context context;
  private final Process process;
  private final ExecutorService writer;
  private final Deque<String> stderr = new ArrayDeque<>();

  private RpcProcess(Context context, Process process) {
    this.context = context;
    this.process = process;
    this.writer = Executors.newSingleThreadExecutor(r -> daemon(r, "spark-agent-stdin-" + process.pid()));
  }

  /**
   * Starts {@code command} in {@code cwd} with {@code env} added to Spark's environment.
   *
   * @param onMessage each JSON object the process prints
   * @param onExit    its exit code, after the last message
   */
  static RpcProcess start(Context context, List<String> command, Path cwd, Map<String, String> env,
      Handler<JsonObject> onMessage, Handler<Integer> onExit) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
    pb.environment().putAll(env);
    RpcProcess p = new RpcProcess(context, pb.start());
    daemon(() -> p.readStdout(onMessage, onExit), "spark-agent-stdout-" + p.pid()).start();
    daemon(p::readStderr, "spark-agent-stderr-" + p.pid()).start();
    return p;
  }

  long pid() {
    return process.pid();
  }

  CompletableFuture<Process> onExit() {
    return process.onExit();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Writes one command line; never blocks the caller. A dead process's commands are dropped (its exit reports why). */
  void send(JsonObject command) {
    byte[] line = (command.encode() + "\n").getBytes(StandardCharsets.UTF_8);
    writer.execute(() -> {
      try {
        OutputStream out = process.getOutputStream();
        out.write(line);
        out.flush();
      } catch (IOException e) {
        LOG.fine("Agent process " + pid() + " does not take input: " + e.getMessage());
      }
    });
  }

  /** Ends the process: closes its stdin, then SIGTERM, then SIGKILL after {@code graceMs}. */
  void stop(long graceMs) {
    writer.execute(() -> {
      try {
        process.getOutputStream().close();
      } catch (IOException ignored) {
        // already gone
      }
    });
    writer.shutdown();
    process.destroy();
    process.onExit().orTimeout(graceMs, TimeUnit.MILLISECONDS).exceptionally(t -> {
      process.destroyForcibly();
      return null;
    });
  }

  /** The last lines the process wrote to stderr (for saying why it died). */
  synchronized String stderrTail() {
    return String.join("\n", stderr);
  }

  private void readStdout(Handler<JsonObject> onMessage, Handler<Integer> onExit) {
    try (InputStream in = process.getInputStream()) {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      byte[] buf = new byte[65_536];
      int n;
      while ((n = in.read(buf)) >= 0) {
        int start = 0;
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            line.write(buf, start, i - start);
            deliver(line, onMessage);
            start = i + 1;
          }
        }
        line.write(buf, start, n - start);
      }
      if (line.size() > 0) deliver(line, onMessage);
    } catch (IOException e) {
      LOG.fine("Agent process " + pid() + " stdout closed: " + e.getMessage());
    }
    int code;
    try {
      code = process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      code = -1;
    }
    writer.shutdown();
    int exit = code;
    handOver(() -> onExit.handle(exit));
  }

  /** Runs {@code task} on the owner's context; after Vert.x has closed (a process outliving Spark's stop) there is nobody to tell. */
  private void handOver(Runnable task) {
    try {
      context.runOnContext(v -> task.run());
    } catch (RejectedExecutionException closed) {
      LOG.fine("Agent process " + pid() + ": Vert.x has closed, output dropped");
    }
  }

  private void deliver(ByteArrayOutputStream line, Handler<JsonObject> onMessage) {
    byte[] bytes = line.toByteArray();
    line.reset();
    int len = bytes.length;
    if (len > 0 && bytes[len - 1] == '\r') len--;
    if (len == 0) return;
    String text = new String(bytes, 0, len, StandardCharsets.UTF_8);
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      LOG.fine("Agent process " + pid() + " printed a line that is not a JSON object: " + abbreviate(text));
      return;
    }
    handOver(() -> onMessage.handle(json));
  }

  private void readStderr() {
    try (InputStream in = process.getErrorStream()) {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0) {
        if (b == '\n') {
          addStderr(line.toString(StandardCharsets.UTF_8));
          line.reset();
        } else if (line.size() < 4_096) {
          line.write(b);
        }
      }
      if (line.size() > 0) addStderr(line.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // closed with the process
    }
  }

  private synchronized void addStderr(String line) {
    String l = line.strip();
    if (l.isEmpty()) return;
    LOG.fine("agent stderr: " + l);
    if (stderr.size() >= STDERR_LINES) stderr.pollFirst();
    stderr.addLast(l);
  }

  static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
