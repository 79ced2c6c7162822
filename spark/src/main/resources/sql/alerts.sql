-- Alert statements (tables in schema.sql). Same format as statements.sql.

-- The issue as it was before this commit's upsert: absent = new; resolved = a regression.
-- Plan: SEARCH issues USING INDEX sqlite_autoindex_issues_1 (fingerprint=?)
-- name: alert_issue_before
SELECT status, count, first_seen, last_seen, resolved_at FROM issues WHERE fingerprint = ?

-- Events of one issue since a time, counted up to a cap (the caller needs only "at least N"), so a
-- flood costs at most cap index entries. Binds: fingerprint, since, cap.
-- Plan: SEARCH events USING COVERING INDEX idx_events_fingerprint (fingerprint=? AND timestamp>?)
-- name: alert_issue_events_since
SELECT count(*) FROM (SELECT 1 FROM events WHERE fingerprint = ? AND timestamp >= ? LIMIT ?)

-- Plan: SEARCH alert_cooldowns USING PRIMARY KEY (rule=? AND fingerprint=?)
-- name: alert_cooldown_get
SELECT last_alert_at FROM alert_cooldowns WHERE rule = ? AND fingerprint = ?

-- name: alert_cooldown_put
INSERT INTO alert_cooldowns (rule, fingerprint, last_alert_at) VALUES (?, ?, ?)
ON CONFLICT(rule, fingerprint) DO UPDATE SET last_alert_at = excluded.last_alert_at

-- Binds: delivery id, rule, target, kind, fingerprint, event id, payload, now, now.
-- name: alert_insert
INSERT INTO alert_outbox (delivery_id, rule, target, kind, fingerprint, event_id, payload, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)

-- Pending deliveries due by a time (epoch ms), oldest first. Binds: now, limit.
-- Plan: SEARCH alert_outbox USING INDEX idx_alert_outbox_pending (next_attempt_at<?)
-- name: alert_due
SELECT id, delivery_id, rule, target, kind, payload, attempts FROM alert_outbox
WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?

-- The earliest pending attempt after the due ones (for the sender's next wake-up).
-- Plan: SEARCH alert_outbox USING COVERING INDEX idx_alert_outbox_pending
-- name: alert_next_due
SELECT min(next_attempt_at) FROM alert_outbox WHERE status = 'pending'

-- An attempt's result. Binds: status, next attempt at, last error, now, id.
-- name: alert_attempted
UPDATE alert_outbox SET status = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ?, updated_at = ?
WHERE id = ? AND status = 'pending'

-- name: alert_attempts
SELECT attempts FROM alert_outbox WHERE id = ?

-- Recent deliveries, newest first (GET /api/v1/alerts/deliveries). Binds: limit.
-- Plan: SCAN alert_outbox (the rowid backwards, stops at the limit)
-- name: alert_recent
SELECT id, delivery_id, rule, target, kind, fingerprint, event_id, status, attempts, next_attempt_at, last_error,
       created_at, updated_at, payload
FROM alert_outbox ORDER BY id DESC LIMIT ?

-- Finished deliveries beyond the newest ones kept. Binds: keep.
-- name: alert_prune
DELETE FROM alert_outbox WHERE status <> 'pending' AND id < (SELECT id FROM alert_outbox ORDER BY id DESC LIMIT 1 OFFSET ?)

-- Cooldowns older than the longest a rule may have (30 days): they can no longer hold anything back.
-- Binds: epoch ms. Plan: SCAN alert_cooldowns (run at most once an hour).
-- name: alert_cooldowns_prune
DELETE FROM alert_cooldowns WHERE last_alert_at < ?
