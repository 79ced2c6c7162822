package dev.spark.bus;

/** Every event-bus address Spark uses, in one place. */
public final class Addresses {
  private Addresses() {}

  /** Public: ingest one error event (JsonObject or a {@code SparkEvent}) or an array of them. */
  public static final String INGEST_EVENT = "spark.ingest.event";
  /** Public: ingest one access-log entry (JsonObject or an {@code AccessLogEntry}) or an array. */
  public static final String INGEST_ACCESS = "spark.ingest.access";
  /** Public: consumed batches, published (by storage, in the order consumed) to agent subscribers. */
  public static final String EVENTS_BATCH = "spark.events.batch";
  /** Public: every stored event as it is committed (observers; consumes nothing). */
  public static final String EVENTS_STORED = "spark.events.stored";
  /** Public: register / unregister an agent subscriber with the poller. */
  public static final String SUBSCRIBER_REGISTER = "spark.subscribers.register";
  public static final String SUBSCRIBER_UNREGISTER = "spark.subscribers.unregister";
  /** Public: run the janitor now; replies with the cleanup report. */
  public static final String JANITOR_RUN = "spark.janitor.run";
  /** Public: checkpoint and fully VACUUM the database now; replies with the sizes before and after. */
  public static final String JANITOR_VACUUM = "spark.janitor.vacuum";

  /**
   * Public: resolve, mute or reopen an issue: {@code {"fingerprint": "...", "action": "resolve"|"mute"|"reopen"}}.
   * Replies with the issue (the JSON of {@code GET /api/v1/issues/{fingerprint}}'s {@code issue}) once
   * committed; fails 404 for an unknown fingerprint, 400 for a bad request.
   */
  public static final String ISSUE_STATUS = "spark.issues.status";

  /** Internal: the storage verticle's inbox (writes, maintenance). */
  public static final String STORAGE_WRITE = "spark.storage.write";
  public static final String STORAGE_MAINTAIN = "spark.storage.maintain";
  public static final String STORAGE_STATS = "spark.storage.stats";
  /**
   * Internal: batches consumed for a held subscriber and not yet taken by it ({@code agent_outbox}),
   * asked about in {@link OutboxOp}s (list the held batches, release one once taken).
   */
  public static final String STORAGE_OUTBOX = "spark.storage.outbox";
  /** Internal, local: the fix records ({@code fixes}), asked about in {@link FixOp}s (anything else is refused with 400). */
  public static final String STORAGE_FIXES = "spark.storage.fixes";
  /** Internal, local: the alert sender's {@link AlertOp}s on the alert outbox (anything else is refused with 400). */
  public static final String STORAGE_ALERTS = "spark.storage.alerts";
  /** Internal, local: published by the storage writer after a commit that wrote alerts; the body is an {@link AlertOp.Committed}. */
  public static final String ALERTS_PENDING = "spark.alerts.pending";
  /** Internal: the poller's state (subscriber count, pending). */
  public static final String POLLER_STATS = "spark.poller.stats";
}
