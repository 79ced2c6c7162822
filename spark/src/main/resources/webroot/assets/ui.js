'use strict';
/*
 * Spark's dashboard: the helpers every view shares (window.sparkUi). Plain JavaScript, no build step,
 * no third-party code. The views are alerts.js, feed.js, detail.js, access.js, issues.js, health.js,
 * agent.js and fixes.js; app.js routes between them and starts the page.
 *
 * Every piece of text that comes from events or access logs is untrusted: it is only ever put into
 * the page with textContent (or drawn on a canvas), never parsed as HTML.
 */
window.sparkUi = (() => {
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

  function facts(dl, pairs) {
    clear(dl);
    for (const [k, v] of pairs) {
      dl.appendChild(el('dt', k));
      dl.appendChild(el('dd', v));
    }
  }

  return { $, el, clear, api, query, time, bytes, num, statusClass, messageOf, facts };
})();
