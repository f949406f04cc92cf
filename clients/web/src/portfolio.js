// The portfolio at a glance: band distribution now and over time (by
// segment), the at-risk list and the biggest movers.
import { api, int, query } from './api.js';
import { timeChart } from './charts.js';
import { arrow, bandBadge, bandColor, day, fill, fmt1, fmtSigned, h, linkRow, loading, pct, table } from './ui.js';

const DAY = 86400e3;
const HISTORY_STEPS = 13;   // the distribution every 4 weeks over a year
const STEP_DAYS = 28;
const AT_RISK_PAGE = 20;

export async function portfolioPage(view, { params, live }) {
  const segment = params.get('segment') || '';
  view.append(h('h1', {}, 'Portfolio'), loading('the portfolio'));

  // "Now" is pinned by the first answer: every other figure is at that time.
  const now = await api('/v1/portfolio');
  if (!live()) return;
  const asOf = now.current.asOf;
  const at = Date.parse(asOf);
  const lookbackDays = 90;  // GetPortfolio's and ListMovers' default
  const figures = now.current.figures;
  const segments = figures.slice(1).map((f) => f.segment);
  const pick = (resp) => resp.figures.find((f) => f.segment === segment) || { customers: 0, bands: [], grades: [], meanScore: 0 };
  const cur = pick(now.current);
  const prev = pick(now.previous);
  const bands = (figures[0].bands || []).map((b) => b.name);
  const worst = bands[bands.length - 1];

  fill(view, 
    h('h1', {}, 'Portfolio'),
    h('div', { class: 'toolbar' },
      h('label', { for: 'segment' }, 'Segment'),
      h('select', {
        id: 'segment',
        onchange: (e) => { location.hash = `#/portfolio${query({ segment: e.target.value })}`; },
      },
      h('option', { value: '' }, 'All segments'),
      segments.map((s) => h('option', { value: s, selected: s === segment }, s))),
      h('span', { class: 'muted', id: 'as-of', 'data-as-of': asOf },
        `As of ${asOf.replace('T', ' ').slice(0, 16)} UTC; a customer counts at its newest point in the ${lookbackDays} days before.`)),
  );

  // Band distribution now, against one window earlier.
  const prevCount = (name) => int((prev.bands.find((b) => b.name === name) || {}).count);
  view.append(h('section', { 'aria-labelledby': 'dist-h', class: 'card' },
    h('h2', { id: 'dist-h' }, `Bands now: ${int(cur.customers)} customers, mean score ${fmt1(cur.meanScore)}`),
    stackedBar(cur.bands),
    table({
      caption: `Customers per band on ${day(asOf)}, and the change since ${day(now.previous.asOf)}`,
      attrs: { id: 'bands-now' },
      head: ['Band', 'Customers', 'Share', `Change since ${day(now.previous.asOf)}`],
      rows: cur.bands.map((b) => ({
        attrs: { 'data-band': b.name },
        cells: [bandBadge(b.name), h('span', { class: 'count' }, String(int(b.count))), pct(b.share),
          signedInt(int(b.count) - prevCount(b.name))],
      })),
    })));

  // Over time: one GetPortfolio per 4 weeks (all segments come in each answer).
  const overTime = h('section', { 'aria-labelledby': 'time-h', class: 'card' },
    h('h2', { id: 'time-h' }, 'Bands over the last year'), loading('the distribution over time'));
  const atRisk = h('section', { 'aria-labelledby': 'risk-h', class: 'card' },
    h('h2', { id: 'risk-h' }, `At risk: the ${worst} band`), loading('the at-risk customers'));
  const movers = h('section', { 'aria-labelledby': 'movers-h', class: 'card' },
    h('h2', { id: 'movers-h' }, 'Biggest drops in the last 30 days'), loading('the movers'));
  view.append(h('div', { class: 'grid2' }, overTime, movers), atRisk);

  const dates = [];
  for (let i = HISTORY_STEPS - 1; i >= 1; --i) dates.push(new Date(at - i * STEP_DAYS * DAY).toISOString());
  const from30 = new Date(at - 30 * DAY).toISOString();
  // The at-risk list: GetPortfolio's at_risk (the lowest band at the same
  // time, lowest score first, each with its change over the 30-day window
  // and what costs it most now).
  const [history, drops, risky] = await Promise.all([
    Promise.all(dates.map((d) => api(`/v1/portfolio${query({ as_of: d })}`))),
    api(`/v1/movers${query({ from: from30, to: asOf, segment, limit: 10 })}`),
    api(`/v1/portfolio${query({ as_of: asOf, segment, at_risk_limit: 1000 })}`),
  ]);
  if (!live()) return;

  // Over time.
  const series = [...history.map((r) => r.current), now.current];
  const xs = series.map((p) => p.asOf);
  const counts = (name) => series.map((p) => int((pick(p).bands.find((b) => b.name === name) || {}).count));
  const chartEl = h('div', { class: 'chart', id: 'bands-chart' });
  fill(overTime, overTime.firstChild, chartEl,
    h('details', {}, h('summary', {}, 'The same figures as a table'),
      table({
        caption: 'Customers per band every 4 weeks',
        head: ['Date', ...bands],
        rows: series.map((p) => [day(p.asOf), ...bands.map((b) => String(int((pick(p).bands.find((x) => x.name === b) || {}).count)))]),
      })));
  timeChart(chartEl, {
    xs,
    series: bands.map((b, i) => ({ label: b, values: counts(b), color: bandColor(b, i) })),
    height: 240,
    label: `Customers per band every 4 weeks from ${day(xs[0])} to ${day(xs[xs.length - 1])}; the table below has the figures`,
  });

  // Movers.
  fill(movers, movers.firstChild, drops.movers.length === 0
    ? h('p', {}, 'No customer dropped in the last 30 days.')
    : table({
      caption: `The ${drops.movers.length} biggest drops from ${day(from30)} to ${day(asOf)}, of ${int(drops.compared)} customers compared`,
      attrs: { id: 'movers' },
      head: ['Customer', 'Score', 'Change', 'Top cause'],
      rows: drops.movers.map((m) => ({
        attrs: { ...linkRow(`#/customer/${encodeURIComponent(m.customerId)}`, `${m.customerId}: ${fmtSigned(m.change)} points`), 'data-customer': m.customerId },
        cells: [h('a', { href: `#/customer/${encodeURIComponent(m.customerId)}` }, m.customerId),
          h('span', {}, `${fmt1(m.scoreBefore)} \u2192 ${fmt1(m.scoreAfter)} `, bandBadge(m.bandAfter)),
          arrow(m.change, day(from30)), m.topCause],
      })),
    }));

  // At risk: the customers in the worst band now, lowest score first.
  const risk = risky.atRisk || [];
  const inBand = int(risky.atRiskTotal);
  let shown = 0;
  const body = h('tbody');
  const more = h('button', { type: 'button', onclick: () => showMore() }, 'Show more');
  const showMore = () => {
    for (const m of risk.slice(shown, shown + AT_RISK_PAGE)) {
      const href = `#/customer/${encodeURIComponent(m.customerId)}`;
      body.append(h('tr', { ...linkRow(href, `${m.customerId}, score ${fmt1(m.score)}`), 'data-customer': m.customerId },
        h('td', {}, h('a', { href }, m.customerId)),
        h('td', {}, m.segment),
        h('td', { class: 'num score', 'data-value': m.score }, fmt1(m.score)),
        h('td', {}, m.hasPrevious ? arrow(m.change, day(from30)) : h('span', { class: 'muted' }, 'new')),
        h('td', {}, m.topReason || '')));
    }
    shown = Math.min(risk.length, shown + AT_RISK_PAGE);
    more.hidden = shown >= risk.length;
    countLine.textContent = `Showing ${shown} of ${inBand}.`;
  };
  const countLine = h('span', { class: 'muted', 'aria-live': 'polite' });
  fill(atRisk, atRisk.firstChild,
    h('p', { class: 'muted' },
      `${inBand} customers are ${worst} now, lowest score first; the arrow is the change since ${day(from30)} `
      + '("new" without a point then), and the top cause what costs the score most now: the dimension losing the most points, or a critical gate.'
      + (risk.length < inBand ? ` The first ${risk.length} are listed.` : '')),
    h('table', { id: 'at-risk' },
      h('caption', {}, `Customers in the ${worst} band, lowest score first`),
      h('thead', {}, h('tr', {}, ['Customer', 'Segment', 'Score', 'Trend', 'Top cause'].map((c) => h('th', { scope: 'col' }, c)))),
      body),
    h('p', {}, countLine, ' ', more));
  showMore();
  view.dataset.state = 'ready';
}

function signedInt(n) {
  return n > 0 ? `+${n}` : n < 0 ? `\u2212${-n}` : '0';
}

function stackedBar(buckets) {
  return h('div', { class: 'stack', 'aria-hidden': 'true' },
    buckets.filter((b) => b.share > 0).map((b, i) => h('div', {
      class: 'seg',
      style: `flex:${b.share};background:${bandColor(b.name, i)}`,
      title: `${b.name} ${pct(b.share)}`,
    }, b.share > 0.06 ? `${b.name} ${pct(b.share, 0)}` : '')));
}
