package dev.spark.client;

import io.vertx.core.Handler;

import java.nio.file.Path;

/** Settings of a {@link SparkClient}. */
public final class SparkClientOptions {
  /** Default time Spark has to answer a send before it counts as refused (ms). */
  public static final long DEFAULT_SEND_TIMEOUT_MS = 30_000;
  /** Default interval at which an agent subscription repeats its registration (ms). */
  public static final long DEFAULT_REREGISTER_INTERVAL_MS = 10_000;
  /** Default wait for a new consumer to become known across a clustered event bus (ms). */
  public static final long DEFAULT_CLUSTER_PROPAGATION_MS = 500;

  /** Default bound of what a client keeps while Spark cannot take it: events (access entries count one each)... */
  public static final int DEFAULT_BUFFER_EVENTS = 10_000;
  /** ...and their size as JSON (bytes). */
  public static final long DEFAULT_BUFFER_BYTES = 16L * 1024 * 1024;

  private long sendTimeoutMs = DEFAULT_SEND_TIMEOUT_MS;
  private int bufferEvents = DEFAULT_BUFFER_EVENTS;
  private long bufferBytes = DEFAULT_BUFFER_BYTES;
  private long retryInitialDelayMs = 250;
  private long retryMaxDelayMs = 5_000;
  private long reregisterIntervalMs = DEFAULT_REREGISTER_INTERVAL_MS;
  private Handler<Throwable> refusalHandler;
  private long clusterPropagationMs = DEFAULT_CLUSTER_PROPAGATION_MS;
  private Path bufferDirectory;

  public long getSendTimeoutMs() {
    return sendTimeoutMs;
  }

  /**
   * How long Spark has to acknowledge a send (it answers once the rows are committed). A
   * fire-and-forget send not answered in time is counted as refused; an acknowledged one fails with
   * a {@code TIMEOUT} {@link io.vertx.core.eventbus.ReplyException}. Never delays the caller.
   */
  public SparkClientOptions setSendTimeoutMs(long sendTimeoutMs) {
    if (sendTimeoutMs < 1) throw new IllegalArgumentException("sendTimeoutMs must be at least 1");
    this.sendTimeoutMs = sendTimeoutMs;
    return this;
  }

  public long getReregisterIntervalMs() {
    return reregisterIntervalMs;
  }

  /**
   * An agent subscription repeats its (idempotent) registration this often, so that it keeps
   * consuming after Spark restarts, or when Spark is deployed after the subscription was made.
   * 0 turns it off.
   */
  public SparkClientOptions setReregisterIntervalMs(long reregisterIntervalMs) {
    if (reregisterIntervalMs < 0) throw new IllegalArgumentException("reregisterIntervalMs must be 0 or more");
    this.reregisterIntervalMs = reregisterIntervalMs;
    return this;
  }

  public Handler<Throwable> getRefusalHandler() {
    return refusalHandler;
  }

  /**
   * Called for every fire-and-forget send Spark did not confirm, with the reason, after it was
   * counted in {@link SparkClient#refused()} (on an event loop: must not block). Optional.
   */
  public SparkClientOptions setRefusalHandler(Handler<Throwable> refusalHandler) {
    this.refusalHandler = refusalHandler;
    return this;
  }

  public long getClusterPropagationMs() {
    return clusterPropagationMs;
  }

  /**
   * On a clustered event bus only: how long {@code subscribe} / {@code observe} wait, after their
   * consumer is registered, before registering with Spark (an agent) or completing (an observer).
   * Vert.x tells the other nodes about a new consumer asynchronously (a cache refreshed by cluster
   * events, throttled to 20 ms), and Spark marks events consumed when it publishes them: without the
   * wait, the backlog could be published to a node that does not know this consumer yet, and be
   * lost to it. Best effort; 0 turns it off. Not used when the bus is not clustered.
   */
  public SparkClientOptions setClusterPropagationMs(long clusterPropagationMs) {
    if (clusterPropagationMs < 0) throw new IllegalArgumentException("clusterPropagationMs must be 0 or more");
    this.clusterPropagationMs = clusterPropagationMs;
    return this;
  }

  public int getBufferEvents() {
    return bufferEvents;
  }

  public long getBufferBytes() {
    return bufferBytes;
  }

  /**
   * The bound of what fire-and-forget sends keep while Spark cannot take them (nobody listening on the
   * address, no answer in time for an event, refused with 503): at most {@code events} items and
   * {@code bytes} of JSON. They are sent again, oldest first, once Spark answers; over the bound the
   * oldest are dropped, counted in {@link SparkClient#dropped()} and logged. {@code (0, 0)} keeps nothing.
   */
  public SparkClientOptions setBufferLimit(int events, long bytes) {
    if (events < 0 || bytes < 0) throw new IllegalArgumentException("buffer limits must be 0 or more");
    this.bufferEvents = events;
    this.bufferBytes = bytes;
    return this;
  }

  public Path getBufferDirectory() {
    return bufferDirectory;
  }

  /**
   * Keeps a copy of the buffer (see {@link #setBufferLimit}) in {@code dir}, so that what Spark had not
   * taken when the application stopped or crashed is sent by the next {@link SparkClient} made with
   * this directory, each event with its {@code eventId} (stored once even if it had reached Spark).
   * An append-only log, bounded as the buffer is (it is rewritten with only what is kept once it holds
   * twice that, plus 1 MiB); a record a crash cut short is skipped. One client per directory: another
   * client on it fails to be created. {@code null} (the default): memory only.
   */
  public SparkClientOptions setBufferDirectory(Path dir) {
    this.bufferDirectory = dir;
    return this;
  }

  public long getRetryInitialDelayMs() {
    return retryInitialDelayMs;
  }

  public long getRetryMaxDelayMs() {
    return retryMaxDelayMs;
  }

  /** Backoff of the buffer's retries: the first after {@code initialMs}, doubling up to {@code maxMs} (defaults 250 and 5,000). */
  public SparkClientOptions setRetryDelays(long initialMs, long maxMs) {
    if (initialMs < 1 || maxMs < initialMs) throw new IllegalArgumentException("retry delays need 1 <= initialMs <= maxMs");
    this.retryInitialDelayMs = initialMs;
    this.retryMaxDelayMs = maxMs;
    return this;
  }
}
