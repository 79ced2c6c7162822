'use strict';
/*
 * The dashboard's Access logs view: the filters and window, the rows a page at a time (Older / Newer),
 * the per-route statistics and the chart of requests and errors per minute.
 *
 * Every piece of text that comes from access logs is untrusted: it is only ever put into the page with
 * textContent (or drawn on a canvas), never parsed as HTML.
 */
window.sparkAccess = (() => {
  const PAGE_SIZE = 50;
  const { $, el, clear, api, query, time, num, statusClass } = window.sparkUi;

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

  return access;
})();
