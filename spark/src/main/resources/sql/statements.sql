-- Named statements. Each starts with "-- name: <name>" and runs to the next marker.
-- Filters for the query API are fixed fragments joined with AND; values are always bound.

-- An event whose eventId is already stored (a retry) is skipped by the unique index
-- idx_events_event_id; the writer sees it in the batch's update counts (0) and answers the stored id.
-- name: insert_event
INSERT INTO events (type, trace_id, timestamp, environment, feature, route, status, data, fingerprint, event_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING

-- The stored event of a retry: SEARCH events USING COVERING INDEX idx_events_event_id (event_id=?).
-- name: event_by_event_id
SELECT id FROM events WHERE event_id = ?

-- The events a batch with a retry inserted, in order (SEARCH events USING INTEGER PRIMARY KEY (rowid>?)).
-- name: event_ids_after
SELECT id FROM events WHERE id > ? ORDER BY id

-- name: insert_access
INSERT INTO access_logs (timestamp, method, path, status, duration_ms, ip, feature, request_id, input, error, user_agent)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: last_insert_id
SELECT last_insert_rowid()

-- name: select_pending
SELECT id, type, trace_id, timestamp, environment, feature, route, status, data, consumed, consumed_at, fingerprint, delivery, suppressed
FROM events WHERE consumed = 0 ORDER BY id LIMIT ?

-- name: mark_consumed
UPDATE events SET consumed = 1, consumed_at = ? WHERE consumed = 0 AND id <= ?

-- With flood control every consumed event starts as suppressed; the ones delivered are then marked.
-- name: mark_consumed_suppressed
UPDATE events SET consumed = 1, consumed_at = ?, suppressed = 1 WHERE consumed = 0 AND id <= ?

-- name: mark_delivered
UPDATE events SET suppressed = 0, delivery = ? WHERE id = ?

-- Aged rows are found on the timestamp index, oldest first (ORDER BY id, or the consumed index, made
-- SQLite walk every row of a large table to find none: a writer stall growing with the table at every
-- janitor pass). The unary + keeps SQLite off idx_events_consumed.
-- name: delete_aged_events
DELETE FROM events WHERE id IN (SELECT id FROM events WHERE +consumed = 1 AND timestamp < ? ORDER BY timestamp LIMIT ?)

-- Access logs are deleted in chunks of consecutive ids (oldest first) so the rollups can take the
-- same rows away first: the range of the next chunk, then the rows in it (see SqliteDatabase).
-- name: oldest_access_range
SELECT min(id), max(id) FROM (SELECT id FROM access_logs ORDER BY id LIMIT ?)

-- The oldest aged rows by timestamp (on its index, see delete_aged_events); the id range they span is
-- then read and deleted with the same timestamp condition, so both steps take the same rows.
-- name: aged_access_range
SELECT min(id), max(id) FROM (SELECT id FROM access_logs WHERE timestamp < ? ORDER BY timestamp LIMIT ?)

-- name: where_before_timestamp
timestamp < ?

-- name: delete_access_range
DELETE FROM access_logs WHERE id >= ? AND id <= ?

-- name: delete_aged_access_range
DELETE FROM access_logs WHERE id >= ? AND id <= ? AND timestamp < ?

-- name: delete_oldest_consumed_events
DELETE FROM events WHERE id IN (SELECT id FROM events WHERE consumed = 1 ORDER BY id LIMIT ?)

-- The agent outbox (see schema.sql). Binds: subscriber, first id, event ids, consumed, through id, now.
-- name: outbox_insert
INSERT OR REPLACE INTO agent_outbox (subscriber, first_id, event_ids, consumed, through_id, created_at) VALUES (?, ?, ?, ?, ?, ?)

-- name: outbox_list
SELECT first_id, event_ids, consumed, through_id FROM agent_outbox WHERE subscriber = ? ORDER BY first_id

-- name: outbox_delete
DELETE FROM agent_outbox WHERE subscriber = ? AND first_id = ?

-- name: put_meta
INSERT INTO spark_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value

-- name: get_meta
SELECT value FROM spark_meta WHERE key = ?

-- Rollups folded from sealed minutes (see schema.sql and RollupFold): the minutes after the fold
-- watermark W up to W' (binds: W, W') are added to the hour and day levels in one statement each, in
-- the writer's transaction (and to access_rollup_all, below). Plan: SEARCH access_rollup_minute USING PRIMARY KEY (bucket>? AND
-- bucket<?), then one primary-key upsert per minute row. No GROUP BY: the upsert adds up rows of the
-- same hour itself, and within a minute the rows come in the hour table's key order (its pages are
-- walked in order); grouping first (a temp b-tree) made a fold of one minute 2-3 times slower. The
-- WHERE is needed: it keeps SQLite from reading ON CONFLICT as a join's ON.
-- name: rollup_fold_hour
INSERT INTO access_rollup_hour (bucket, method, route, feature, status, duration_ms, n, sum_ms)
SELECT substr(bucket, 1, 13), method, route, feature, status, duration_ms, n, sum_ms FROM access_rollup_minute
WHERE bucket > ? AND bucket <= ?
ON CONFLICT DO UPDATE SET n = n + excluded.n, sum_ms = sum_ms + excluded.sum_ms

