package dev.spark.client;

import io.vertx.ext.web.Route;

/** What {@link SparkWeb} remembers about one request, from its start to its report. */
final class Exchange {
  final long startNanos;
  final long startMillis;
  final String requestId;
  int headersHandler = -1;
  long headersNanos;
  boolean streamed;
  Route atHeaders;
  boolean failed;
  Throwable failure;
  boolean finished;

  Exchange(String requestId) {
    this.startNanos = System.nanoTime();
    this.startMillis = System.currentTimeMillis();
    this.requestId = requestId;
  }
}
