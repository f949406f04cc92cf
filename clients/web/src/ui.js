// Small DOM helpers shared by the pages.

// h('a', {href: '#/x', class: 'c'}, 'text', child): an element. Attributes
// starting with "on" are listeners; null/false attributes are left out.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const fmt1 = (x) => Number(x).toFixed(1);
export const fmtSigned = (x) => (x > 0 ? '+' : x < 0 ? '\u2212' : '\u00b1') + Math.abs(x).toFixed(1);
export const pct = (x, digits = 1) => `${(100 * x).toFixed(digits)}%`;
export const day = (ts) => (ts ? String(ts).slice(0, 10) : '');

// The trend arrow of a change: its symbol and a label a screen reader reads.
export function arrow(change, since) {
  const c = Number(change);
  const word = c <= -0.05 ? 'down' : c >= 0.05 ? 'up' : 'steady';
  const symbol = { down: '\u2193', up: '\u2191', steady: '\u2192' }[word];
  const label = word === 'steady' ? `steady since ${since}` : `${word} ${Math.abs(c).toFixed(1)} points since ${since}`;
  return h('span', { class: `arrow ${word}`, 'aria-label': label, title: label }, symbol, ' ', fmtSigned(c));
}

export function bandBadge(band, grade) {
  return h('span', { class: `badge band-${band}` }, band, grade ? ` ${grade}` : '');
}

// A table: caption, header cells and rows (arrays of cells or {cells, attrs}).
export function table({ caption, head, rows, attrs = {} }) {
  return h('table', attrs,
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => {
      const { cells, attrs: rowAttrs } = Array.isArray(r) ? { cells: r, attrs: {} } : r;
      return h('tr', rowAttrs, cells.map((c) => (c instanceof Node && c.tagName === 'TH' ? c : h('td', {}, c))));
    })));
}

// A table row that opens `href` on a click or on Enter, reachable with Tab.
export function linkRow(href, label) {
  return {
    tabindex: 0,
    class: 'link-row',
    'aria-label': label,
    onclick: (e) => { if (!e.target.closest('a,button')) location.hash = href; },
    onkeydown: (e) => { if (e.key === 'Enter' && e.target === e.currentTarget) location.hash = href; },
  };
}

// Colors of the default bands; other band names get a palette color.
const palette = ['#1565c0', '#6a1b9a', '#00838f', '#ef6c00', '#5d4037'];
export function bandColor(name, i = 0) {
  return { green: '#2e7d32', yellow: '#b8860b', red: '#c62828' }[name] || palette[i % palette.length];
}

let statusTimer;
// Announces a short message to screen readers (the polite live region).
export function announce(text) {
  const s = document.getElementById('status');
  s.textContent = text;
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => { s.textContent = ''; }, 5000);
}

// Shows an API error: what was asked, the gRPC status and the server's message.
export function showError(err) {
  const box = document.getElementById('error');
  fill(box,
    h('strong', {}, err.request ? `${err.request} failed: ` : 'Error: '),
    err.status ? h('span', { class: 'error-status' }, `${err.status}: `) : null,
    h('span', { class: 'error-message' }, err.message),
    ' ',
    h('button', { type: 'button', class: 'link', onclick: clearError }, 'Dismiss'));
  box.hidden = false;
  if (!err.request) console.error(err);
}

export function clearError() {
  const box = document.getElementById('error');
  box.hidden = true;
  box.replaceChildren();
}

// A "Loading ..." placeholder a page replaces.
export const loading = (what) => h('p', { class: 'loading', role: 'status' }, `Loading ${what}\u2026`);

// el.replaceChildren without the null/false placeholders of conditional parts.
export function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}
