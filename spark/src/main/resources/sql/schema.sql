-- The seed's two tables, column for column, with its indexes. Additions only below them.
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  trace_id TEXT,
  timestamp TEXT NOT NULL,
  environment TEXT,
  feature TEXT,
  route TEXT,
  status INTEGER,
  data TEXT NOT NULL,
  consumed INTEGER NOT NULL DEFAULT 0,
  consumed_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_events_consumed ON events(consumed);
CREATE INDEX IF NOT EXISTS idx_events_timestamp ON events(timestamp);
CREATE INDEX IF NOT EXISTS idx_events_type ON events(type);

CREATE TABLE IF NOT EXISTS access_logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  timestamp TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  status INTEGER NOT NULL,
  duration_ms REAL,
  ip TEXT,
  feature TEXT,
  request_id TEXT,
  input TEXT,
  error TEXT,
  user_agent TEXT
);
CREATE INDEX IF NOT EXISTS idx_access_logs_timestamp ON access_logs(timestamp);
CREATE INDEX IF NOT EXISTS idx_access_logs_status ON access_logs(status);
CREATE INDEX IF NOT EXISTS idx_access_logs_feature ON access_logs(feature);
CREATE INDEX IF NOT EXISTS idx_access_logs_request_id ON access_logs(request_id);
-- The dashboard's per-route statistics read pre-aggregated rollups (below), not this table, so
-- access_logs keeps only the seed's indexes: every index here is paid on every insert. The window
-- index of earlier versions is dropped from files that have it.
DROP INDEX IF EXISTS idx_access_logs_route;
DROP INDEX IF EXISTS idx_access_logs_window;

-- Spark's own bookkeeping (last cleanup report and the like).
CREATE TABLE IF NOT EXISTS spark_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Issues (events grouped by fingerprint; see README "Issues"). Columns added to the seed's events
-- table. A file created before they existed gets them on open: SqliteFiles skips an
-- "ALTER TABLE ... ADD COLUMN" whose column is already there. Adding a column is a schema change
-- only (no table rewrite); the index is built once.
--   fingerprint: the event's issue (computed at ingest, or the client's own)
--   suppressed:  1 when the event was consumed without being delivered (flood control, a muted or
--                resolved issue); delivered events, and every event stored before issues, have 0
--   delivery:    for the event delivered as its issue's representative, what the agents were told
--                (JSON: kind, counts), so a stream resumed by Last-Event-ID repeats it exactly
ALTER TABLE events ADD COLUMN fingerprint TEXT;
ALTER TABLE events ADD COLUMN suppressed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN delivery TEXT;
CREATE INDEX IF NOT EXISTS idx_events_fingerprint ON events(fingerprint, timestamp);

-- The client's own id for an event (README "Retries"): a retried event whose id is stored is not
-- stored again. Unique over the rows that have one; rows without an id are not in the index and cost
-- it nothing. The dedupe window is the event's life: once the janitor deletes the row, the id is free.
ALTER TABLE events ADD COLUMN event_id TEXT;
CREATE UNIQUE INDEX IF NOT EXISTS idx_events_event_id ON events(event_id) WHERE event_id IS NOT NULL;

-- One row per fingerprint, kept by the storage writer in the transaction that inserts the events.
CREATE TABLE IF NOT EXISTS issues (
  fingerprint TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  error_class TEXT,
  message TEXT,
  culprit TEXT,
  status TEXT NOT NULL DEFAULT 'open',
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  count INTEGER NOT NULL,
  first_event_id INTEGER NOT NULL,
  last_event_id INTEGER NOT NULL,
  regression INTEGER NOT NULL DEFAULT 0,
  resolved_at TEXT,
  resolved_through_id INTEGER,
  status_changed_at TEXT,
  last_delivered_at TEXT,
  last_delivered_event_id INTEGER,
  deliveries INTEGER NOT NULL DEFAULT 0,
  suppressed INTEGER NOT NULL DEFAULT 0
);
-- No index on count or last_seen: every commit updates them, and listing sorts a table of one row
-- per distinct problem (small, by design) faster than keeping two more b-trees in step on every commit.

