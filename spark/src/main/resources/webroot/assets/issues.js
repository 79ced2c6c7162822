'use strict';
/*
 * The dashboard's Issues view: errors grouped by fingerprint, with a sparkline per issue, Resolve / Mute
 * / Reopen and links to the issue's fixes.
 *
 * Every piece of text that comes from events is untrusted: it is only ever put into the page with
 * textContent (or drawn on a canvas), never parsed as HTML.
 */
window.sparkIssues = (() => {
  const { $, el, clear, api, query, time, num } = window.sparkUi;

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

  return issues;
})();
