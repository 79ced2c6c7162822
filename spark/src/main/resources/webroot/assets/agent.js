'use strict';
/*
 * The dashboard's Agent view: the coding agent's console (its state and transcript, live) and what you
 * send it.
 *
 * The transcript is untrusted text (the model wrote it, from untrusted events): it is only ever put into
 * the page with textContent, never parsed as HTML.
 */
window.sparkAgent = (() => {
  const { $, el, clear, api } = window.sparkUi;

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

  return agent;
})();
