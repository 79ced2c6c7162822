'use strict';
/*
 * The dashboard's Fixes view (app.js routes #fixes, #fixes/<id> and #fixes/issue/<fingerprint> here). A fix's diff, summary and
 * check output are untrusted text (the model wrote them, from untrusted events): they only ever go
 * into the page with textContent, one element per line, never parsed as HTML.
 */
window.sparkFixes = (() => {
  const $ = (id) => document.getElementById(id);
  let openId = null;
  /** The issue whose fixes alone are listed (#fixes/issue/<fingerprint>), or null for all. */
  let issueFilter = null;

  // ui.js's helpers (window.sparkUi; these run only once the page has loaded)
  const el = (...args) => window.sparkUi.el(...args);
  const clear = (node) => window.sparkUi.clear(node);
  const api = (path, options) => window.sparkUi.api(path, options);

  function notice(id, text, kind) {
    const n = $(id);
    n.hidden = !text;
    n.textContent = text || '';
    n.className = 'notice' + (kind ? ' ' + kind : '');
  }

  async function list() {
    try {
      const body = await api('/api/v1/fixes' + (issueFilter ? '?issue=' + encodeURIComponent(issueFilter) : ''));
      $('fixes-filter').hidden = !issueFilter;
      $('fixes-filter-fp').textContent = issueFilter || '';
      const tbody = $('fixes-table').tBodies[0];
      clear(tbody);
      for (const f of body.fixes) {
        const tr = el('tr');
        tr.dataset.id = f.id;
        tr.append(el('td', f.id), el('td', f.createdAt), el('td', f.status, 'fix-status-' + f.status), el('td', f.branch || '–', 'mono'),
          el('td', String(f.summary || '').split('\n')[0]));
        tr.addEventListener('click', () => { window.location.hash = 'fixes/' + f.id; });
        tbody.append(tr);
      }
      $('fixes-empty').hidden = body.fixes.length > 0;
      notice('fixes-error', '');
    } catch (e) {
      notice('fixes-error', 'Could not load the fixes: ' + e.message, 'error');
    }
  }

  /** The diff, one element per line: added lines green, removed red, hunk headers grey. */
  function diff(text) {
    const pre = $('fix-diff');
    clear(pre);
    for (const line of String(text || '').split('\n')) {
      let cls = null;
      if (line.startsWith('+') && !line.startsWith('+++')) cls = 'add';
      else if (line.startsWith('-') && !line.startsWith('---')) cls = 'del';
      else if (line.startsWith('@@')) cls = 'hunk';
      pre.append(cls ? el('span', line + '\n', cls) : document.createTextNode(line + '\n'));
    }
  }

  async function open(id) {
    openId = id;
    $('fix-detail').hidden = false;
    try {
      const f = await api('/api/v1/fixes/' + id);
      if (openId !== id) return;
      $('fix-id').textContent = '#' + f.id;
      $('fix-status').textContent = f.status;
      $('fix-branch').textContent = f.branch || '–';
      $('fix-issue').textContent = f.fingerprint || '–';
      $('fix-events').textContent = (f.events || []).map((e) => '#' + e).join(', ');
      $('fix-check').textContent = f.verify ? f.verify.command + ' → exit ' + f.verify.exitCode : 'none';
      $('fix-summary').textContent = f.summary || '';
      $('fix-tail').textContent = f.verify ? f.verify.tail : '';
      diff(f.diff);
      const open = ['verified', 'failed', 'unverified'].includes(f.status);
      $('fix-apply').disabled = !open;
      $('fix-discard').disabled = !open;
    } catch (e) {
      notice('fix-result', 'Could not load fix #' + id + ': ' + e.message, 'error');
    }
  }

  async function act(action) {
    const id = openId;
    if (id === null) return;
    $('fix-apply').disabled = true;
    $('fix-discard').disabled = true;
    try {
      const f = await api('/api/v1/fixes/' + id + '/' + action, { method: 'POST' });
      notice('fix-result', 'Fix #' + id + ' is now ' + f.status + '.', null);
    } catch (e) {
      notice('fix-result', 'Could not ' + action + ' fix #' + id + ': ' + e.message, 'error');
    }
    await list();
    await open(id);
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('fix-apply').addEventListener('click', () => act('apply'));
    $('fix-discard').addEventListener('click', () => act('discard'));
  });

  return {
    async show(id, issue) {
      if (issue !== undefined) issueFilter = issue;
      await list();
      if (id === null) {
        openId = null;
        $('fix-detail').hidden = true;
        notice('fix-result', '');
      } else {
        notice('fix-result', '');
        await open(id);
      }
    },
  };
})();
