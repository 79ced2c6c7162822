'use strict';
/*
 * The dashboard's live events: the newest events, then every new one from an observer stream (watching
 * never consumes), their pending/consumed state, and the live indicator in the header.
 *
 * Every piece of text that comes from events is untrusted: it is only ever put into the page with
 * textContent, never parsed as HTML.
 */
window.sparkFeed = (() => {
  const FEED_LIMIT = 500;
  const { $, el, api, time, statusClass, messageOf } = window.sparkUi;
  // detail.js (the open event) loads after this file: window.sparkDetail is read only once the page runs.

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
            if (window.sparkDetail.id === id) $('d-state').textContent = 'consumed';
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

  return feed;
})();
