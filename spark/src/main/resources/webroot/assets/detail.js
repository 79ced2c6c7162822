'use strict';
/*
 * The dashboard's one event (#events/<id>): its facts, message, stack trace, input, the stored JSON and
 * the access-log rows of its request.
 *
 * Every piece of text that comes from events or access logs is untrusted: it is only ever put into the
 * page with textContent, never parsed as HTML.
 */
window.sparkDetail = (() => {
  const { $, el, clear, api, query, time, statusClass, messageOf } = window.sparkUi;
  const feed = window.sparkFeed; // feed.js loads before this file

  const detail = {
    id: null,

    async open(id) {
      this.id = id;
      $('detail').hidden = false;
      for (const tr of feed.rows.values()) tr.classList.toggle('selected', Number(tr.dataset.id) === id);
      for (const f of ['d-type', 'd-time', 'd-feature', 'd-route', 'd-status', 'd-trace', 'd-env', 'd-state', 'd-release', 'd-sdk', 'd-message', 'd-stack', 'd-input', 'd-raw']) {
        $(f).textContent = '';
      }
      $('d-id').textContent = '#' + id;
      clear($('d-access').tBodies[0]);
      $('d-access-empty').hidden = true;
      let e;
      try {
        e = await api('/api/v1/events/' + id);
      } catch (err) {
        $('d-message').textContent = err.message;
        return;
      }
      if (this.id !== id) return;
      const d = e.data && typeof e.data === 'object' ? e.data : {};
      $('d-type').textContent = e.type;
      $('d-time').textContent = e.timestamp + ' (' + time(e.timestamp) + ' local)';
      $('d-feature').textContent = e.feature || '–';
      $('d-route').textContent = e.route || '–';
      $('d-status').textContent = e.status === null || e.status === undefined ? '–' : e.status;
      $('d-trace').textContent = e.traceId || '–';
      $('d-env').textContent = e.environment || '–';
      $('d-state').textContent = e.consumed
        ? (e.suppressed ? 'held back (consumed without delivery: flood control, or its issue muted or resolved)' : 'consumed')
          + (e.consumedAt ? ' at ' + e.consumedAt : '')
        : 'pending';
      // release and SDK: sent by Sentry SDKs (see README, Sentry SDKs), or by any client that sets them
      $('d-release').textContent = typeof d.release === 'string' ? d.release : '–';
      const sdk = d.sdk && typeof d.sdk === 'object' ? [d.sdk.name, d.sdk.version].filter((x) => typeof x === 'string').join(' ') : '';
      $('d-sdk').textContent = sdk || '–';
      $('d-message').textContent = messageOf(e) || '–';
      const stack = d.error && typeof d.error === 'object' ? d.error.stack : undefined;
      // The original's process-error and rate-limit fields, shown as text (never as HTML).
      const extra = [['command', 'command'], ['exitCode', 'exit code'], ['logFile', 'log file'], ['ip', 'ip'],
        ['limit', 'limit'], ['remaining', 'remaining'], ['retryAfter', 'retry after'], ['filledIn', 'filled in by Spark']]
        .filter(([k]) => d[k] !== undefined && d[k] !== null)
        .map(([k, label]) => label + ': ' + (typeof d[k] === 'object' ? JSON.stringify(d[k]) : String(d[k])));
      if (typeof d.tail === 'string' && d.tail) extra.push('output tail:\n' + d.tail);
      $('d-stack').textContent = (stack ? String(stack) : '(no stack trace)') + (extra.length ? '\n\n' + extra.join('\n') : '');
      const input = d.request && typeof d.request === 'object' && d.request.input !== undefined ? d.request.input : d.input;
      $('d-input').textContent = input === undefined ? '(no input)' : JSON.stringify(input, null, 2);
      $('d-raw').textContent = JSON.stringify(e, null, 2);
      this.related(e, d, id);
    },

    /** The access-log rows that share the event's request id (its trace id, or a requestId it carries). */
    async related(e, d, id) {
      const ids = [...new Set([e.traceId, d.requestId, d.request && d.request.id].filter((x) => typeof x === 'string' && x))];
      const rows = [];
      for (const requestId of ids) {
        try {
          const body = await api('/api/v1/access' + query({ requestId: requestId, limit: 100 }));
          rows.push(...body.access);
        } catch (err) {
          // nothing related
        }
      }
      if (this.id !== id) return;
      const tbody = $('d-access').tBodies[0];
      for (const r of rows) {
        const tr = document.createElement('tr');
        tr.appendChild(el('td', time(r.timestamp), 'nowrap'));
        tr.appendChild(el('td', r.method));
        tr.appendChild(el('td', r.path, 'mono'));
        tr.appendChild(el('td', r.status, statusClass(r.status)));
        tr.appendChild(el('td', r.durationMs, 'num'));
        tr.appendChild(el('td', r.requestId, 'mono'));
        tr.appendChild(el('td', r.error));
        tbody.appendChild(tr);
      }
      $('d-access-empty').hidden = rows.length > 0;
    },

    close() {
      this.id = null;
      $('detail').hidden = true;
      for (const tr of feed.rows.values()) tr.classList.remove('selected');
    },
  };

  return detail;
})();
