package dev.spark.client;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;

/** Settings of {@link SparkWeb#install}; every setter returns {@code this}. */
public final class SparkWebOptions {
  private boolean accessLog = true;
  private boolean serverErrors = true;
  private boolean rateLimits = true;
  private boolean captureInput = true;
  private int maxInputBodyBytes = 64 * 1024;
  private int trustedProxies;
  private int accessBatchSize = 256;
  private long accessFlushMs = 20;
  private Handler<Throwable> refusalHandler;
  private Handler<JsonObject> tap;

  public boolean isAccessLog() {
    return accessLog;
  }

  /** Send an access-log entry for every request (default true). */
  public SparkWebOptions setAccessLog(boolean accessLog) {
    this.accessLog = accessLog;
    return this;
  }

  public boolean isServerErrors() {
    return serverErrors;
  }

  /** Report 5xx answers and exceptions as {@code server-error} events (default true). */
  public SparkWebOptions setServerErrors(boolean serverErrors) {
    this.serverErrors = serverErrors;
    return this;
  }

  public boolean isRateLimits() {
    return rateLimits;
  }

  /** Report 429 answers as {@code rate-limit} events (default true). */
  public SparkWebOptions setRateLimits(boolean rateLimits) {
    this.rateLimits = rateLimits;
    return this;
  }

  public boolean isCaptureInput() {
    return captureInput;
  }

  /**
   * Send the request's input (query parameters and JSON body) with access logs and events (default
   * true). Spark redacts sensitive keys ({@code ingest.redactKeys}) and caps it before storing.
   */
  public SparkWebOptions setCaptureInput(boolean captureInput) {
    this.captureInput = captureInput;
    return this;
  }

  public int getMaxInputBodyBytes() {
    return maxInputBodyBytes;
  }

  /** Bodies larger than this are not parsed for the input (default 64 KiB, Spark's cap). */
  public SparkWebOptions setMaxInputBodyBytes(int maxInputBodyBytes) {
    if (maxInputBodyBytes < 0) throw new IllegalArgumentException("maxInputBodyBytes must be 0 or more");
    this.maxInputBodyBytes = maxInputBodyBytes;
    return this;
  }

  public int getTrustedProxies() {
    return trustedProxies;
  }

  /**
   * How many reverse proxies in front of the app are trusted to append to {@code X-Forwarded-For}
   * (default 0: the header is ignored and the client IP is the connection's peer). With n, the
   * client IP is the n-th address from the right of {@code X-Forwarded-For} (the address the
   * outermost trusted proxy saw); addresses further left can be forged by the client.
   */
  public SparkWebOptions setTrustedProxies(int trustedProxies) {
    if (trustedProxies < 0) throw new IllegalArgumentException("trustedProxies must be 0 or more");
    this.trustedProxies = trustedProxies;
    return this;
  }

  public int getAccessBatchSize() {
    return accessBatchSize;
  }

  /**
   * Access-log entries are sent to Spark in batches of up to this many (default 256); 1 sends each
   * entry as it is produced. Error events are always sent at once.
   */
  public SparkWebOptions setAccessBatchSize(int accessBatchSize) {
    if (accessBatchSize < 1) throw new IllegalArgumentException("accessBatchSize must be at least 1");
    this.accessBatchSize = accessBatchSize;
    return this;
  }

  public long getAccessFlushMs() {
    return accessFlushMs;
  }

  /** Longest an access-log entry waits for its batch to fill before it is sent anyway (default 20 ms). */
  public SparkWebOptions setAccessFlushMs(long accessFlushMs) {
    if (accessFlushMs < 1) throw new IllegalArgumentException("accessFlushMs must be at least 1");
    this.accessFlushMs = accessFlushMs;
    return this;
  }

  public Handler<Throwable> getRefusalHandler() {
    return refusalHandler;
  }

  /**
   * Called (on an event loop, must not block) for every send Spark did not confirm, with the reason,
   * after it was counted in {@link SparkWeb#refused()}. Optional.
   */
  public SparkWebOptions setRefusalHandler(Handler<Throwable> refusalHandler) {
    this.refusalHandler = refusalHandler;
    return this;
  }

  public Handler<JsonObject> getTap() {
    return tap;
  }

  /**
   * Called with each access-log entry and each event (JSON with a {@code type}) just after it was
   * handed to the sender, on the thread that ended the request; for example to print access logs
   * locally too. Read-only (the same object goes to Spark), must not block. Optional.
   */
  public SparkWebOptions setTap(Handler<JsonObject> tap) {
    this.tap = tap;
    return this;
  }
}
