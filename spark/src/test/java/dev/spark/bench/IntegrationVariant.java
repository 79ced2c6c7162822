package dev.spark.bench;

import dev.spark.client.SparkWeb;
import dev.spark.client.SparkWebOptions;
import io.vertx.core.http.HttpClientAgent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** One app under test in the integration benchmark: what it is, its port and client, and what it measured. */
final class IntegrationVariant {
  enum Workload { HELLO, QUOTE }

  final String key;
  final String title;
  final Workload workload;
  /** SparkWeb's options, or null for an app without SparkWeb. */
  final SparkWebOptions options;
  /** Vert.x Web's LoggerHandler on the router (see {@link AccessLogFile}). */
  final boolean accessLogger;
  final int port = SparkServer.freePort();
  /** Every SparkWeb the app's verticle instances installed (to flush and count at the end). */
  final Queue<SparkWeb> webs = new ConcurrentLinkedQueue<>();
  final List<RunStats> runs = new ArrayList<>();
  /** Per measured run, CPU nanoseconds by thread group ({@link CpuSampler#groupNanos}). */
  final List<Map<String, Long>> cpu = new ArrayList<>();
  long warmupRequests;
  /** Spark's group commits during the measured runs, and the rows they committed. */
  long commits;
  long committedRows;
  HttpClientAgent http;

  IntegrationVariant(String key, String title, Workload workload, SparkWebOptions options, boolean accessLogger) {
    this.key = key;
    this.title = title;
    this.workload = workload;
    this.options = options;
    this.accessLogger = accessLogger;
  }

  /** Requests answered (200 and checked), warm-up included. */
  long answered() {
    return warmupRequests + runs.stream().mapToLong(s -> s.requestsOk).sum();
  }

  /** CPU nanoseconds by thread group over all measured runs. */
  Map<String, Long> cpuTotals() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (Map<String, Long> run : cpu) run.forEach((group, nanos) -> out.merge(group, nanos, Long::sum));
    return out;
  }
}