-- name: rollup_fold_day
INSERT INTO access_rollup_day (bucket, method, route, feature, status, duration_ms, n, sum_ms)
SELECT substr(bucket, 1, 10), method, route, feature, status, duration_ms, n, sum_ms FROM access_rollup_minute
WHERE bucket > ? AND bucket <= ?
ON CONFLICT DO UPDATE SET n = n + excluded.n, sum_ms = sum_ms + excluded.sum_ms

-- name: rollup_fold_all
INSERT INTO access_rollup_all (bucket, method, route, feature, status, duration_ms, n, sum_ms)
SELECT '', method, route, feature, status, duration_ms, n, sum_ms FROM access_rollup_minute
WHERE bucket > ? AND bucket <= ?
ON CONFLICT DO UPDATE SET n = n + excluded.n, sum_ms = sum_ms + excluded.sum_ms

-- The oldest day with folded rows: where access_rollup_all's rows begin (the statistics subtract what
-- lies between it and a window's start). Plan: SEARCH access_rollup_day USING PRIMARY KEY, one seek
-- (min() of the key's first column).
-- name: rollup_oldest_day
SELECT min(bucket) FROM access_rollup_day

-- The fold's budget (binds: W, W', the budget): the bucket of the minute row past it, if any.
-- SEARCH access_rollup_minute USING PRIMARY KEY (bucket>? AND bucket<?), at most the budget's rows.
-- name: rollup_fold_nth_bucket
SELECT bucket FROM access_rollup_minute WHERE bucket > ? AND bucket <= ? ORDER BY bucket LIMIT 1 OFFSET ?

-- The last minute before that bucket (binds: W, the bucket): the same range (SEARCH ... USING PRIMARY
-- KEY (bucket>? AND bucket<?)), its last entry read.
-- name: rollup_fold_last_bucket_before
SELECT max(bucket) FROM access_rollup_minute WHERE bucket > ? AND bucket < ?

-- Moves W (binds: W', the meta key), in the fold's transaction.
-- name: put_rollup_watermark
UPDATE spark_meta SET value = json_set(value, '$.folded', ?) WHERE key = ?

-- Moves the rollups' mark T (binds: T', the meta key): they hold every access-log row with id <= T',
-- in the transaction that applied the rows up to it.
-- name: put_rollup_through
UPDATE spark_meta SET value = json_set(value, '$.through', ?) WHERE key = ?

-- Rollups of the version before T held every committed row (binds: the new version, the meta key):
-- complete through the newest row. Plan: SEARCH access_logs (max of the primary key), spark_meta by its key.
-- name: rollups_in_step
UPDATE spark_meta SET value = json_set(value, '$.version', ?, '$.through', (SELECT coalesce(max(id), 0) FROM access_logs)) WHERE key = ?

-- The rows after the mark T up to an id (binds: T, the id), to be tallied again after a crash or a
-- rollback: at most a flush's worth, in AccessRollups.TALLIED_COLUMNS. Plan: SEARCH access_logs USING
-- INTEGER PRIMARY KEY (rowid>? AND rowid<?).
-- name: access_after_through
SELECT id, timestamp, method, path, feature, status, duration_ms FROM access_logs WHERE id > ? AND id <= ? ORDER BY id

-- How many rollup rows a bucket of each level holds, on the newest whole hour and day before the fold
-- watermark (binds: the hour's first and next minute buckets, the hour, the day's first and next hour
-- buckets, the day): the statistics cost their pieces with it (RollupDensity). Plan: SEARCH
-- access_rollup_minute and access_rollup_hour USING PRIMARY KEY (bucket>? AND bucket<?), SEARCH
-- access_rollup_hour and access_rollup_day USING PRIMARY KEY (bucket=?), SCAN access_rollup_all (a
-- row per route, status and duration).
-- name: rollup_density
SELECT (SELECT count(*) FROM access_rollup_minute WHERE bucket >= ? AND bucket < ?) AS minutes_of_hour,
       (SELECT count(*) FROM access_rollup_hour WHERE bucket = ?) AS hour,
       (SELECT count(*) FROM access_rollup_hour WHERE bucket >= ? AND bucket < ?) AS hours_of_day,
       (SELECT count(*) FROM access_rollup_day WHERE bucket = ?) AS day,
       (SELECT count(*) FROM access_rollup_all) AS all_time

