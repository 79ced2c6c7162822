package dev.spark.storage;

import dev.spark.bus.WriteRequest;
import dev.spark.config.SparkConfig;
import dev.spark.ingest.LocalWriter;
import dev.spark.metrics.SparkMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Admits writes to the {@link WriterLoop}'s queue, from the event-bus consumer and from the local
 * hand-over alike: refused with 503 while Spark shuts down, or when the queue's bound (rows, and
 * bytes) would be passed; a write that comes when nothing is queued is always taken, however large.
 * The check and the enqueue happen under one lock, so writes arriving on several event loops at once
 * cannot pass the bound together, and none can be queued behind the writer's stop.
 */
final class WriteAdmission implements LocalWriter {
  private final WriterLoop writer;
  private final LongSupplier nanoClock;
  /** Local writes in the order they were handed over (the writer answers in that order): the oldest unanswered first. */
  private final ConcurrentLinkedQueue<LocalReply> waiting = new ConcurrentLinkedQueue<>();
  private final SparkConfig.Storage limits;
  private final SparkMetrics metrics;
  private final Runnable forget = this::forgetAnswered;
  private volatile boolean closing;
  private volatile long rejected;

  WriteAdmission(WriterLoop writer, SparkConfig.Storage limits, SparkMetrics metrics) {
    this(writer, limits, metrics, System::nanoTime);
  }

  /** {@code nanoClock} decides when a local write has waited too long; tests move it by hand. */
  WriteAdmission(WriterLoop writer, SparkConfig.Storage limits, SparkMetrics metrics, LongSupplier nanoClock) {
    this.writer = writer;
    this.nanoClock = nanoClock;
    this.limits = limits;
    this.metrics = metrics;
  }

  @Override
  public Future<long[]> write(WriteRequest req) {
    LocalReply reply = new LocalReply(Vertx.currentContext(), nanoClock.getAsLong(), forget);
    waiting.add(reply);
    offer(req, reply);
    return reply.promise.future();
  }

  /** Stops tracking the answered writes at the head (most are answered in order): nothing waits a second to be let go. */
  private void forgetAnswered() {
    for (LocalReply r = waiting.peek(); r != null && r.answered(); r = waiting.peek()) {
      // remove(r), not poll(): another thread may have taken r meanwhile, and poll() would then take the next, unanswered.
      waiting.remove(r);
    }
  }

  /** Answers every local write that has waited {@link LocalWriter#ANSWER_TIMEOUT_MS} or longer; called every second. */
  void expireWaiting() {
    long now = nanoClock.getAsLong();
    for (LocalReply r = waiting.peek(); r != null; r = waiting.peek()) {
      if (!r.answered() && now - r.since < TimeUnit.MILLISECONDS.toNanos(ANSWER_TIMEOUT_MS)) return;
      waiting.remove(r);
      r.expire();
    }
  }

  /** Queues the write, or answers its refusal at once. */
  void offer(WriteRequest req, WriteReply reply) {
    long bytes = req.approxBytes();
    String refusal = admit(req, bytes, reply);
    if (refusal != null) reply.fail(503, refusal);
  }

  private synchronized String admit(WriteRequest req, long bytes, WriteReply reply) {
    if (closing) return refused(req, "shutting_down", "Spark is shutting down; retry against the next instance");
    int queuedRows = writer.queuedRows.get();
    if (queuedRows > 0 && (queuedRows + req.size() > limits.queueCapacity()
        || writer.queuedBytes.get() + bytes > limits.queueMaxBytes())) {
      return refused(req, "queue_full", "Storage queue is full (" + queuedRows + " rows waiting to be committed); retry shortly");
    }
    writer.write(reply, req, bytes);
    return null;
  }

  private String refused(WriteRequest req, String reason, String message) {
    rejected += req.size();
    metrics.rejected(req instanceof WriteRequest.Events ? "event" : "access", reason, req.size());
    return message;
  }

  /** Refuses every write from now on; those already admitted are committed before the writer stops. */
  synchronized Future<Void> close() {
    closing = true;
    return writer.stop();
  }

  boolean closing() {
    return closing;
  }

  long rejectedRows() {
    return rejected;
  }
}
