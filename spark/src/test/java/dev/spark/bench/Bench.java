package dev.spark.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.Stream;

/** Small helpers for the benchmark's main thread (never called on an event loop). */
final class Bench {
  private Bench() {}

  static <T> T await(Future<T> future, long seconds) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) throw re;
      throw new IllegalStateException(cause);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Timed out after " + seconds + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * A keep-alive HTTP/1.1 client on loopback with up to {@code connections} connections, no
   * pipelining. It drops a connection idle for 20 s, before Spark closes it (web.idleTimeoutMs,
   * 30 s): with Vert.x's default of 60 s a request could go out on a connection just as Spark closed
   * it and fail with "Connection was closed" (seen in a soak).
   */
  static HttpClientAgent httpClient(Vertx clients, int port, int connections) {
    return clients.createHttpClient(
        new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(20).setPipelining(false).setTcpNoDelay(true)
            .setDefaultHost("127.0.0.1").setDefaultPort(port),
        new PoolOptions().setHttp1MaxSize(connections));
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }

  /** One console line per record; Spark's INFO only with {@code verbose}. */
  static void configureLogging(boolean verbose) {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    ConsoleHandler console = new ConsoleHandler();
    console.setLevel(Level.ALL);
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$-7s %3$s - %5$s%6$s%n");
    console.setFormatter(new SimpleFormatter());
    root.addHandler(console);
    root.setLevel(verbose ? Level.INFO : Level.WARNING);
    Logger.getLogger("io.netty").setLevel(Level.WARNING);
  }
}