-- name: count_events
SELECT (SELECT count(*) FROM events) AS total,
       (SELECT count(*) FROM events WHERE consumed = 0) AS pending,
       (SELECT max(id) FROM events) AS last_id

-- name: count_access
SELECT count(*) AS total FROM access_logs

-- The same from the day rollups (a few rows a day, where count(*) reads an index of every row) plus
-- the per-minute totals after the fold watermark (the minutes not folded into the day rollups yet, a
-- range of its primary key; none on a file from before folding, which has no watermark), and whether
-- they are built, plus the rows after the rollups' mark (not applied to them yet: at most a flush's
-- worth; none on a file from before the mark); on a file without them the caller falls back to
-- count_access. One statement: one snapshot, so a fold or a flush committed meanwhile is seen wholly or
-- not at all. Plan: SCAN access_rollup_day, SEARCH access_minute_totals USING PRIMARY KEY (bucket>?),
-- SEARCH access_logs USING INTEGER PRIMARY KEY (rowid>?), spark_meta by its key.
-- name: count_access_rollups
SELECT (SELECT coalesce(sum(n), 0) FROM access_rollup_day)
       + (SELECT coalesce(sum(n), 0) FROM access_minute_totals WHERE bucket > coalesce(
           (SELECT json_extract(value, '$.folded') FROM spark_meta WHERE key = 'access_rollups'), '9'))
       + (SELECT count(*) FROM access_logs WHERE id > coalesce(
           (SELECT json_extract(value, '$.through') FROM spark_meta WHERE key = 'access_rollups'), 9223372036854775807)) AS total,
       (SELECT value FROM spark_meta WHERE key = 'access_rollups') AS built

-- name: timeline_totals
-- The unfiltered timeline: a range of access_minute_totals' primary key, a row per minute and method.
SELECT bucket, sum(n), sum(errors) FROM access_minute_totals WHERE bucket >= ? AND bucket < ? GROUP BY bucket

-- name: timeline_totals_method
-- The timeline of one method: the same range, the other methods' rows skipped.
SELECT bucket, sum(n), sum(errors) FROM access_minute_totals WHERE bucket >= ? AND bucket < ? AND method = ? GROUP BY bucket

-- name: event_columns
SELECT id, type, trace_id, timestamp, environment, feature, route, status, data, consumed, consumed_at, fingerprint, delivery, suppressed FROM events

-- name: count_status_range_upto
-- At most ? rows of a status class, counted on idx_access_logs_status (a few ms): whether the class is
-- rare enough to be listed through that index (where_status_range_indexed) instead of a newest-first
-- scan that, for a class with few or no rows, reads the whole table.
SELECT count(*) AS n FROM (SELECT 1 FROM access_logs WHERE status >= ? AND status < ? LIMIT ?)

-- name: route_in_rollups
-- Whether any access-log row has this route, from the day rollups (a few thousand rows a week, no
-- index needed) and the minute rollups after the fold watermark (a range of their primary key, the
-- last minute or two) or the rows after the rollups' mark with this very path (a row's path that is
-- its own route), and whether the file's rollups are built at all (a file from before them has none).
-- Binds: the route, three times. Plan: SCAN access_rollup_day, SEARCH access_rollup_minute USING
-- PRIMARY KEY (bucket>?), SEARCH access_logs USING INTEGER PRIMARY KEY (rowid>?), spark_meta by its key.
SELECT (SELECT value FROM spark_meta WHERE key = 'access_rollups') AS built,
       EXISTS (SELECT 1 FROM access_rollup_day WHERE route = ?)
       OR EXISTS (SELECT 1 FROM access_rollup_minute WHERE bucket > coalesce(
           (SELECT json_extract(value, '$.folded') FROM spark_meta WHERE key = 'access_rollups'), '9') AND route = ?)
       OR EXISTS (SELECT 1 FROM access_logs WHERE id > coalesce(
           (SELECT json_extract(value, '$.through') FROM spark_meta WHERE key = 'access_rollups'), 9223372036854775807) AND path = ?) AS present

