'use strict';
/*
 * Spark's dashboard: routing between the views (the part of the address after #) and the start of the
 * page. Plain JavaScript, no build step, no third-party code. The helpers are in ui.js, each view in a
 * file of its own (alerts.js, feed.js, detail.js, access.js, issues.js, health.js, agent.js, fixes.js).
 *
 * Every piece of text that comes from events or access logs is untrusted: it is only ever put into
 * the page with textContent (or drawn on a canvas), never parsed as HTML.
 */
(() => {
  const { $ } = window.sparkUi;
  const alerts = window.sparkAlerts;
  const feed = window.sparkFeed;
  const detail = window.sparkDetail;
  const access = window.sparkAccess;
  const issues = window.sparkIssues;
  const health = window.sparkHealth;
  const agent = window.sparkAgent;

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
