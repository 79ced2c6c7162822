package dev.spark.storage;

import dev.spark.bus.Addresses;
import dev.spark.bus.AlertOp;
import dev.spark.bus.WriteRequest;
import dev.spark.event.AccessRow;
import dev.spark.event.EventBatch;
import dev.spark.event.EventRow;
import dev.spark.event.StoredEvent;
import dev.spark.event.Timestamps;
import dev.spark.metrics.SparkMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The writer thread: takes tasks in order from its queue and, for writes, commits every write that
 * is waiting (up to {@code maxBatchRows}) in one transaction, then answers each sender and publishes
 * the stored events. It pulls the next group itself the moment a commit ends, so the SQLite
 * connection never waits for an event-loop round trip between transactions.
 *
 * <p>Bus replies and publications go out on the storage verticle's context, one task per group or op:
 * a reply sent from this thread, which has no Vert.x context, makes Vert.x create a context for
 * every message (about a kilobyte each; BENCHMARKS.md, issue 14). Local hand-overs are answered from
 * this thread, one task per caller event loop ({@link LocalAnswers}): completing a promise on a given
 * context needs no context here. The agents' batches are published from this thread too (one
 * publication per commit at most: {@link AgentFeed}).
 */
final class WriterLoop {
  private static final Logger LOG = Logger.getLogger(WriterLoop.class.getName());

  sealed interface Task permits Write, Op, Job, Probe, Stop, Wake {}

  /** {@code bytes} is computed once, on arrival: the queue bound adds it and the commit takes it back. */
  record Write(WriteReply reply, WriteRequest req, long bytes) implements Task {}

  record Op(Message<?> msg, Callable<Object> work) implements Task {}

  /** Work of storage's own, with no one to answer; it handles its failures itself. */
  private record Job(Runnable work) implements Task {}

  private record Stop(Promise<Void> done) implements Task {}

  /** One small write while writes are failing, so Spark notices by itself when it can write again. */
  private record Probe() implements Task {}

  /** Put at the front of the queue when an op or job arrives, so a waiting writer thread wakes for it. */
  private record Wake() implements Task {}

  private static final Wake WAKE = new Wake();

  private final Context context;
  private final SqliteDatabase db;
  private final RowInserts inserts;
  private final Meta meta;
  private final int maxBatchRows;
  private final SparkMetrics metrics;
  private final Clock clock;
  private final AlertOutbox alerts;
  private final AgentFeed feed;
  /** Outbox rows the current group commit wrote; handed to the alert sender once they are committed. */
  private List<AlertOp.Outgoing> alertsWritten = List.of();
  private final LinkedBlockingDeque<Task> queue = new LinkedBlockingDeque<>();
  /**
   * Ops and jobs, taken before the next queued write, in the order they came: under a flood of
   * writes, an agent's batch or a dashboard button waits for one commit, not for the whole queue.
   * They only ever see committed rows, and no write is acknowledged before it is committed, so
   * going ahead of writes that are still queued changes nothing any caller was told.
   */
  private final ConcurrentLinkedQueue<Task> ahead = new ConcurrentLinkedQueue<>();
  private final Thread thread;

  final AtomicInteger queuedRows = new AtomicInteger();
  final AtomicLong queuedBytes = new AtomicLong();
  final AtomicLong committedRows = new AtomicLong();
  /** Per event of the last commit, in order: inserted now (false: a retry of a stored eventId). Writer thread only. */
  private boolean[] lastFresh = new boolean[0];
  /** The last event the last commit inserted (0: none), and what it consumed for agents (null: nothing). Writer thread only. */
  private long lastStoredId;
  private EventBatch lastConsumed;
  final AtomicLong commits = new AtomicLong();
  volatile boolean busy;
  /** Why the last group commit failed (a full or read-only disk...), until a write succeeds again; else null. */
  volatile String writeError;
  volatile String writeErrorSince;
  volatile long lastCommitRows;
  volatile double lastCommitMs;