-- A rare class: SEARCH access_logs USING INDEX idx_access_logs_status, then a sort of its few rows.
-- (A fragment's comment stays above its name: the fragment's text is joined into a WHERE clause.)
-- name: where_status_range_indexed
status >= ? AND status < ?

-- duration_ms as text: the JDBC pool hands a REAL over as a Java float (7 digits: 0.37 would come
-- back as 0.3700000047683716); SQLite's text of a REAL has 15 significant digits. ReadStore parses it.
-- name: access_columns
SELECT id, timestamp, method, path, status, CAST(duration_ms AS TEXT) AS duration_ms, ip, feature, request_id, input, error, user_agent FROM access_logs

-- name: event_by_id
SELECT id, type, trace_id, timestamp, environment, feature, route, status, data, consumed, consumed_at, fingerprint, delivery, suppressed FROM events WHERE id = ?

-- name: events_after
SELECT id, type, trace_id, timestamp, environment, feature, route, status, data, consumed, consumed_at, fingerprint, delivery, suppressed
FROM events WHERE id > ? AND id <= ? ORDER BY id LIMIT ?

-- name: consumed_events_after
SELECT id, type, trace_id, timestamp, environment, feature, route, status, data, consumed, consumed_at, fingerprint, delivery, suppressed
FROM events WHERE id > ? AND consumed = 1 AND suppressed = 0 ORDER BY id LIMIT ?

-- Filter fragments for the query API, joined with AND by ReadStore.Filter.

-- name: where_type
type = ?

-- name: where_since
timestamp >= ?

-- name: where_until
timestamp < ?

-- name: where_consumed
consumed = ?

-- name: where_status
status = ?

-- A status class (5xx). The unary + keeps SQLite off idx_access_logs_status here: newest-first
-- listings then walk the table backwards and stop after a page (a common class such as 2xx through
-- the index would mean sorting most of the table).
-- name: where_status_range
+status >= ? AND +status < ?

-- name: where_feature
feature = ?

-- name: where_path
path = ?

-- name: where_path_prefix
path >= ? AND path < ?

-- name: where_method
method = ?

-- name: max_event_id
SELECT max(id) AS max_id FROM events

-- Dashboard and access analytics (read-only).

-- name: where_before_id
id < ?

-- name: where_request_id
request_id = ?

-- name: pending_ids_after
SELECT id FROM events WHERE consumed = 0 AND id > ? ORDER BY id LIMIT ?

-- Statistics for a filter the rollups cannot answer (a request id, a raw path with an id in it), and
-- the raw edges of a window: the histogram of the raw rows, one row per (method, path, duration) with
-- the count, the sum of the durations, server errors (500 and up) and client errors (400-499);
-- DashboardReads folds paths into routes. Filter fragments are inserted before the GROUP BY.
-- name: access_route_histogram
SELECT method, path, duration_ms, count(*) AS n, sum(duration_ms) AS sum_ms, sum(status >= 500) AS errors,
       sum(status >= 400 AND status < 500) AS client_errors FROM access_logs

-- name: access_route_histogram_group
GROUP BY method, path, duration_ms

-- Per minute with a filter the rollups cannot answer: a filter fragment list is inserted before the GROUP BY.
-- name: access_minutes_filtered
SELECT substr(timestamp, 1, 16) AS minute, count(*) AS requests, sum(status >= 500) AS errors FROM access_logs

-- name: group_by_minute
GROUP BY minute

-- Issues. The writer keeps one row per fingerprint in the transaction that inserts the events: one
-- upsert per fingerprint per commit, with the commit's occurrences counted together. A resolved issue
-- that occurs again is reopened and marked as a regression (delivered at once, then the mark is
-- cleared). Binds: fingerprint, type, error class, message, culprit, first seen, last seen, count,
-- first event id, last event id, now.
-- name: upsert_issue
INSERT INTO issues (fingerprint, type, error_class, message, culprit, status, first_seen, last_seen, count,
                    first_event_id, last_event_id)
VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)
ON CONFLICT(fingerprint) DO UPDATE SET
  count = count + excluded.count,
  first_seen = min(first_seen, excluded.first_seen),
  last_seen = max(last_seen, excluded.last_seen),
  last_event_id = max(last_event_id, excluded.last_event_id),
  regression = CASE WHEN status = 'resolved' THEN 1 ELSE regression END,
  status_changed_at = CASE WHEN status = 'resolved' THEN ? ELSE status_changed_at END,
  status = CASE WHEN status = 'resolved' THEN 'open' ELSE status END

