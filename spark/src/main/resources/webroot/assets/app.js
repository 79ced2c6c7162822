'use strict';
/*
 * Spark's dashboard. Plain JavaScript, no build step, no third-party code.
 *
 * Every piece of text that comes from events or access logs is untrusted: it is only ever put into
 * the page with textContent (or drawn on a canvas), never parsed as HTML.
 */
(() => {
  const FEED_LIMIT = 500;
  const PAGE_SIZE = 50;
  const $ = (id) => document.getElementById(id);

  /** An element with text (never HTML) and an optional class. */
  function el(tag, text, className) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (className) e.className = className;
    return e;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  async function api(path, options) {
    const response = await fetch(path, Object.assign({ credentials: 'same-origin', headers: { Accept: 'application/json' } }, options));
    if (response.status === 401) {
      window.location.assign('/login');
      throw new Error('Your session has ended; log in again.');
    }
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (!response.ok) {
      const err = new Error((body && body.message) || response.status + ' ' + response.statusText);
      err.status = response.status;
      throw err;
    }
    return body;
  }

  // Shared with fixes.js (the Fixes view), which uses them once the page has loaded.
  window.sparkUi = { el, clear, api };

  function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
    const s = q.toString();
    return s ? '?' + s : '';
  }

  function time(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    if (isNaN(d.getTime())) return iso;
    const today = new Date();
    const hms = d.toLocaleTimeString([], { hour12: false });
    return d.toDateString() === today.toDateString() ? hms : d.toLocaleDateString() + ' ' + hms;
  }

  function bytes(n) {
    if (n === null || n === undefined) return '–';
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let v = n;
    let i = 0;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return (i === 0 ? v : v.toFixed(1)) + ' ' + units[i];
  }

  function num(n) {
    return n === null || n === undefined ? '–' : Number(n).toLocaleString();
  }

  function statusClass(status) {
    if (status >= 500) return 's5';
    if (status >= 400) return 's4';
    if (status >= 300) return 's3';
    return 's2';
  }

  function messageOf(event) {
    const d = event.data && typeof event.data === 'object' ? event.data : {};
    if (d.error && typeof d.error === 'object' && d.error.message !== undefined) return String(d.error.message);
    if (typeof d.error === 'string') return d.error;
    if (d.message !== undefined) return String(d.message);
    if (event.type === 'rate-limit') return 'rate limited' + (d.ip ? ' ' + d.ip : '');
    return '';
  }

  // ---------------------------------------------------------------- views

  const views = ['events', 'issues', 'access', 'alerts', 'health', 'fixes', 'agent'];
  let current = null;

  function route() {
    const hash = window.location.hash.replace(/^#/, '');
    const [name, arg, rest] = hash.split('/');
    const view = views.includes(name) ? name : 'events';
    if (view !== current) {
      current = view;
      for (const v of views) $('view-' + v).hidden = v !== view;
      for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.view === view);
      if (view === 'issues') issues.load();
      if (view === 'access') access.load();
      if (view === 'alerts') alerts.load();
      if (view === 'health') health.refresh();
      if (view === 'agent') agent.status();
    }
    if (view === 'fixes' && window.sparkFixes) {
      if (arg === 'issue' && rest) window.sparkFixes.show(null, decodeURIComponent(rest));
      else window.sparkFixes.show(arg && /^\d+$/.test(arg) ? Number(arg) : null, arg ? undefined : null);
    }
    if (view === 'events') {
      if (arg && /^\d+$/.test(arg)) detail.open(Number(arg));
      else detail.close();
    }
  }

  // ---------------------------------------------------------------- alerts

  const alerts = {
    wired: false,

    async load() {
      if (!this.wired) {
        this.wired = true;
        $('alert-refresh').addEventListener('click', () => this.deliveries());
      }
      $('alerts-error').hidden = true;
      const problems = [];
      try {
        const cfg = await api('/api/v1/alerts');
        this.rules(cfg.rules || []);
        this.targets(cfg.targets || []);
      } catch (e) {
        problems.push('Could not load the alert rules: ' + e.message);
      }
      try {
        await this.deliveries();
      } catch (e) {
        problems.push('Could not load the deliveries: ' + e.message);
      }
      // Set as text, never as HTML: a message may carry what a configuration or a server said.
      $('alerts-error').textContent = problems.join(' ');
      $('alerts-error').hidden = problems.length === 0;
    },

    rules(rules) {
      const body = $('alert-rules').tBodies[0];
      clear(body);
      for (const r of rules) {
        const tr = document.createElement('tr');
        let on = (r.on || []).join(', ');
        if (r.threshold) on += ' (' + r.threshold.events + ' in ' + r.threshold.minutes + ' min)';
        const only = [['types', r.types], ['environments', r.environments], ['features', r.features]]
          .filter(([, v]) => v && v.length).map(([k, v]) => k + ': ' + v.join(', ')).join('; ');
        for (const text of [r.name, on, only || 'everything', r.cooldownMinutes + ' min', (r.to || []).join(', ')]) tr.appendChild(el('td', text));
        body.appendChild(tr);
      }
      $('alert-rules-empty').hidden = rules.length > 0;
    },

    targets(targets) {
      const body = $('alert-targets').tBodies[0];
      clear(body);
      for (const t of targets) {
        const tr = document.createElement('tr');
        const where = t.type === 'email'
          ? (t.to || []).join(', ') + ' via ' + t.host + ':' + t.port + ' (' + t.security + ')'
          : t.url + (t.signed ? ' (signed)' : '');
        tr.appendChild(el('td', t.name));
        tr.appendChild(el('td', t.type));
        tr.appendChild(el('td', where, 'mono'));
        const cell = document.createElement('td');
        const button = el('button', 'Send test', 'secondary');
        button.type = 'button';
        button.addEventListener('click', () => this.test(t.name, button));
        cell.appendChild(button);
        tr.appendChild(cell);
        body.appendChild(tr);
      }
      $('alert-targets-empty').hidden = targets.length > 0;
    },

    async test(name, button) {
      const result = $('alert-test-result');
      button.disabled = true;
      result.hidden = false;
      result.className = 'notice';
      result.textContent = 'Sending a test alert to ' + name + '…';
      try {
        const r = await api('/api/v1/alerts/targets/' + encodeURIComponent(name) + '/test', { method: 'POST' });
        result.textContent = r.delivered ? 'Test alert delivered to ' + name + '.' : 'Test alert to ' + name + ' failed: ' + r.error;
        if (!r.delivered) result.className = 'notice error';
      } catch (e) {
        result.className = 'notice error';
        result.textContent = 'Test alert to ' + name + ' failed: ' + e.message;
      } finally {
        button.disabled = false;
      }
    },

    async deliveries() {
      const body = $('alert-deliveries').tBodies[0];
      const list = (await api('/api/v1/alerts/deliveries?limit=50')).deliveries || [];
      clear(body);
      for (const d of list) {
        const tr = document.createElement('tr');
        tr.appendChild(el('td', time(d.createdAt)));
        tr.appendChild(el('td', d.status, 'delivery-' + d.status));
        tr.appendChild(el('td', d.attempts));
        tr.appendChild(el('td', d.kind));
        tr.appendChild(el('td', d.rule));
        tr.appendChild(el('td', d.target));
        const issue = document.createElement('td');
        if (Number.isInteger(d.eventId)) {
          const a = el('a', d.title || d.fingerprint);
          a.href = '#events/' + d.eventId;
          issue.appendChild(a);
        } else {
          issue.textContent = d.title || '';
        }
        tr.appendChild(issue);
        tr.appendChild(el('td', d.lastError || (d.status === 'pending' && d.nextAttemptAt ? 'next try ' + time(d.nextAttemptAt) : '')));
        body.appendChild(tr);
      }
      $('alert-deliveries-empty').hidden = list.length > 0;
    },
  };

  // ---------------------------------------------------------------- live events

  const feed = {
    rows: new Map(),
    lastId: 0,
    source: null,

    async start() {
      try {
        const body = await api('/api/v1/events?limit=200');
        for (const e of body.events.slice().reverse()) this.add(e, false);
      } catch (e) {
        setLive('error', e.message);
      }
      this.connect();
      window.setInterval(() => this.refreshStates(), 2000);
    },

    /** An observer stream: sees every stored event, consumes nothing; resumes after the last id. */
    connect() {
      const source = new EventSource('/api/v1/stream?observe=true&since=' + this.lastId);
      this.source = source;
      source.onopen = () => setLive('live', 'live');
      source.onmessage = (m) => {
        try {
          this.add(JSON.parse(m.data), true);
        } catch (e) {
          // a malformed message is skipped, the stream goes on
        }
      };
      source.onerror = () => {
        if (source.readyState === EventSource.CLOSED) {
          setLive('error', 'disconnected');
          // A refused stream (e.g. the session ended): find out through the API, then reconnect.
          api('/api/v1/dashboard/pending?after=' + this.lastId).then(() => window.setTimeout(() => this.connect(), 2000), () => {});
        } else {
          setLive('connecting', 'reconnecting…');
        }
      };
    },

    add(e, live) {
      const tbody = $('feed').tBodies[0];
      const existing = this.rows.get(e.id);
      if (existing) {
        this.setState(existing, e.consumed, e.suppressed);
        return;
      }
      const tr = document.createElement('tr');
      tr.dataset.id = String(e.id);
      if (live) tr.dataset.receivedAt = String(Date.now());
      tr.appendChild(el('td', e.id, 'num'));
      const t = el('td', time(e.timestamp), 'nowrap');
      t.title = e.timestamp || '';
      tr.appendChild(t);
      tr.appendChild(el('td', e.type, 'type type-' + String(e.type).replace(/[^a-z-]/g, '')));
      tr.appendChild(el('td', e.feature));
      const route = el('td', e.route, 'mono route-cell');
      route.title = e.route || '';
      tr.appendChild(route);
      tr.appendChild(el('td', e.status, e.status ? statusClass(e.status) : ''));
      const state = el('td');
      tr.appendChild(state);
      const message = el('td', messageOf(e), 'message-cell');
      message.title = messageOf(e);
      tr.appendChild(message);
      this.setState(tr, e.consumed, e.suppressed);
      tr.addEventListener('click', () => {
        window.location.hash = '#events/' + e.id;
      });
      if (live) tr.classList.add('fresh');
      // Newest first: live events are newer than everything shown.
      let before = null;
      for (const row of tbody.rows) {
        if (Number(row.dataset.id) < e.id) {
          before = row;
          break;
        }
      }
      tbody.insertBefore(tr, before);
      this.rows.set(e.id, tr);
      this.lastId = Math.max(this.lastId, e.id);
      while (this.rows.size > FEED_LIMIT) {
        const last = tbody.rows[tbody.rows.length - 1];
        this.rows.delete(Number(last.dataset.id));
        tbody.removeChild(last);
      }
      $('feed-empty').hidden = this.rows.size > 0;
      $('event-count').textContent = '(' + this.rows.size + ' shown, newest first)';
    },

    /** Held back: consumed without delivery (flood control, or its issue muted or resolved). */
    setState(tr, consumed, suppressed) {
      tr.dataset.state = consumed ? 'consumed' : 'pending';
      const cell = tr.cells[6];
      cell.textContent = consumed ? (suppressed ? 'held back' : 'consumed') : 'pending';
      cell.title = suppressed ? 'Consumed without delivery to agents: flood control, or its issue is muted or resolved' : '';
      cell.className = 'state ' + (consumed ? 'consumed' : 'pending');
    },

    /** Pending rows turn "consumed" once an agent has taken them. */
    async refreshStates() {
      const pending = [...this.rows.values()].filter((tr) => tr.dataset.state === 'pending').map((tr) => Number(tr.dataset.id));
      if (pending.length === 0) return;
      const from = Math.min(...pending);
      try {
        const body = await api('/api/v1/dashboard/pending?after=' + (from - 1));
        const still = new Set(body.ids);
        const upTo = body.complete ? Infinity : body.ids[body.ids.length - 1];
        for (const id of pending) {
          if (id <= upTo && !still.has(id)) {
            const tr = this.rows.get(id);
            if (tr) this.setState(tr, true);
            if (detail.id === id) $('d-state').textContent = 'consumed';
          }
        }
      } catch (e) {
        // shown by the live indicator when the stream fails too
      }
    },
  };

  function setLive(state, text) {
    const live = $('live');
    live.dataset.state = state;
    live.textContent = text || state;
  }

  // ---------------------------------------------------------------- one event

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

  // ---------------------------------------------------------------- access logs

  const access = {
    before: null,
    cursors: [],
    loading: 0,

    window() {
      const w = $('f-window').value;
      if (w === 'custom') {
        const since = $('f-since').value ? new Date($('f-since').value).toISOString() : undefined;
        const until = $('f-until').value ? new Date($('f-until').value).toISOString() : undefined;
        return { since, until };
      }
      return { since: new Date(Date.now() - Number(w) * 60000).toISOString(), until: undefined };
    },

    filters() {
      return {
        status: $('f-status').value.trim(),
        feature: $('f-feature').value.trim(),
        path: $('f-path').value.trim(),
        method: $('f-method').value,
      };
    },

    async load() {
      const ticket = ++this.loading;
      const w = this.window();
      const f = this.filters();
      $('access-error').hidden = true;
      const list = api('/api/v1/access' + query(Object.assign({}, f, w, { limit: PAGE_SIZE + 1, before: this.before })));
      const scope = { feature: f.feature, path: f.path, method: f.method, since: w.since, until: w.until };
      const stats = api('/api/v1/access/stats' + query(Object.assign({ limit: 100 }, scope)));
      const timeline = api('/api/v1/access/timeline' + query(scope));
      try {
        const [l, s, t] = await Promise.all([list, stats, timeline]);
        if (ticket !== this.loading) return;
        this.rows(l.access);
        this.stats(s);
        this.chart(t);
      } catch (e) {
        if (ticket !== this.loading) return;
        $('access-error').textContent = e.message;
        $('access-error').hidden = false;
      }
    },

    rows(list) {
      const more = list.length > PAGE_SIZE;
      const shown = list.slice(0, PAGE_SIZE);
      const tbody = $('access-table').tBodies[0];
      clear(tbody);
      for (const r of shown) {
        const tr = document.createElement('tr');
        tr.dataset.id = String(r.id);
        tr.appendChild(el('td', r.id, 'num'));
        const t = el('td', time(r.timestamp), 'nowrap');
        t.title = r.timestamp || '';
        tr.appendChild(t);
        tr.appendChild(el('td', r.method));
        tr.appendChild(el('td', r.path, 'mono'));
        tr.appendChild(el('td', r.status, statusClass(r.status)));
        tr.appendChild(el('td', r.durationMs, 'num'));
        tr.appendChild(el('td', r.feature));
        tr.appendChild(el('td', r.requestId, 'mono'));
        tr.appendChild(el('td', r.ip, 'mono'));
        tr.appendChild(el('td', r.error));
        tbody.appendChild(tr);
      }
      this.lastShownId = shown.length ? shown[shown.length - 1].id : null;
      $('access-empty').hidden = shown.length > 0;
      $('older').disabled = !more;
      $('newer').disabled = this.cursors.length === 0;
      const page = this.cursors.length + 1;
      $('page-info').textContent = shown.length ? '(page ' + page + ', ' + shown.length + ' rows, newest first)' : '';
    },

    stats(s) {
      const tbody = $('stats').tBodies[0];
      clear(tbody);
      for (const r of s.routes) {
        const tr = document.createElement('tr');
        tr.appendChild(el('td', r.method));
        tr.appendChild(el('td', r.path, 'mono'));
        tr.appendChild(el('td', num(r.requests), 'num'));
        tr.appendChild(el('td', num(r.errors), 'num' + (r.errors ? ' s5' : '')));
        tr.appendChild(el('td', (r.errorRate * 100).toFixed(1) + ' %', 'num'));
        tr.appendChild(el('td', r.p50 === null ? '–' : r.p50, 'num'));
        tr.appendChild(el('td', r.p95 === null ? '–' : r.p95, 'num p95'));
        tr.appendChild(el('td', r.p99 === null ? '–' : r.p99, 'num'));
        tbody.appendChild(tr);
      }
      const t = s.totals;
      $('stats-summary').textContent = '(' + num(t.requests) + ' requests, ' + (t.errorRate * 100).toFixed(1) + ' % errors, p95 '
        + (t.p95 === null ? '–' : t.p95 + ' ms') + ', ' + s.routeCount + ' routes)';
    },

    /** Bars per minute on a canvas (text drawn on a canvas is never markup). */
    chart(t) {
      const canvas = $('timeline');
      const ratio = window.devicePixelRatio || 1;
      const width = canvas.clientWidth || 960;
      const height = canvas.clientHeight || 180;
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      const g = canvas.getContext('2d');
      g.setTransform(ratio, 0, 0, ratio, 0, 0);
      g.clearRect(0, 0, width, height);
      const points = t.points;
      const left = 44;
      const bottom = height - 20;
      const top = 8;
      const plotW = width - left - 8;
      let max = 1;
      for (const p of points) max = Math.max(max, p[1]);
      const styles = getComputedStyle(document.body);
      g.font = '11px system-ui, sans-serif';
      g.fillStyle = styles.getPropertyValue('--muted').trim() || '#888';
      g.strokeStyle = styles.getPropertyValue('--line').trim() || '#ccc';
      g.beginPath();
      g.moveTo(left, top);
      g.lineTo(left, bottom);
      g.lineTo(left + plotW, bottom);
      g.stroke();
      g.textAlign = 'right';
      g.fillText(String(max), left - 4, top + 8);
      g.fillText('0', left - 4, bottom);
      const barW = plotW / Math.max(1, points.length);
      const scale = (bottom - top) / max;
      const requestsColor = styles.getPropertyValue('--requests').trim() || '#4a7bd0';
      const errorsColor = styles.getPropertyValue('--errors').trim() || '#d04a4a';
      points.forEach((p, i) => {
        const x = left + i * barW;
        const w = Math.max(barW - (barW > 3 ? 1 : 0), 0.5);
        g.fillStyle = requestsColor;
        g.fillRect(x, bottom - p[1] * scale, w, p[1] * scale);
        if (p[2] > 0) {
          g.fillStyle = errorsColor;
          g.fillRect(x, bottom - p[2] * scale, w, p[2] * scale);
        }
      });
      g.fillStyle = styles.getPropertyValue('--muted').trim() || '#888';
      g.textAlign = 'left';
      if (points.length) {
        g.fillText(time(points[0][0] + ':00Z'), left, height - 4);
        g.textAlign = 'right';
        g.fillText(time(t.until), left + plotW, height - 4);
      }
      const total = points.reduce((a, p) => a + p[1], 0);
      const errors = points.reduce((a, p) => a + p[2], 0);
      $('timeline-range').textContent = '(' + num(total) + ' requests, ' + num(errors) + ' errors, ' + points.length + ' minutes)';
      canvas.dataset.requests = String(total);
      canvas.dataset.errors = String(errors);
    },

    apply() {
      this.before = null;
      this.cursors = [];
      this.load();
    },

    older() {
      if (this.lastShownId === null) return;
      this.cursors.push(this.before);
      this.before = this.lastShownId;
      this.load();
    },

    newer() {
      if (this.cursors.length === 0) return;
      this.before = this.cursors.pop();
      this.load();
    },
  };

  // ---------------------------------------------------------------- issues

  const issues = {
    loading: false,

    async load() {
      if (this.loading) return;
      this.loading = true;
      try {
        const body = await api('/api/v1/issues' + query({ status: $('i-status').value, sort: $('i-sort').value, limit: 200, hours: 24 }));
        // Each issue links to its newest fix (the list is newest first) and to all its fixes; without fixes, no links.
        const fixes = await api('/api/v1/fixes').catch(() => ({ fixes: [] }));
        this.fixOf = new Map();
        this.fixCount = new Map();
        for (const f of fixes.fixes) {
          if (!f.fingerprint) continue;
          if (!this.fixOf.has(f.fingerprint)) this.fixOf.set(f.fingerprint, f);
          this.fixCount.set(f.fingerprint, (this.fixCount.get(f.fingerprint) || 0) + 1);
        }
        $('issues-error').hidden = true;
        this.render(body);
      } catch (e) {
        $('issues-error').textContent = e.message;
        $('issues-error').hidden = false;
      } finally {
        this.loading = false;
      }
    },

    render(body) {
      const tbody = $('issues').tBodies[0];
      clear(tbody);
      for (const issue of body.issues) {
        const tr = document.createElement('tr');
        tr.dataset.fingerprint = issue.fingerprint;
        tr.dataset.status = issue.status;
        const status = el('td', issue.status + (issue.regression ? ' (regression)' : ''), 'issue-status ' + issue.status);
        status.title = issue.fingerprint;
        tr.appendChild(status);
        tr.appendChild(el('td', num(issue.count), 'num count'));
        const sparkCell = el('td');
        sparkCell.appendChild(this.sparkline(issue.hourly || []));
        tr.appendChild(sparkCell);
        const seen = el('td', time(issue.lastSeen), 'nowrap');
        seen.title = 'first seen ' + (issue.firstSeen || '') + ', last seen ' + (issue.lastSeen || '');
        tr.appendChild(seen);
        const delivered = el('td', issue.lastDeliveredAt ? time(issue.lastDeliveredAt) : 'never', 'nowrap');
        delivered.title = num(issue.deliveries) + ' deliveries; ' + num(issue.suppressedSinceDelivery) + ' occurrences held back since the last';
        tr.appendChild(delivered);
        tr.appendChild(el('td', issue.type, 'type type-' + String(issue.type).replace(/[^a-z-]/g, '')));
        const message = el('td', null, 'message-cell');
        const link = el('a', (issue.errorClass ? issue.errorClass + ': ' : '') + (issue.message || ''));
        link.href = '#events/' + issue.lastEventId;
        link.title = 'The newest occurrence (#' + issue.lastEventId + ')';
        message.appendChild(link);
        tr.appendChild(message);
        tr.appendChild(el('td', issue.culprit, 'mono route-cell'));
        const actions = el('td', null, 'nowrap actions');
        const choices = issue.status === 'open' ? ['resolve', 'mute'] : issue.status === 'resolved' ? ['reopen', 'mute'] : ['reopen'];
        for (const action of choices) {
          const b = el('button', action[0].toUpperCase() + action.slice(1), 'secondary small');
          b.type = 'button';
          b.dataset.action = action;
          b.addEventListener('click', () => this.change(issue.fingerprint, action));
          actions.appendChild(b);
        }
        const fix = this.fixOf && this.fixOf.get(issue.fingerprint);
        if (fix) {
          const a = el('a', 'Fix #' + fix.id + ' (' + fix.status + ')', 'fix-link');
          a.href = '#fixes/' + fix.id;
          actions.appendChild(a);
          const all = el('a', 'all fixes (' + this.fixCount.get(issue.fingerprint) + ')', 'fix-list-link');
          all.href = '#fixes/issue/' + encodeURIComponent(issue.fingerprint);
          actions.appendChild(all);
        }
        tr.appendChild(actions);
        tbody.appendChild(tr);
      }
      $('issues-empty').hidden = body.issues.length > 0;
      $('issue-count').textContent = '(' + body.count + (body.count === 200 ? '+' : '') + ')';
    },

    /** Occurrences per hour for the last 24 hours, oldest first, as bars on a small canvas. */
    sparkline(counts) {
      const canvas = document.createElement('canvas');
      const w = 96;
      const h = 20;
      canvas.width = w;
      canvas.height = h;
      canvas.className = 'sparkline';
      const total = counts.reduce((a, n) => a + n, 0);
      const max = Math.max(1, ...counts);
      canvas.dataset.counts = counts.join(',');
      canvas.title = num(total) + ' in the last ' + counts.length + ' hours (max ' + num(max) + ' in an hour)';
      const g = canvas.getContext('2d');
      if (g) {
        g.fillStyle = getComputedStyle(document.documentElement).getPropertyValue('--errors').trim() || '#d9473f';
        const barW = w / Math.max(1, counts.length);
        counts.forEach((n, i) => {
          if (n === 0) return;
          const bh = Math.max(1, Math.round((n / max) * (h - 1)));
          g.fillRect(i * barW, h - bh, Math.max(1, barW - 1), bh);
        });
      }
      return canvas;
    },

    async change(fingerprint, action) {
      try {
        await api('/api/v1/issues/' + encodeURIComponent(fingerprint) + '/' + action, { method: 'POST' });
        $('issues-error').hidden = true;
      } catch (e) {
        $('issues-error').textContent = e.message;
        $('issues-error').hidden = false;
      }
      this.load();
    },
  };

  // ---------------------------------------------------------------- health

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

  function facts(dl, pairs) {
    clear(dl);
    for (const [k, v] of pairs) {
      dl.appendChild(el('dt', k));
      dl.appendChild(el('dd', v));
    }
  }

  // ---------------------------------------------------------------- agent

  /**
   * The agent's console: GET /api/v1/agent/stream sends a snapshot (state and the transcript kept so
   * far) and then each change: an entry added, assistant text appended, a tool call updated with its
   * result, the agent's state. EventSource reconnects by itself; each reconnect starts with a fresh
   * snapshot, so nothing is shown twice.
   */
  const agent = {
    source: null,
    nodes: new Map(),
    state: null,

    start() {
      if (this.source) return;
      this.source = new EventSource('/api/v1/agent/stream');
      this.source.addEventListener('snapshot', (ev) => {
        const snap = JSON.parse(ev.data);
        clear($('agent-transcript'));
        this.nodes.clear();
        for (const entry of snap.transcript || []) this.render(entry);
        delete snap.transcript;
        this.showState(snap);
      });
      this.source.addEventListener('change', (ev) => this.apply(JSON.parse(ev.data)));
      this.source.onerror = () => {
        $('agent-status').textContent = 'Reconnecting to the agent console…';
        $('agent-status').classList.add('warn');
      };
    },

    status() {
      this.start();
    },

    showState(s) {
      this.state = s;
      const parts = [s.state ? s.state.charAt(0).toUpperCase() + s.state.slice(1) + '.' : '', s.reason || ''];
      if (s.fix) parts.push('To fix: ' + s.fix + '.');
      if (s.model) parts.push('Model: ' + s.model.provider + '/' + s.model.id + '.');
      if (s.restarts) parts.push('Restarts: ' + s.restarts + '.');
      $('agent-status').textContent = parts.filter((p) => p).join(' ');
      $('agent-status').classList.toggle('warn', !s.available);
      $('agent-abort').disabled = !(s.state === 'busy');
    },

    apply(change) {
      if (change.op === 'state') this.showState(change.state);
      else if (change.op === 'add' || change.op === 'update') this.render(change.entry);
      else if (change.op === 'append') {
        const node = this.nodes.get(change.seq);
        if (node) {
          node.querySelector('.text').textContent += change.text;
          node.scrollIntoView({ block: 'end' });
        }
      }
    },

    /** One transcript entry, as text only; re-rendering an entry (a tool call getting its result) replaces it. */
    render(entry) {
      const kind = entry.kind;
      const node = el('div', null, 'entry ' + kind);
      node.dataset.seq = entry.seq;
      let who = 'spark';
      let text = '';
      let details = null;
      if (kind === 'run-start') text = '— run started —';
      else if (kind === 'run-end') text = '— run ended —';
      else if (kind === 'assistant') {
        who = 'agent';
        text = entry.text || '';
      } else if (kind === 'user') {
        who = entry.source === 'spark' ? 'spark' : entry.source === 'mcp' ? 'mcp' : 'you';
        text = entry.text;
        if (entry.source === 'spark') {
          details = entry.text;
          text = (entry.text || '').split('\n')[0];
        }
      } else if (kind === 'batch') {
        text = (entry.text || '').split('\n')[0] + (entry.resent ? ' (sent again)' : '');
        details = entry.text;
      } else if (kind === 'tool') {
        who = 'tool';
        const status = entry.done ? (entry.isError ? ' ✗' : ' ✓') : ' …';
        text = entry.name + ' ' + JSON.stringify(entry.args || {}) + status;
        if (entry.result !== undefined && entry.result !== null) details = entry.result;
      } else {
        text = entry.text || '';
      }
      if (entry.lost) text += ' (not read: the agent process exited' + (kind === 'batch' ? '; sent again)' : ')');
      node.appendChild(el('span', who, 'who'));
      const body = el('div', null, 'body');
      body.appendChild(el('span', text, 'text'));
      if (details !== null) {
        const d = el('details');
        d.appendChild(el('summary', kind === 'tool' ? 'result' : 'full message'));
        d.appendChild(el('pre', details));
        body.appendChild(d);
      }
      node.appendChild(body);
      const old = this.nodes.get(entry.seq);
      if (old) old.replaceWith(node);
      else $('agent-transcript').appendChild(node);
      this.nodes.set(entry.seq, node);
      node.scrollIntoView({ block: 'end' });
    },

    /** A line only this page shows (what you typed when it could not be sent, and why). */
    line(who, text) {
      const entry = el('div', null, 'entry local ' + who);
      entry.appendChild(el('span', who === 'you' ? 'you' : 'spark', 'who'));
      entry.appendChild(el('span', text, 'text'));
      $('agent-transcript').appendChild(entry);
      entry.scrollIntoView({ block: 'end' });
    },

    async send(text) {
      try {
        await api('/api/v1/agent/messages', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ text: text }),
        });
      } catch (e) {
        this.line('you', text);
        this.line('system', e.message);
      }
    },

    async abort() {
      try {
        await api('/api/v1/agent/abort', { method: 'POST', headers: { Accept: 'application/json' } });
      } catch (e) {
        this.line('system', e.message);
      }
    },
  };

  // ---------------------------------------------------------------- start

  document.addEventListener('DOMContentLoaded', () => {
    $('access-filters').addEventListener('submit', (ev) => {
      ev.preventDefault();
      access.apply();
    });
    $('f-window').addEventListener('change', () => {
      const custom = $('f-window').value === 'custom';
      for (const l of document.querySelectorAll('.custom-range')) l.hidden = !custom;
    });
    $('f-reset').addEventListener('click', () => {
      $('access-filters').reset();
      for (const l of document.querySelectorAll('.custom-range')) l.hidden = true;
      access.apply();
    });
    $('older').addEventListener('click', () => access.older());
    $('i-status').addEventListener('change', () => issues.load());
    $('i-sort').addEventListener('change', () => issues.load());
    $('issue-filters').addEventListener('submit', (ev) => ev.preventDefault());
    $('newer').addEventListener('click', () => access.newer());
    $('agent-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const text = $('agent-input').value.trim();
      if (!text) return;
      $('agent-input').value = '';
      agent.send(text);
    });
    $('agent-abort').addEventListener('click', () => agent.abort());
    window.addEventListener('hashchange', route);
    window.setInterval(() => {
      if (current === 'health') health.refresh();
      if (current === 'issues') issues.load();
    }, 5000);
    route();
    feed.start();
    health.refresh();
  });
})();
