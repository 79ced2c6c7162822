package dev.spark.storage;

import dev.spark.Addresses;
import dev.spark.EventBusCodecs;
import dev.spark.config.SparkConfig;
import dev.spark.event.EventBatch;
import dev.spark.event.StoredEvent;
import dev.spark.metrics.SparkMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The only writer to the SQLite file. Requests arrive on the event loop and wait in a bounded queue;
 * one dedicated writer thread commits whatever is queued in one transaction (group commit), then
 * every sender is answered with its ids and the stored events are published.
 *
 * <p>Why an event-loop verticle with its own one-thread executor rather than a worker verticle: the
 * queue bound must be checked the moment a request arrives. On a worker verticle, requests that
 * arrive during a commit would wait, uncounted, in the context's task queue.
 */
public final class StorageVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(StorageVerticle.class.getName());

  private final Deque<Task> queue = new ArrayDeque<>();
  private SparkConfig.Storage limits;
  private WorkerExecutor writer;
  private SqliteDatabase db;
  private Janitorial janitorial;
  private int queuedRows;
  private long queuedBytes;
  private boolean busy;
  private boolean closing;
  private Promise<Void> drained;
  private long committedRows;
  private long commits;
  private long rejected;
  private long lastCommitRows;
  private double lastCommitMs;
  private SparkMetrics metrics;
  /** Why the last group commit failed (a full or read-only disk...), until a write succeeds again; else null. */
  private String writeError;
  private String writeErrorSince;
  private long writeProbeTimer = -1;
  private boolean probing;
  /** While writes fail, how often a one-row write is tried so Spark notices by itself when it can write again. */
  static final long WRITE_PROBE_MS = 1_000;

  private sealed interface Task permits Write, Op {}

  /** {@code bytes} is computed once, on arrival: the queue bound adds it and the commit takes it back. */
  private record Write(Message<WriteRequest> msg, WriteRequest req, long bytes) implements Task {}

  private record Op(Message<?> msg, Callable<Object> work) implements Task {}

  @Override
  public Future<?> start() {
    SparkConfig cfg = SparkConfig.fromJson(config());
    limits = cfg.storage();
    EventBusCodecs.register(vertx);
    metrics = SparkMetrics.of(vertx);
    writer = vertx.createSharedWorkerExecutor("spark-sqlite-writer-" + deploymentID(), 1, 1, TimeUnit.HOURS);
    Path path = Path.of(cfg.db().path());
    return writer.executeBlocking(() -> SqliteDatabase.open(path, cfg.db().synchronous()), true)
        .onSuccess(opened -> {
          db = opened;
          janitorial = new Janitorial(opened);
          LOG.info("Storage open at " + path.toAbsolutePath());
        })
        .compose(opened -> Future.all(
            vertx.eventBus().<WriteRequest>localConsumer(Addresses.STORAGE_WRITE, this::onWrite).completion(),
            vertx.eventBus().<JsonObject>localConsumer(Addresses.STORAGE_CONSUME, this::onConsume).completion(),
            vertx.eventBus().<JsonObject>localConsumer(Addresses.STORAGE_MAINTAIN, this::onMaintain).completion(),
            vertx.eventBus().<JsonObject>localConsumer(Addresses.STORAGE_STATS, m -> m.reply(stats())).completion()));
  }

  /** Stops taking requests, commits everything already queued, then closes the database. */
  @Override
  public Future<?> stop() {
    closing = true;
    Future<Void> idle;
    if (!busy && queue.isEmpty()) {
      idle = Future.succeededFuture();
    } else {
      drained = Promise.promise();
      idle = drained.future();
    }
    return idle
        .compose(v -> db == null ? Future.succeededFuture() : writer.executeBlocking(() -> {
          db.close();
          return null;
        }))
        .onComplete(v -> {
          LOG.info("Storage closed after committing " + committedRows + " rows");
          writer.close();
        });
  }

  private void onWrite(Message<WriteRequest> msg) {
    WriteRequest req = msg.body();
    if (closing) {
      rejected += req.size();
      metrics.rejected(kind(req), "shutting_down", req.size());
      msg.fail(503, "Spark is shutting down; retry against the next instance");
      return;
    }
    long bytes = req.approxBytes();
    boolean empty = queuedRows == 0;
    if (!empty && (queuedRows + req.size() > limits.queueCapacity() || queuedBytes + bytes > limits.queueMaxBytes())) {
      rejected += req.size();
      metrics.rejected(kind(req), "queue_full", req.size());
      msg.fail(503, "Storage queue is full (" + queuedRows + " rows waiting to be committed); retry shortly");
      return;
    }
    queuedRows += req.size();
    queuedBytes += bytes;
    queue.add(new Write(msg, req, bytes));
    metrics.queue(queuedRows, queuedBytes);
    drain();
  }

  private void onConsume(Message<JsonObject> msg) {
    int limit = msg.body().getInteger("limit", 500);
    enqueueOp(msg, () -> new EventBatch(db.consumePending(limit)));
  }

  private void onMaintain(Message<JsonObject> msg) {
    JsonObject body = msg.body();
    enqueueOp(msg, () -> janitorial.run(body));
  }

  private void enqueueOp(Message<?> msg, Callable<Object> work) {
    if (closing) {
      msg.fail(503, "Spark is shutting down");
      return;
    }
    queue.add(new Op(msg, work));
    drain();
  }

  private void drain() {
    if (busy) return;
    if (queue.isEmpty()) {
      if (drained != null) drained.tryComplete();
      return;
    }
    busy = true;
    if (queue.peek() instanceof Op op) {
      queue.poll();
      writer.executeBlocking(op.work(), true).onComplete(ar -> {
        if (ar.succeeded()) op.msg().reply(ar.result());
        else op.msg().fail(500, String.valueOf(ar.cause().getMessage()));
        busy = false;
        drain();
      });
      return;
    }
    List<Write> group = new ArrayList<>();
    int rows = 0;
    while (queue.peek() instanceof Write w && (group.isEmpty() || rows + w.req().size() <= limits.maxBatchRows())) {
      queue.poll();
      group.add(w);
      rows += w.req().size();
    }
    long started = System.nanoTime();
    writer.executeBlocking(() -> commit(group), true).onComplete(ar -> {
      long bytes = 0;
      int count = 0;
      int eventRows = 0;
      for (Write w : group) {
        bytes += w.bytes();
        count += w.req().size();
        if (w.req() instanceof WriteRequest.Events) eventRows += w.req().size();
      }
      queuedRows -= count;
      queuedBytes -= bytes;
      metrics.queue(queuedRows, queuedBytes);
      if (ar.succeeded()) {
        long nanos = System.nanoTime() - started;
        commits++;
        committedRows += count;
        lastCommitRows = count;
        lastCommitMs = nanos / 1e6;
        metrics.commit(count, nanos);
        if (eventRows > 0) metrics.ingested("event", eventRows);
        if (count > eventRows) metrics.ingested("access", count - eventRows);
        answer(group, ar.result());
        writable();
      } else {
        String reason = unwritable(ar.cause());
        LOG.severe("Commit of " + count + " rows failed: " + ar.cause());
        for (Write w : group) {
          metrics.rejected(kind(w.req()), "storage_error", w.req().size());
          w.msg().fail(503, "Spark cannot write its database: " + reason + ". Nothing of this request was stored; retry later");
        }
      }
      busy = false;
      drain();
    });
  }

  /** Runs on the writer thread: every request of the group in one transaction. */
  private long[][] commit(List<Write> group) throws Exception {
    long[][] ids = new long[group.size()][];
    try {
      for (int i = 0; i < group.size(); i++) {
        WriteRequest req = group.get(i).req();
        ids[i] = req instanceof WriteRequest.Events ev ? db.insertEvents(ev.rows()) : db.insertAccess(((WriteRequest.Access) req).rows());
      }
      db.commit();
      return ids;
    } catch (Exception e) {
      db.rollbackQuietly();
      throw e;
    }
  }

  private void answer(List<Write> group, long[][] ids) {
    List<StoredEvent> stored = new ArrayList<>();
    for (int i = 0; i < group.size(); i++) {
      Write w = group.get(i);
      w.msg().reply(new WriteResult(ids[i]));
      if (w.req() instanceof WriteRequest.Events ev) {
        for (int j = 0; j < ids[i].length; j++) stored.add(new StoredEvent(ids[i][j], ev.rows().get(j), false, null));
      }
    }
    if (!stored.isEmpty()) vertx.eventBus().publish(Addresses.EVENTS_STORED, new EventBatch(stored));
  }

  /** Records why writing failed and starts probing for the moment it works again; returns the reason. */
  private String unwritable(Throwable cause) {
    String reason = String.valueOf(cause.getMessage());
    if (writeError == null) writeErrorSince = dev.spark.event.Timestamps.now();
    writeError = reason;
    if (writeProbeTimer < 0) writeProbeTimer = vertx.setPeriodic(WRITE_PROBE_MS, id -> probe());
    return reason;
  }

  private void writable() {
    if (writeError == null) return;
    LOG.info("Storage can write again (it could not since " + writeErrorSince + ": " + writeError + ")");
    writeError = null;
    writeErrorSince = null;
    vertx.cancelTimer(writeProbeTimer);
    writeProbeTimer = -1;
  }

  /** One small write through the queue, like any other, when nothing else is waiting; success ends the outage. */
  private void probe() {
    if (probing || closing || busy || !queue.isEmpty()) return;
    probing = true;
    busy = true;
    JsonObject mark = new JsonObject().put("at", dev.spark.event.Timestamps.now());
    writer.executeBlocking(() -> {
      db.putMeta("write_probe", mark);
      return null;
    }, true).onComplete(ar -> {
      probing = false;
      busy = false;
      if (ar.succeeded()) writable();
      else writeError = String.valueOf(ar.cause().getMessage());
      drain();
    });
  }

  private static String kind(WriteRequest req) {
    return req instanceof WriteRequest.Events ? "event" : "access";
  }

  private JsonObject stats() {
    return new JsonObject()
        .put("path", db == null ? null : db.path().toAbsolutePath().toString())
        .put("queueRows", queuedRows)
        .put("queueBytes", queuedBytes)
        .put("queueCapacity", limits.queueCapacity())
        .put("busy", busy)
        .put("closing", closing)
        .put("commits", commits)
        .put("committedRows", committedRows)
        .put("rejectedRows", rejected)
        .put("lastCommitRows", lastCommitRows)
        .put("lastCommitMs", lastCommitMs)
        .put("writeError", writeError)
        .put("writeErrorSince", writeErrorSince);
  }
}
