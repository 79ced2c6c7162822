'use strict';
/*
 * The dashboard's Alerts view: the alert rules, the targets (each with a Send test button) and the
 * newest deliveries.
 *
 * Every piece of text that comes from events, a configuration or a server is untrusted: it is only ever
 * put into the page with textContent, never parsed as HTML.
 */
window.sparkAlerts = (() => {
  const { $, el, clear, api, time } = window.sparkUi;

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

  return alerts;
})();