  WriterLoop(Context context, SqliteDatabase db, int maxBatchRows, SparkMetrics metrics, Clock clock, AlertOutbox alerts,
      AgentFeed feed, String name) {
    this.context = context;
    this.alerts = alerts;
    this.feed = feed;
    this.db = db;
    this.inserts = new RowInserts(db);
    this.meta = new Meta(db);
    this.maxBatchRows = maxBatchRows;
    this.metrics = metrics;
    this.clock = clock;
    this.thread = new Thread(this::run, name);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Called by {@link WriteAdmission}, under its lock, after the queue bound was checked. */
  void write(WriteReply reply, WriteRequest req, long bytes) {
    queuedRows.addAndGet(req.size());
    queuedBytes.addAndGet(bytes);
    metrics.queue(queuedRows.get(), queuedBytes.get());
    queue.add(new Write(reply, req, bytes));
  }

  void op(Message<?> msg, Callable<Object> work) {
    ahead.add(new Op(msg, work));
    queue.addFirst(WAKE);
  }

  void job(Runnable work) {
    ahead.add(new Job(work));
    queue.addFirst(WAKE);
  }

  /** While writes fail and nothing else is waiting, tries one small write. */
  void probeIfFailing() {
    if (writeError != null && !busy && queue.isEmpty()) queue.add(new Probe());
  }

  /** Commits everything queued before it, closes the database, and ends the thread. */
  Future<Void> stop() {
    Promise<Void> done = Promise.promise();
    queue.add(new Stop(done));
    return done.future();
  }

  private void run() {
    while (true) {
      Task task = ahead.poll();
      try {
        if (task == null) task = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (task instanceof Wake) continue;
      busy = true;
      if (task instanceof Stop stop) {
        // Ops that came before the stop are answered first.
        for (Task early = ahead.poll(); early != null; early = ahead.poll()) runAhead(early);
        close(stop.done());
        return;
      }
      if (task instanceof Op || task instanceof Job) {
        runAhead(task);
      } else if (task instanceof Probe) {
        probe();
      } else {
        List<Write> group = new ArrayList<>();
        group.add((Write) task);
        int rows = ((Write) task).req().size();
        while (queue.peek() instanceof Write next && rows + next.req().size() <= maxBatchRows) {
          queue.poll();
          group.add(next);
          rows += next.req().size();
        }
        runGroup(group, rows);
      }
      busy = false;
    }
  }

  private void runAhead(Task task) {
    if (task instanceof Op op) runOp(op);
    else if (task instanceof Job job) job.work().run();
  }

  private void runOp(Op op) {
    try {
      Object result = op.work().call();
      context.runOnContext(v -> op.msg().reply(result));
    } catch (StorageVerticle.Refusal r) {
      context.runOnContext(v -> op.msg().fail(r.code, r.getMessage()));
    } catch (Exception e) {
      repairIndexes(e);
      context.runOnContext(v -> op.msg().fail(500, String.valueOf(e.getMessage())));
    }
  }

  /** After a failure on an index missing an entry, the indexes are rebuilt so the next try works (see {@link IndexRepair}). */
  private void repairIndexes(Throwable failure) {
    try {
      db.indexRepair().after(failure);
    } catch (Exception e) {
      LOG.severe("Rebuilding the indexes failed: " + e);
    }
  }

  private void runGroup(List<Write> group, int rows) {
    long started = System.nanoTime();
    long bytes = 0;
    int eventRows = 0;
    for (Write w : group) {
      bytes += w.bytes();
      if (w.req() instanceof WriteRequest.Events) eventRows += w.req().size();
    }
    try {
      long[][] ids = commit(group, rows, eventRows);
      long nanos = System.nanoTime() - started;
      release(rows, bytes);
      commits.incrementAndGet();
      committedRows.addAndGet(rows);
      lastCommitRows = rows;
      lastCommitMs = nanos / 1e6;
      metrics.commit(rows, nanos);
      if (eventRows > 0) metrics.ingested("event", eventRows);
      if (rows > eventRows) metrics.ingested("access", rows - eventRows);
      boolean[] fresh = lastFresh;
      List<AlertOp.Outgoing> alertsCommitted = alertsWritten;
      // Local hand-overs are answered from here, a task per caller event loop, and the agents' batch is
      // published from here; bus replies and the other publications go out on the storage context,
      // which a group of local access writes need not wake.
      boolean allLocal = answerLocal(group, ids);
      feed.committed(lastStoredId, lastConsumed);
      if (!allLocal || eventRows > 0 || !alertsCommitted.isEmpty()) {
        context.runOnContext(v -> {
          answer(group, ids, fresh);
          if (!alertsCommitted.isEmpty()) context.owner().eventBus().publish(Addresses.ALERTS_PENDING, new AlertOp.Committed(alertsCommitted));
        });
      }
      writable();
    } catch (Exception | Error e) {
      // Errors too: a write taken from the queue is always answered, or its caller would wait for ever.
      release(rows, bytes);
      String reason = unwritable(e);
      LOG.severe("Commit of " + rows + " rows failed: " + e);
      repairIndexes(e);
      for (Write w : group) metrics.rejected(w.req() instanceof WriteRequest.Events ? "event" : "access", "storage_error", w.req().size());
      context.runOnContext(v -> {
        for (Write w : group) {
          w.reply().fail(503, "Spark cannot write its database: " + reason + ". Nothing of this request was stored; retry later");
        }
      });
    }
  }

  private String unwritable(Throwable cause) {
    String reason = String.valueOf(cause.getMessage());
    if (writeError == null) writeErrorSince = Timestamps.now();
    writeError = reason;
    return reason;
  }

  private void writable() {
    if (writeError == null) return;
    LOG.info("Storage can write again (it could not since " + writeErrorSince + ": " + writeError + ")");
    writeError = null;
    writeErrorSince = null;
  }

  private void probe() {
    try {
      meta.put("write_probe", new JsonObject().put("at", Timestamps.now()));
      writable();
    } catch (Exception e) {
      writeError = String.valueOf(e.getMessage());
    }
  }

  private void release(int rows, long bytes) {
    queuedRows.addAndGet(-rows);
    queuedBytes.addAndGet(-bytes);
    metrics.queue(queuedRows.get(), queuedBytes.get());
  }

  /**
   * Every request of the group in one transaction, one batched insert per table: the rows of all
   * the group's requests go in together, and each request gets its slice of the ids back. The
   * issues the events add to are updated in the same transaction.
   */
  private long[][] commit(List<Write> group, int rows, int eventRows) throws Exception {
    List<EventRow> events = new ArrayList<>(eventRows);
    List<AccessRow> access = new ArrayList<>(rows - eventRows);
    for (Write w : group) {
      if (w.req() instanceof WriteRequest.Events ev) events.addAll(ev.rows());
      else access.addAll(((WriteRequest.Access) w.req()).rows());
    }
    try {
      InsertedEvents inserted = events.isEmpty() ? new InsertedEvents(new long[0], new boolean[0]) : inserts.insertEvents(events);
      long[] eventIds = inserted.ids();
      lastFresh = inserted.fresh();
      long[] accessIds = access.isEmpty() ? new long[0] : inserts.insertAccess(access);
      alertsWritten = List.of();
      lastStoredId = lastFreshId(eventIds, inserted.fresh());
      lastConsumed = null;
      if (!events.isEmpty()) {
        // Before the issues are updated: whether an issue is new or resolved is read from its row as it was.
        Instant now = clock.instant();
        alertsWritten = alerts.enqueue(db, events, eventIds, inserted.fresh(), now);
        IssueTally tally = new IssueTally();
        tally.add(events, eventIds, inserted.fresh());
        inserts.upsertIssues(tally, now);
        // After the issues are updated: flood control decides from the issue rows with these events counted.
        if (lastStoredId > 0) lastConsumed = feed.consumeInCommit(now);
      }
      // After the inserts, so a group of access rows takes the write lock with its first statement (with
      // the busy timeout; a transaction that read first gets SQLITE_BUSY at once if another connection
      // writes). Rows of the minutes folded now were added to the minute level and are carried up with it.
      db.rollups().fold(clock.instant());
      db.commit();
      long[][] ids = new long[group.size()][];
      int e = 0;
      int a = 0;
      for (int i = 0; i < group.size(); i++) {
        WriteRequest req = group.get(i).req();
        ids[i] = new long[req.size()];
        if (req instanceof WriteRequest.Events) {
          System.arraycopy(eventIds, e, ids[i], 0, req.size());
          e += req.size();
        } else {
          System.arraycopy(accessIds, a, ids[i], 0, req.size());
          a += req.size();
        }
      }
      return ids;
    } catch (Exception | Error ex) {
      db.rollbackQuietly();
      throw ex;
    }
  }

  private static long lastFreshId(long[] ids, boolean[] fresh) {
    for (int i = ids.length - 1; i >= 0; i--) if (fresh[i]) return ids[i];
    return 0;
  }

  /** Answers the group's local hand-overs ({@link LocalAnswers}); true when every write of the group was one. */
  private boolean answerLocal(List<Write> group, long[][] ids) {
    LocalAnswers local = new LocalAnswers(context);
    boolean allLocal = true;
    for (int i = 0; i < group.size(); i++) {
      if (group.get(i).reply() instanceof LocalReply r) local.add(r, ids[i]);
      else allLocal = false;
    }
    local.send();
    return allLocal;
  }

  /** On the storage context: answers the writes that came over the bus, and publishes the stored events. */
  private void answer(List<Write> group, long[][] ids, boolean[] fresh) {
    List<StoredEvent> stored = new ArrayList<>();
    int e = 0;
    int retried = 0;
    for (int i = 0; i < group.size(); i++) {
      Write w = group.get(i);
      if (!(w.reply() instanceof LocalReply)) w.reply().committed(ids[i]);
      if (w.req() instanceof WriteRequest.Events ev) {
        for (int j = 0; j < ids[i].length; j++, e++) {
          // A retry of an event already stored is answered with its id and announced no second time.
          if (fresh[e]) stored.add(new StoredEvent(ids[i][j], ev.rows().get(j), false, null));
          else retried++;
        }
      }
    }
    metrics.retried(retried);
    if (!stored.isEmpty()) context.owner().eventBus().publish(Addresses.EVENTS_STORED, new EventBatch(stored));
  }

  private void close(Promise<Void> done) {
    // On the context, so every answer queued there before it has gone out when stop() completes.
    try {
      db.close();
      LOG.info("Storage closed after committing " + committedRows.get() + " rows");
      context.runOnContext(v -> done.complete());
    } catch (Exception e) {
      context.runOnContext(v -> done.fail(e));
    }
  }
}
