package dev.spark.storage;

import dev.spark.bus.Addresses;
import dev.spark.bus.AlertOp;
import dev.spark.bus.FixOp;
import dev.spark.bus.EventBusCodecs;
import dev.spark.bus.OutboxOp;
import dev.spark.bus.RetentionOp;
import dev.spark.bus.WriteRequest;
import dev.spark.config.AlertsConfig;
import dev.spark.config.ServerUrl;
import dev.spark.config.SparkConfig;
import dev.spark.ingest.LocalWriter;
import dev.spark.metrics.SparkMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.logging.Logger;

/**
 * The only writer to the SQLite file. Requests arrive on this verticle's event loop, where the
 * queue bound is checked the moment they arrive (rows and bytes: over it, 503 at once); accepted
 * ones go to the {@link WriterLoop}, whose single thread commits whatever is waiting in one
 * transaction (group commit) and answers each sender once its rows are committed.
 *
 * <p>Why not a worker verticle: requests that arrive during a commit would wait, uncounted, in the
 * worker context's task queue, so the bound could not be enforced on arrival.
 */
public final class StorageVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(StorageVerticle.class.getName());

  private final Clock clock;
  private SparkConfig.Storage limits;
  private SparkConfig.Issues issues;
  private WriterLoop writer;
  private AlertOutbox alertOutbox;
  private SqliteDatabase db;
  private Janitorial janitorial;
  private Consumption consumption;
  private IssueStore issueStore;
  private WriteAdmission admission;
  private AgentFeed feed;
  private Checkpointer checkpointer;
  private SparkMetrics metrics;
  private long writeProbeTimer = -1;
  /** While writes fail, how often a one-row write is tried so Spark notices by itself when it can write again. */
  static final long WRITE_PROBE_MS = 1_000;

  public StorageVerticle() {
    this(Clock.systemUTC());
  }

  /**
   * {@code clock} decides issue cooldowns and stamps deliveries and status changes (and
   * {@code consumed_at}); tests pass one they move by hand.
   */
  public StorageVerticle(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    SparkConfig cfg = SparkConfig.fromJson(config());
    limits = cfg.storage();
    issues = cfg.issues();
    EventBusCodecs.register(vertx);
    metrics = SparkMetrics.of(vertx);
    Path path = Path.of(cfg.db().path());
    return vertx.executeBlocking(() -> {
          SqliteDatabase opened = SqliteDatabase.open(path, cfg.db().synchronous());
          try {
            opened.outsideTransaction(st -> st.execute("PRAGMA wal_autocheckpoint = " + Checkpointer.WRITER_BOUND_PAGES));
            checkpointer = Checkpointer.start(path, cfg.db().synchronous(), opened.checkpointLock(), "spark-sqlite-checkpointer-" + deploymentID());
          } catch (SQLException | RuntimeException e) {
            opened.close();
            throw e;
          }
          return opened;
        })
        .onSuccess(opened -> {
          db = opened;
          janitorial = new Janitorial(opened);
          consumption = new Consumption(opened);
          issueStore = new IssueStore(opened);
          alertOutbox = alerts(cfg);
          feed = new AgentFeed(vertx, opened, consumption, issues, cfg.stream().batchLimit(), clock, metrics, job -> writer.job(job));
          writer = new WriterLoop(context, opened, limits.maxBatchRows(), metrics, clock, alertOutbox, feed, "spark-sqlite-writer-" + deploymentID());
          admission = new WriteAdmission(writer, limits, metrics);
          LocalWriter.register(vertx, admission);
          feed.register();
          writeProbeTimer = vertx.setPeriodic(WRITE_PROBE_MS, id -> {
            writer.probeIfFailing();
            admission.expireWaiting();
          });
          LOG.info("Storage open at " + path.toAbsolutePath());
        })
        .compose(opened -> Future.all(List.of(
            vertx.eventBus().<WriteRequest>localConsumer(Addresses.STORAGE_WRITE, this::onWrite).completion(),
            vertx.eventBus().<Object>localConsumer(Addresses.STORAGE_OUTBOX, this::onOutbox).completion(),
            vertx.eventBus().<Object>localConsumer(Addresses.STORAGE_ALERTS, this::onAlerts).completion(),
            vertx.eventBus().<Object>localConsumer(Addresses.STORAGE_FIXES, this::onFixes).completion(),
            vertx.eventBus().<Object>localConsumer(Addresses.STORAGE_MAINTAIN, this::onMaintain).completion(),
            vertx.eventBus().<JsonObject>consumer(Addresses.ISSUE_STATUS, this::onIssueStatus).completion(),
            vertx.eventBus().<JsonObject>localConsumer(Addresses.STORAGE_STATS, m -> m.reply(stats())).completion())));
  }

  private static AlertOutbox alerts(SparkConfig cfg) {
    AlertsConfig alerts = AlertsConfig.fromJson(cfg.json(), System.getenv());
    String base = alerts.publicUrl().isEmpty() ? ServerUrl.of(cfg.web()) : alerts.publicUrl();
    return new AlertOutbox(alerts.rules(), cfg.web().enabled() || !alerts.publicUrl().isEmpty() ? base : "");
  }

  /** Stops taking requests, commits everything already queued, then closes the database. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(writeProbeTimer);
    if (admission == null) return Future.succeededFuture();
    LocalWriter.unregister(vertx, admission);
    feed.unregister();
    // The writer checkpoints and closes the file last, with no other checkpoint running.
    return vertx.executeBlocking(() -> {
      checkpointer.stop();
      return null;
    }).transform(stopped -> admission.close());
  }

  private void onWrite(Message<WriteRequest> msg) {
    admission.offer(msg.body(), WriteReply.of(msg));
  }

  private void onOutbox(Message<Object> msg) {
    if (msg.body() instanceof OutboxOp.ListHeld op) {
      enqueueOp(msg, () -> AgentOutbox.list(db, op.subscriber()));
    } else if (msg.body() instanceof OutboxOp.Release op) {
      enqueueOp(msg, () -> AgentOutbox.release(db, op.subscriber(), op.firstId()));
    } else {
      msg.fail(400, "expected an OutboxOp (dev.spark.bus), got " + (msg.body() == null ? "nothing" : msg.body().getClass().getSimpleName()));
    }
  }

  private void onAlerts(Message<Object> msg) {
    if (msg.body() instanceof AlertOp.ListDue op) {
      enqueueOp(msg, () -> AlertDeliveries.due(db, op.nowMs(), op.limit(), op.inFlight()));
    } else if (msg.body() instanceof AlertOp.RecordAttempt op) {
      enqueueOp(msg, () -> AlertDeliveries.attempted(db, op.id(), op.delivered(), op.retry(), op.error(), op.retryAtMs(), op.maxAttempts()));
    } else {
      msg.fail(400, "expected an AlertOp (dev.spark.bus), got " + (msg.body() == null ? "nothing" : msg.body().getClass().getSimpleName()));
    }
  }

  private void onFixes(Message<Object> msg) {
    if (!(msg.body() instanceof FixOp<?> op)) {
      msg.fail(400, "expected a FixOp (dev.spark.bus), got " + (msg.body() == null ? "nothing" : msg.body().getClass().getSimpleName()));
      return;
    }
    enqueueOp(msg, () -> {
      List<AlertOp.Outgoing> alerts = new ArrayList<>();
      FixOp.Reply answer = FixRecords.handle(db, op, clock.instant().toString(),
          fix -> alerts.addAll(alertOutbox.enqueueFix(db, fix, clock.instant())));
      if (!alerts.isEmpty()) vertx.eventBus().publish(Addresses.ALERTS_PENDING, new AlertOp.Committed(alerts));
      return answer;
    });
  }


  private void onIssueStatus(Message<JsonObject> msg) {
    JsonObject body = msg.body();
    String fingerprint = body == null ? null : body.getString("fingerprint");
    String action = body == null ? null : body.getString("action");
    if (fingerprint == null || fingerprint.isEmpty() || action == null || !Set.of("resolve", "mute", "reopen").contains(action)) {
      msg.fail(400, "expected {\"fingerprint\": \"...\", \"action\": \"resolve\" | \"mute\" | \"reopen\"}");
      return;
    }
    enqueueOp(msg, () -> {
      JsonObject issue = issueStore.setStatus(fingerprint, action, clock.instant());
      if (issue == null) throw new Refusal(404, "No issue with fingerprint " + fingerprint);
      return issue;
    });
  }

  /** An operation's answer that is the caller's fault, with the event-bus failure code to reply with. */
  static final class Refusal extends RuntimeException {
    final int code;

    Refusal(int code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  private void onMaintain(Message<Object> msg) {
    if (!(msg.body() instanceof RetentionOp<?> op)) {
      msg.fail(400, "expected a RetentionOp (dev.spark.bus), got " + (msg.body() == null ? "nothing" : msg.body().getClass().getSimpleName()));
      return;
    }
    enqueueOp(msg, () -> janitorial.run(op));
  }

  private void enqueueOp(Message<?> msg, Callable<Object> work) {
    if (admission.closing()) {
      msg.fail(503, "Spark is shutting down");
      return;
    }
    writer.op(msg, work);
  }

  private JsonObject stats() {
    return new JsonObject()
        .put("path", db == null ? null : db.path().toAbsolutePath().toString())
        .put("queueRows", writer.queuedRows.get())
        .put("queueBytes", writer.queuedBytes.get())
        .put("queueCapacity", limits.queueCapacity())
        .put("busy", writer.busy)
        .put("closing", admission.closing())
        .put("commits", writer.commits.get())
        .put("committedRows", writer.committedRows.get())
        .put("rejectedRows", admission.rejectedRows())
        .put("lastCommitRows", writer.lastCommitRows)
        .put("lastCommitMs", writer.lastCommitMs)
        .put("writeError", writer.writeError)
        .put("writeErrorSince", writer.writeErrorSince)
        .put("walCheckpoints", checkpointer.checkpoints.get())
        .put("indexRepairs", db.indexRepair().repairs.get());
  }
}