-- name: issue_columns
SELECT fingerprint, type, error_class, message, culprit, status, first_seen, last_seen, count, first_event_id,
       last_event_id, regression, resolved_at, resolved_through_id, status_changed_at, last_delivered_at, last_delivered_event_id,
       deliveries, suppressed
FROM issues

-- name: issue_by_fingerprint
SELECT fingerprint, type, error_class, message, culprit, status, first_seen, last_seen, count, first_event_id,
       last_event_id, regression, resolved_at, resolved_through_id, status_changed_at, last_delivered_at, last_delivered_event_id,
       deliveries, suppressed
FROM issues WHERE fingerprint = ?

-- Binds: now, event id, fingerprint.
-- name: issue_delivered
UPDATE issues SET last_delivered_at = ?, last_delivered_event_id = ?, deliveries = deliveries + 1, suppressed = 0,
                  regression = 0
WHERE fingerprint = ?

-- name: issue_suppressed
UPDATE issues SET suppressed = suppressed + ? WHERE fingerprint = ?

-- Status changes (POST /api/v1/issues/{fingerprint}/resolve|mute|reopen). resolved_through_id keeps
-- the last occurrence stored before the resolve: a regression is delivered as an occurrence after it.
-- Binds: now, now, fingerprint.
-- name: issue_resolve
UPDATE issues SET status = 'resolved', regression = 0, resolved_at = ?, status_changed_at = ?,
                  resolved_through_id = last_event_id
WHERE fingerprint = ? AND status <> 'resolved'

-- Binds: now, fingerprint.
-- name: issue_mute
UPDATE issues SET status = 'muted', regression = 0, status_changed_at = ? WHERE fingerprint = ? AND status <> 'muted'

-- name: issue_reopen
UPDATE issues SET status = 'open', status_changed_at = ? WHERE fingerprint = ? AND status <> 'open'

-- Filter fragments and orders for GET /api/v1/issues.
-- name: where_issue_status
status = ?

-- name: order_issues_count
ORDER BY count DESC, last_seen DESC

-- name: order_issues_last_seen
ORDER BY last_seen DESC, count DESC

-- The newest events of one issue (GET /api/v1/issues/{fingerprint}), on idx_events_fingerprint.
-- name: events_of_issue
SELECT id, type, trace_id, timestamp, environment, feature, route, status, data, consumed, consumed_at, fingerprint, delivery, suppressed
FROM events WHERE fingerprint = ? ORDER BY timestamp DESC, id DESC LIMIT ?

-- Occurrences per hour of one issue since a time (a covering scan of idx_events_fingerprint).
-- Binds: fingerprint, since.
-- name: issue_hourly
SELECT substr(timestamp, 1, 13) AS hour, count(*) AS n FROM events WHERE fingerprint = ? AND timestamp >= ? GROUP BY hour

-- Issues not seen for db.cleanup.maxAgeDays go with their events, except muted ones (muting is a
-- decision to keep) and any with an event still pending. Binds: cutoff, chunk.
-- name: delete_aged_issues
DELETE FROM issues WHERE fingerprint IN
  (SELECT fingerprint FROM issues i WHERE last_seen < ? AND status <> 'muted'
     AND NOT EXISTS (SELECT 1 FROM events e WHERE e.fingerprint = i.fingerprint AND e.consumed = 0) LIMIT ?)

-- Whether the file has the issue columns (a file written before issues has not, until a writer opens it).
-- name: events_have_fingerprint
SELECT count(*) AS n FROM pragma_table_info('events') WHERE name = 'fingerprint'

-- The agent's fixes (see schema.sql). Binds: fingerprint, event ids, status, delivery, branch, worktree,
-- commit, diff, verify, summary, attempts, now, now. Lookups go by id: the primary key.
-- name: fix_insert
INSERT INTO fixes (fingerprint, event_ids, status, delivery, branch, worktree, commit_id, diff, verify, summary, attempts, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- Binds: status, worktree, now, id.
-- name: fix_set_status
UPDATE fixes SET status = ?, worktree = ?, updated_at = ? WHERE id = ?

-- name: fix_get
SELECT id, fingerprint, event_ids, status, delivery, branch, worktree, commit_id, diff, verify, summary, attempts, created_at, updated_at
FROM fixes WHERE id = ?

-- Newest first, optionally one status (bind it twice; null for all). Scans the primary key backwards.
-- name: fix_list
SELECT id, fingerprint, event_ids, status, delivery, branch, worktree, commit_id, diff, verify, summary, attempts, created_at, updated_at
FROM fixes WHERE (? IS NULL OR status = ?) AND (? IS NULL OR fingerprint = ?) ORDER BY id DESC LIMIT ?
