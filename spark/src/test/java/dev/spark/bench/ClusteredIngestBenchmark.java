package dev.spark.bench;

import dev.spark.bus.Addresses;
import dev.spark.client.SparkClient;
import dev.spark.event.AccessLogEntry;
import dev.spark.event.EventType;
import dev.spark.event.SparkEvent;
import dev.spark.support.SparkProcess;
import dev.spark.support.SparkUnderTest;
import dev.spark.support.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Issue 17's benchmark: {@link SparkClient} ingest into Spark in the same JVM, then from this JVM as
 * an application on a clustered event bus (Hazelcast, TCP/IP on loopback) into Spark's fat jar as its
 * own process. Acknowledged sends ({@code storeEvent}, and access-log batches as SparkWeb sends them:
 * a JSON array on {@code spark.ingest.access}), a fixed number in flight, for a fixed time each:
 * rows/s and acknowledgement latency (p50, p99). Arguments: seconds per run (5), in flight (32),
 * access entries per batch (100).
 */
public final class ClusteredIngestBenchmark {
  private ClusteredIngestBenchmark() {}

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
    int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    Path dir = Files.createTempDirectory("spark-cluster-bench");
    List<String> rows = new ArrayList<>();

    Vertx local = Vertx.vertx();
    SparkUnderTest spark = SparkUnderTest.start(local, dir.resolve("local"), null);
    rows.addAll(runAll("same JVM", local, seconds, inFlight, batch));
    spark.stop();
    local.close().await();

    Path conf = SparkProcess.writeConf(dir.resolve("spark.json"), new JsonObject()
        .put("db", new JsonObject().put("path", dir.resolve("clustered.db").toString()))
        .put("web", new JsonObject().put("port", SparkUnderTest.freePort()).put("token", SparkUnderTest.TOKEN)));
    Path clusterXml = TestCluster.config(dir);
    System.setProperty("vertx.hazelcast.config", clusterXml.toString());
    List<String> command = new ArrayList<>(SparkProcess.jarCommand(conf, "-Xmx512m", "-Dvertx.hazelcast.config=" + clusterXml));
    command.addAll(List.of("-cluster", "-cluster-host", "127.0.0.1"));
    try (SparkProcess process = SparkProcess.launch(dir, command)) {
      process.awaitLine("Spark started", 120);
      Vertx app = Vertx.builder().with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1")))
          .withClusterManager(new HazelcastClusterManager()).buildClustered().await();
      rows.addAll(runAll("clustered, Spark in another JVM", app, seconds, inFlight, batch));
      app.close().await();
      process.terminate();
    }
    System.out.println();
    System.out.println("| where | workload | rows/s | acks/s | p50 ack ms | p99 ack ms |");
    System.out.println("| --- | --- | ---: | ---: | ---: | ---: |");
    rows.forEach(System.out::println);
    System.exit(0);
  }

  private static List<String> runAll(String where, Vertx vertx, double seconds, int inFlight, int batch) {
    SparkClient client = SparkClient.create(vertx);
    DeliveryOptions delivery = new DeliveryOptions().setSendTimeout(30_000);
    List<String> out = new ArrayList<>();
    // warm-up, not reported
    run(vertx, 1, inFlight, 1, () -> client.storeEvent(event()).mapEmpty());
    out.add(row(where, "single events (storeEvent)", run(vertx, seconds, inFlight, 1, () -> client.storeEvent(event()).mapEmpty())));
    out.add(row(where, "access batches of " + batch, run(vertx, seconds, inFlight, batch,
        () -> vertx.eventBus().request(Addresses.INGEST_ACCESS, accessBatch(batch), delivery).mapEmpty())));
    return out;
  }

  private record Result(long acks, long rows, double seconds, long[] latencies) {}

  private static Result run(Vertx vertx, double seconds, int inFlight, int rowsPerAck, Supplier<Future<Void>> send) {
    Promise<Result> done = Promise.promise();
    vertx.runOnContext(v -> {
      long start = System.nanoTime();
      long deadline = start + (long) (seconds * 1e9);
      RunStats.LongList latencies = new RunStats.LongList();
      int[] outstanding = {0};
      Runnable[] next = new Runnable[1];
      next[0] = () -> {
        if (System.nanoTime() >= deadline) {
          if (outstanding[0] == 0) {
            long[] l = latencies.sorted();
            done.tryComplete(new Result(l.length, (long) l.length * rowsPerAck, (System.nanoTime() - start) / 1e9, l));
          }
          return;
        }
        long sent = System.nanoTime();
        outstanding[0]++;
        send.get().onComplete(ar -> {
          outstanding[0]--;
          if (ar.succeeded()) latencies.add(System.nanoTime() - sent);
          next[0].run();
        });
      };
      for (int i = 0; i < inFlight; i++) next[0].run();
    });
    return done.future().await();
  }

  private static String row(String where, String workload, Result r) {
    long[] l = r.latencies();
    Arrays.sort(l);
    double p50 = l.length == 0 ? 0 : l[(int) (l.length * 0.50)] / 1e6;
    double p99 = l.length == 0 ? 0 : l[Math.min(l.length - 1, (int) (l.length * 0.99))] / 1e6;
    String line = String.format("| %s | %s | %,.0f | %,.0f | %.2f | %.2f |", where, workload, r.rows() / r.seconds(), r.acks() / r.seconds(), p50, p99);
    System.out.println(line);
    return line;
  }

  private static JsonObject event() {
    return SparkEvent.of(EventType.SERVER_ERROR, "benchmark error " + UUID.randomUUID()).toJson();
  }

  private static JsonArray accessBatch(int n) {
    JsonArray batch = new JsonArray();
    for (int i = 0; i < n; i++) batch.add(new AccessLogEntry("GET", "/bench/" + (i % 10), 200, 3L, null, null, null, null, null, null, null).toJson());
    return batch;
  }
}
