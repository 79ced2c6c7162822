package dev.spark.support;

import dev.spark.client.SparkClient;
import dev.spark.client.SparkClientOptions;
import dev.spark.event.EventBatch;
import dev.spark.event.EventType;
import dev.spark.event.SparkEvent;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;

/**
 * An application on its own JVM that reaches Spark through {@link SparkClient} on the clustered event
 * bus, as a user's would: Hazelcast configured from {@code -Dvertx.hazelcast.config} (else cluster.xml
 * on the classpath). Driven line by line on standard input, it answers on standard output:
 * <ul>
 *   <li>{@code error TEXT}: throws an exception with that message and sends it as an unhandled error;</li>
 *   <li>{@code errors N PREFIX}: N of them, "PREFIX 0" to "PREFIX N-1" ({@code sent N in T ms, slowest S ms});</li>
 *   <li>{@code errors-over MS N PREFIX}: the same, spread evenly over MS milliseconds, as errors keep
 *       coming while Spark is away;</li>
 *   <li>{@code observe}, {@code subscribe}: an observer, an agent ("app-agent"); each event they get is
 *       printed as {@code observed ID DATA} / {@code batch ID DATA};</li>
 *   <li>{@code stats}: {@code stats buffered=B dropped=D refused=R};</li>
 *   <li>{@code buffered N}: once the client's buffer holds N items, {@code buffered N: stats ...};</li>
 *   <li>{@code quit}: leaves the cluster and exits.</li>
 * </ul>
 * Argument: the buffer bound in events.
 */
public final class ClusterApp {
  private ClusterApp() {}

  public static void main(String[] args) throws Exception {
    int bufferEvents = args.length > 0 ? Integer.parseInt(args[0]) : SparkClientOptions.DEFAULT_BUFFER_EVENTS;
    VertxOptions options = new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0));
    Vertx vertx = Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager()).buildClustered()
        .toCompletionStage().toCompletableFuture().get();
    SparkClient client = SparkClient.create(vertx, new SparkClientOptions()
        .setSendTimeoutMs(3_000).setClusterPropagationMs(1_500).setRetryDelays(100, 1_000).setBufferLimit(bufferEvents, 64L << 20));
    System.out.println("app ready");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] words = line.split(" ", 3);
      switch (words[0]) {
        case "error" -> {
          client.sendEvent(thrown(words[1] + (words.length > 2 ? " " + words[2] : "")));
          System.out.println("sent 1");
        }
        case "errors" -> throwErrors(client, Integer.parseInt(words[1]), 0, words[2]);
        case "errors-over" -> {
          String[] more = words[2].split(" ", 2);
          throwErrors(client, Integer.parseInt(more[0]), Long.parseLong(words[1]), more[1]);
        }
        case "observe" -> client.observe(batch -> print("observed", batch)).onComplete(
            ar -> System.out.println(ar.succeeded() ? "observing" : "observe failed: " + ar.cause()));
        case "subscribe" -> client.subscribe("app-agent", batch -> print("batch", batch)).onComplete(
            ar -> System.out.println(ar.succeeded() ? "subscribed" : "subscribe failed: " + ar.cause()));
        case "stats" -> System.out.println(stats(client));
        case "buffered" -> {
          long n = Long.parseLong(words[1]);
          vertx.setPeriodic(10, id -> {
            if (client.buffered() != n) return;
            vertx.cancelTimer(id);
            System.out.println("buffered " + n + ": " + stats(client));
          });
        }
        case "quit" -> {
          vertx.close().toCompletionStage().toCompletableFuture().get();
          System.out.println("app left");
          System.exit(0);
        }
        default -> System.out.println("unknown command: " + line);
      }
    }
  }

  /**
   * {@code n} errors from this (the application's) thread, the i-th at {@code i * overMs / n} ms; says how
   * long the sends took in all and the slowest single one (a send must never wait for Spark).
   */
  private static void throwErrors(SparkClient client, int n, long overMs, String prefix) {
    long started = System.nanoTime();
    long slowest = 0;
    for (int i = 0; i < n; i++) {
      long due = started + overMs * 1_000_000 * i / n;
      while (System.nanoTime() < due) LockSupport.parkNanos(due - System.nanoTime()); // pacing the workload
      long t = System.nanoTime();
      client.sendEvent(thrown(prefix + " " + i));
      slowest = Math.max(slowest, System.nanoTime() - t);
    }
    System.out.println("sent " + n + " in " + (System.nanoTime() - started) / 1_000_000 + " ms, slowest " + slowest / 1_000_000 + " ms");
  }

  private static void print(String what, EventBatch batch) {
    batch.events().forEach(e -> System.out.println(what + " " + e.id() + " " + e.row().data()));
  }

  private static String stats(SparkClient client) {
    return "stats buffered=" + client.buffered() + " dropped=" + client.dropped() + " refused=" + client.refused();
  }

  private static SparkEvent thrown(String message) {
    try {
      throw new IllegalStateException(message);
    } catch (IllegalStateException e) {
      return SparkEvent.of(EventType.UNHANDLED_ERROR, e.getMessage());
    }
  }
}