-- Access-log rollups, kept by the storage writer in the transaction that inserts the rows (and by the
-- janitor in the one that deletes them): per minute, hour and day, one row per method, route (the path
-- with id segments as {id}), feature ('' for none), status and duration (exact below one second, three
-- significant digits at every scale, 0.0123 ms as well as 12,300 ms; -1 for none), with the count and
-- the exact sum of the durations. A time window of any width is a few ranges of these plus at most two
-- partial minutes of raw rows. Durations are REAL (fractions of a millisecond); a file from before
-- sub-millisecond durations declared these columns (and access_logs.duration_ms) INTEGER, which in
-- SQLite still keeps 0.37 as the REAL 0.37 (INTEGER affinity converts only values that are whole
-- numbers), so its tables are not rewritten; its rollups are rebuilt once (AccessRollups.VERSION).
-- Since version 4 the hour and day levels are folded from sealed minutes (RollupFold): they hold
-- exactly the rows whose minute is at or before the watermark in spark_meta's access_rollups value
-- ("folded"), the minute level and access_minute_totals hold every row. A file of an older version
-- has no watermark: every level holds every row. Since version 5 access_rollup_all is one more level,
-- folded like the others, with one bucket ('') for all time: a window that starts near the oldest
-- rows (the whole retention) is read as it less the little before the window, not as a week of days.
CREATE TABLE IF NOT EXISTS access_rollup_minute (
  bucket TEXT NOT NULL,
  method TEXT NOT NULL,
  route TEXT NOT NULL,
  feature TEXT NOT NULL,
  status INTEGER NOT NULL,
  duration_ms REAL NOT NULL,
  n INTEGER NOT NULL,
  sum_ms REAL NOT NULL,
  PRIMARY KEY (bucket, method, route, feature, status, duration_ms)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS access_rollup_hour (
  bucket TEXT NOT NULL,
  method TEXT NOT NULL,
  route TEXT NOT NULL,
  feature TEXT NOT NULL,
  status INTEGER NOT NULL,
  duration_ms REAL NOT NULL,
  n INTEGER NOT NULL,
  sum_ms REAL NOT NULL,
  PRIMARY KEY (bucket, method, route, feature, status, duration_ms)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS access_rollup_day (
  bucket TEXT NOT NULL,
  method TEXT NOT NULL,
  route TEXT NOT NULL,
  feature TEXT NOT NULL,
  status INTEGER NOT NULL,
  duration_ms REAL NOT NULL,
  n INTEGER NOT NULL,
  sum_ms REAL NOT NULL,
  PRIMARY KEY (bucket, method, route, feature, status, duration_ms)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS access_rollup_all (
  bucket TEXT NOT NULL,
  method TEXT NOT NULL,
  route TEXT NOT NULL,
  feature TEXT NOT NULL,
  status INTEGER NOT NULL,
  duration_ms REAL NOT NULL,
  n INTEGER NOT NULL,
  sum_ms REAL NOT NULL,
  PRIMARY KEY (bucket, method, route, feature, status, duration_ms)
) WITHOUT ROWID;

-- Requests and server errors (status 500 and up) per minute and method, whatever the route: the
-- dashboard's timeline without a filter, or filtered by method, reads a few rows per minute here instead
-- of every route's duration rows in access_rollup_minute. Kept with the rollups, in the same transactions.
CREATE TABLE IF NOT EXISTS access_minute_totals (
  bucket TEXT NOT NULL,
  method TEXT NOT NULL,
  n INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  PRIMARY KEY (bucket, method)
) WITHOUT ROWID;

-- Batches consumed for a held subscriber (Spark's own agent) and not yet taken by it: written in the
-- transaction that consumes them, removed when the agent has taken the batch, re-sent after a restart.
-- event_ids: the delivered events, oldest first (JSON array); consumed/through_id: the batch's own
-- counts, so the batch is rebuilt as it was first sent. The events' delivery column keeps the rest.
CREATE TABLE IF NOT EXISTS agent_outbox (
  subscriber TEXT NOT NULL,
  first_id INTEGER NOT NULL,
  event_ids TEXT NOT NULL,
  consumed INTEGER NOT NULL,
  through_id INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (subscriber, first_id)
);

-- The agent's fixes (one per batch on a branch, one per run in place): what changed, on which branch,
-- whether the project's check passed, and what became of it. status: verified | failed | unverified |
-- no-change | interrupted, then applied | discarded. event_ids: JSON array; verify: JSON
-- {"command", "exitCode", "tail"} or null. Read newest first by id (the primary key): no index needed.
CREATE TABLE IF NOT EXISTS fixes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  fingerprint TEXT,
  event_ids TEXT NOT NULL,
  status TEXT NOT NULL,
  delivery TEXT NOT NULL,
  branch TEXT,
  worktree TEXT,
  commit_id TEXT,
  diff TEXT NOT NULL DEFAULT '',
  verify TEXT,
  summary TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Alerts (see README "Alerts"). One row per alert and target, written by the storage writer in the
-- transaction that stores the triggering event, so an alert is never lost and never invented; the
-- alerts verticle sends it and records each attempt here.
--   delivery_id:     sent as X-Spark-Delivery on every attempt (the receiver's idempotency key)
--   payload:         the alert as JSON (kind, rule, issue, event, environment, link, time)
--   status:          pending, delivered or dropped (a final refusal, or maxAttempts reached)
--   next_attempt_at: epoch milliseconds; 0 = at once
CREATE TABLE IF NOT EXISTS alert_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  delivery_id TEXT NOT NULL,
  rule TEXT NOT NULL,
  target TEXT NOT NULL,
  kind TEXT NOT NULL,
  fingerprint TEXT,
  event_id INTEGER,
  payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
-- Only pending rows are in it, so it stays as small as the backlog.
CREATE INDEX IF NOT EXISTS idx_alert_outbox_pending ON alert_outbox(next_attempt_at) WHERE status = 'pending';

-- When each rule last alerted about each issue, for its cooldownMinutes (epoch milliseconds).
CREATE TABLE IF NOT EXISTS alert_cooldowns (
  rule TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  last_alert_at INTEGER NOT NULL,
  PRIMARY KEY (rule, fingerprint)
) WITHOUT ROWID;
