'use strict';
/*
 * The dashboard's Health view (Spark's own database, rows, cleanup, queue, subscribers, mode) and the
 * mode badge in the header.
 *
 * Text from the server is only ever put into the page with textContent, never parsed as HTML.
 */
window.sparkHealth = (() => {
  const { $, api, time, bytes, num, facts } = window.sparkUi;

  const health = {
    async refresh() {
      let s;
      try {
        s = await api('/api/v1/dashboard/summary');
      } catch (e) {
        $('health-error').textContent = e.message;
        $('health-error').hidden = false;
        return;
      }
      $('health-error').hidden = true;
      $('mode').textContent = s.mode;
      const db = s.db;
      $('h-db-size').textContent = bytes(db.totalBytes) + ' (' + (db.usedPercent === undefined ? '–' : db.usedPercent + ' %') + ' of the limit)';
      $('h-db-max').textContent = db.maxSizeMB + ' MB (db.cleanup.maxSizeMB)';
      $('h-db-wal').textContent = bytes(db.walBytes);
      $('h-db-path').textContent = db.path || '';
      const bar = $('h-db-bar');
      bar.value = Math.min(100, db.usedPercent || 0);
      bar.classList.toggle('over', (db.usedPercent || 0) >= 100);
      $('h-events').textContent = num(s.rows.events);
      $('h-pending').textContent = num(s.rows.pendingEvents);
      $('h-access').textContent = num(s.rows.accessLogs);
      $('h-last-id').textContent = num(s.rows.lastEventId);
      facts($('h-cleanup'), s.lastCleanup ? [
        ['When', s.lastCleanup.startedAt ? time(s.lastCleanup.startedAt) : '–'],
        ['Took', s.lastCleanup.durationMs + ' ms'],
        ['Aged out', num(s.lastCleanup.agedEvents) + ' events, ' + num(s.lastCleanup.agedAccessLogs) + ' access logs'],
        ['For size', num(s.lastCleanup.sizeEvents) + ' events, ' + num(s.lastCleanup.sizeAccessLogs) + ' access logs'],
        ['File', bytes(s.lastCleanup.bytesBefore) + ' → ' + bytes(s.lastCleanup.bytesAfter)],
        ['Warning', s.lastCleanup.warning || 'none'],
      ] : [['When', 'not yet']]);
      if (s.storage) {
        facts($('h-storage'), [
          ['Queued', num(s.storage.queueRows) + ' rows of ' + num(s.storage.queueCapacity)],
          ['Commits', num(s.storage.commits) + ' (' + num(s.storage.committedRows) + ' rows)'],
          ['Last commit', num(s.storage.lastCommitRows) + ' rows in ' + Number(s.storage.lastCommitMs || 0).toFixed(1) + ' ms'],
          ['Rejected', num(s.storage.rejectedRows) + ' rows'],
        ]);
      } else {
        facts($('h-storage'), [['Writer', s.storageNote || 'another process']]);
      }
      $('h-agents').textContent = s.subscribers.agents === null ? 'n/a (another process)' : num(s.subscribers.agents);
      $('h-observers').textContent = num(s.subscribers.observers);
      $('h-mode').textContent = s.mode === 'sidecar'
        ? 'sidecar: reads the file another process writes (following event ' + (s.follower ? s.follower.lastEventId : '?') + ')'
        : 'embedded: this process writes the database';
      $('h-env').textContent = s.environment;
      $('h-metrics-note').textContent = s.metrics && s.metrics.vertx ? '(Spark and Vert.x)' : '(Spark)';
    },
  };

  return health;
})();
