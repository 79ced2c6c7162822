-- Named statements. Each starts with "-- name: <name>" and runs to the next marker.
-- Filters for the query API are fixed fragments joined with AND; values are always bound.

-- name: insert_event
INSERT INTO events (type, trace_id, timestamp, environment, feature, route, status, data)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)

-- name: insert_access
INSERT INTO access_logs (timestamp, method, path, status, duration_ms, ip, feature, request_id, input, error, user_agent)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: last_insert_id
SELECT last_insert_rowid()

-- name: select_pending
SELECT id, type, trace_id, timestamp, environment, feature, route, status, data, consumed, consumed_at
FROM events WHERE consumed = 0 ORDER BY id LIMIT ?

-- name: mark_consumed
UPDATE events SET consumed = 1, consumed_at = ? WHERE consumed = 0 AND id <= ?

-- name: delete_aged_events
DELETE FROM events WHERE id IN (SELECT id FROM events WHERE consumed = 1 AND timestamp < ? ORDER BY id LIMIT ?)

-- name: delete_aged_access
DELETE FROM access_logs WHERE id IN (SELECT id FROM access_logs WHERE timestamp < ? ORDER BY id LIMIT ?)

-- name: delete_oldest_access
DELETE FROM access_logs WHERE id IN (SELECT id FROM access_logs ORDER BY id LIMIT ?)

-- name: delete_oldest_consumed_events
DELETE FROM events WHERE id IN (SELECT id FROM events WHERE consumed = 1 ORDER BY id LIMIT ?)

-- name: put_meta
INSERT INTO spark_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value

-- name: get_meta
SELECT value FROM spark_meta WHERE key = ?

-- name: count_events
SELECT count(*) AS total, coalesce(sum(consumed = 0), 0) AS pending, max(id) AS last_id FROM events

-- name: count_access
SELECT count(*) AS total FROM access_logs

-- name: event_columns
SELECT id, type, trace_id, timestamp, environment, feature, route, status, data, consumed, consumed_at FROM events

-- name: access_columns
SELECT id, timestamp, method, path, status, duration_ms, ip, feature, request_id, input, error, user_agent FROM access_logs

-- name: event_by_id
SELECT id, type, trace_id, timestamp, environment, feature, route, status, data, consumed, consumed_at FROM events WHERE id = ?

-- name: events_after
SELECT id, type, trace_id, timestamp, environment, feature, route, status, data, consumed, consumed_at
FROM events WHERE id > ? AND id <= ? ORDER BY id LIMIT ?

-- name: consumed_events_after
SELECT id, type, trace_id, timestamp, environment, feature, route, status, data, consumed, consumed_at
FROM events WHERE id > ? AND consumed = 1 ORDER BY id LIMIT ?

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

-- name: where_status_range
status >= ? AND status < ?

-- name: where_feature
feature = ?

-- name: where_path
path = ?

-- name: where_path_prefix
path LIKE ? ESCAPE '\'

-- name: where_method
method = ?

-- name: max_event_id
SELECT max(id) AS max_id FROM events
