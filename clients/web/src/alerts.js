// Open alerts, newest first, with a button to acknowledge each.
import { api, query } from './api.js';
import { announce, day, fill, fmt1, h, loading, showError } from './ui.js';

const PAGE = 50;
const SEVERITIES = ['', 'critical', 'high', 'medium', 'low'];

export async function alertsPage(view, { params, live }) {
  const severity = params.get('severity') || '';
  view.append(h('h1', {}, 'Open alerts'), loading('the alerts'));
  const first = await api(`/v1/alerts${query({ state: 'ALERT_STATE_OPEN', severity, page_size: PAGE })}`);
  if (!live()) return;

  const who = h('input', {
    id: 'who', name: 'who', autocomplete: 'name', required: true,
    value: localStorage.getItem('healthscore.who') || 'dashboard',
    onchange: (e) => localStorage.setItem('healthscore.who', e.target.value.trim()),
  });
  const body = h('tbody');
  const count = h('span', { class: 'muted', id: 'alert-count' });
  let token = first.nextPageToken;
  const more = h('button', { type: 'button', onclick: () => loadMore() }, 'Load more');

  const add = (alerts) => {
    for (const a of alerts) {
      const href = `#/customer/${encodeURIComponent(a.customerId)}`;
      const ack = h('button', {
        type: 'button', class: 'ack', 'aria-label': `Acknowledge alert ${a.id} on ${a.customerId}`,
        onclick: () => acknowledge(a, row, ack),
      }, 'Acknowledge');
      const row = h('tr', { 'data-alert-id': a.id },
        h('td', { class: 'num' }, a.id),
        h('td', {}, h('a', { href }, a.customerId)),
        h('td', {}, h('span', { class: `sev sev-${a.severity}` }, a.severity)),
        h('td', {}, a.ruleId),
        h('td', {}, a.message, a.action ? h('div', { class: 'muted' }, a.action) : null),
        h('td', { class: 'nowrap' }, day(a.openedAt)),
        h('td', { class: 'num' }, fmt1(a.scoreAtOpen)),
        h('td', {}, ack));
      body.append(row);
    }
    more.hidden = !token;
    count.textContent = `${body.children.length} shown${token ? '; more below' : ''}.`;
  };
  const loadMore = async () => {
    more.disabled = true;
    try {
      const r = await api(`/v1/alerts${query({ state: 'ALERT_STATE_OPEN', severity, page_size: PAGE, page_token: token })}`);
      token = r.nextPageToken;
      add(r.alerts);
    } catch (err) { showError(err); }
    more.disabled = false;
  };
  const acknowledge = async (a, row, button) => {
    const name = who.value.trim();
    if (!name) { who.focus(); announce('Say who acknowledges first'); return; }
    button.disabled = true;
    try {
      const r = await api(`/v1/alerts/${encodeURIComponent(a.id)}:acknowledge`, { method: 'POST', body: { who: name } });
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      count.textContent = `${body.children.length} shown${token ? '; more below' : ''}.`;
      announce(`Alert ${r.id} on ${r.customerId} acknowledged by ${r.acknowledgedBy}`);
      (next ? next.querySelector('button.ack') : who).focus();
    } catch (err) {
      button.disabled = false;
      showError(err);
    }
  };

  fill(view, 
    h('h1', {}, 'Open alerts'),
    h('div', { class: 'toolbar' },
      h('label', { for: 'severity' }, 'Severity'),
      h('select', { id: 'severity', onchange: (e) => { location.hash = `#/alerts${query({ severity: e.target.value })}`; } },
        SEVERITIES.map((s) => h('option', { value: s, selected: s === severity }, s || 'Any'))),
      h('label', { for: 'who' }, 'Acknowledge as'), who, count),
    first.alerts.length === 0 ? h('p', { id: 'no-alerts' }, 'No open alerts.') : null,
    h('table', { id: 'alerts', hidden: first.alerts.length === 0 },
      h('caption', {}, 'Open alerts, newest first'),
      h('thead', {}, h('tr', {}, ['Id', 'Customer', 'Severity', 'Rule', 'What was seen', 'Opened', 'Score then', ''].map((c) => h('th', { scope: 'col' }, c)))),
      body),
    h('p', {}, more));
  add(first.alerts);
  view.dataset.state = 'ready';
}
