// A customer: the timeline (chart and table), why the score changed between
// two chosen points (ExplainChange), the newest point's dimensions, the
// drivers and actions of its current score, and an override if one is set.
import { api, query } from './api.js';
import { timeChart } from './charts.js';
import { announce, arrow, bandBadge, day, fill, fmt1, fmtSigned, h, loading, pct, table } from './ui.js';

const STATUS = {
  DIMENSION_STATUS_OK: 'ok',
  DIMENSION_STATUS_INSUFFICIENT_DATA: 'insufficient data',
  DIMENSION_STATUS_FAILED: 'failed',
};

export async function customerPage(view, { live }, id) {
  view.append(h('h1', {}, id), loading('the history'));
  const path = `/v1/customers/${encodeURIComponent(id)}`;
  const [hist, overrides] = await Promise.all([
    api(`${path}/history${query({ page_size: 1000 })}`),
    api('/healthscore.v1.Overrides/ListOverrides', { method: 'POST', body: { customerId: id } }),
  ]);
  if (!live()) return;
  const points = [...hist.points].reverse();  // oldest first, for the chart
  const latest = hist.points[0];

  const override = overrides.overrides[0];
  fill(view, 
    h('h1', {}, id, ' ', h('span', { class: 'muted' }, latest.segment)),
    h('p', { class: 'headline' },
      'Score ', h('strong', { id: 'latest-score', 'data-value': latest.score }, fmt1(latest.score)), ' ',
      bandBadge(latest.band, latest.grade), ` on ${day(latest.asOf)}`,
      latest.trend && latest.trend.hasPrevious ? [' ', arrow(latest.trend.change, day(latest.trend.previousAsOf))] : null,
      `; coverage ${pct(latest.coverage, 0)}; ${hist.points.length} points${hist.nextPageToken ? ' (the newest 1000)' : ''}.`),
    override ? h('p', { class: 'override', id: 'override', role: 'note' },
      h('strong', {}, 'Override: '),
      override.score !== undefined ? `score ${fmt1(override.score)}` : '',
      override.band ? ` band ${override.band}` : '',
      ` by ${override.author} on ${day(override.setAt)}: ${override.reason}`,
      override.expiresAt ? ` (until ${day(override.expiresAt)})` : ' (until cleared)',
      '. The history below keeps the computed scores.') : null,
  );

  // The timeline: a chart (click a point) and a table (Tab to a row, Enter
  // or Space), which choose the same two points.
  const selected = [];
  const chartEl = h('div', { class: 'chart', id: 'timeline-chart' });
  const rows = new Map();
  const tbody = h('tbody');
  points.slice().reverse().forEach((p) => {
    const i = points.indexOf(p);
    const tr = h('tr', {
      tabindex: 0,
      class: 'pick-row',
      'aria-selected': 'false',
      'data-index': i,
      'data-as-of': p.asOf,
      onclick: () => toggle(i),
      onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(i); } },
    },
    h('td', {}, day(p.asOf)),
    h('td', { class: 'num' }, fmt1(p.score)),
    h('td', {}, bandBadge(p.band, p.grade)),
    h('td', { class: 'num' }, p.trend && p.trend.hasPrevious ? fmtSigned(p.trend.change) : ''));
    rows.set(i, tr);
    tbody.append(tr);
  });
  const why = h('section', { 'aria-labelledby': 'why-h', class: 'card', id: 'why' },
    h('h2', { id: 'why-h' }, 'Why it changed'),
    h('p', { class: 'muted', id: 'why-hint' }, 'Choose two points, on the chart or in the table, to see the change between them attributed to dimensions, signals and rules.'));
  view.append(h('section', { 'aria-labelledby': 'timeline-h', class: 'card' },
    h('h2', { id: 'timeline-h' }, 'Timeline'),
    h('div', { class: 'timeline' },
      chartEl,
      h('div', { class: 'points' },
        h('table', { id: 'points', role: 'grid', 'aria-multiselectable': 'true' },
          h('caption', {}, 'Points, newest first: Enter or Space chooses one'),
          h('thead', {}, h('tr', {}, ['Date', 'Score', 'Band', 'Change'].map((c) => h('th', { scope: 'col' }, c)))),
          tbody)))),
  why);
  const chart = timeChart(chartEl, {
    xs: points.map((p) => p.asOf),
    series: [{ label: 'score', values: points.map((p) => p.score), color: '#1565c0' }],
    yRange: [0, 100],
    height: 300,
    highlight: () => selected,
    onPick: (i) => toggle(i),
    label: `${id}'s score over ${points.length} points from ${day(points[0].asOf)} to ${day(latest.asOf)}; the table beside lists them`,
  });

  async function toggle(i) {
    const at = selected.indexOf(i);
    if (at >= 0) selected.splice(at, 1);
    else {
      selected.push(i);
      if (selected.length > 2) selected.shift();
    }
    for (const [j, tr] of rows) tr.setAttribute('aria-selected', String(selected.includes(j)));
    chart.redraw(false);
    if (selected.length < 2) {
      announce(`${day(points[i].asOf)} ${at >= 0 ? 'unchosen' : 'chosen'}; choose ${2 - selected.length} more`);
      return;
    }
    const [a, b] = [...selected].sort((x, y) => x - y);
    await explain(points[a], points[b]);
  }

  async function explain(a, b) {
    why.dataset.state = 'loading';
    fill(why, why.firstChild, loading('the explanation'));
    let r;
    try {
      r = await api(`${path}/why${query({ from: a.asOf, to: b.asOf })}`);
    } catch (err) {
      fill(why, why.firstChild, h('p', { class: 'error', role: 'alert' }, `${err.status}: ${err.message}`));
      why.dataset.state = 'error';
      return;
    }
    if (!live()) return;
    fill(why, why.firstChild,
      h('p', { class: 'headline', id: 'why-delta', 'data-value': r.delta },
        `${day(r.before.asOf)} \u2192 ${day(r.after.asOf)}: ${fmtSigned(r.delta)} points `,
        `(${fmt1(r.before.score)} \u2192 ${fmt1(r.after.score)})`,
        Math.abs(r.scorecardChange) > 1e-9 ? `; ${fmtSigned(r.scorecardChange)} from the scorecard, ${fmtSigned(r.dataChange)} from the data` : ''),
      h('ol', { id: 'why-summary', class: 'summary' }, r.summary.map((s) => h('li', {}, s))),
      h('div', { class: 'grid2' },
        table({
          caption: 'By dimension (the parts sum to the change)',
          attrs: { id: 'why-dimensions' },
          head: ['Dimension', 'Score', 'Change', 'From its score', 'From its weight'],
          rows: r.dimensions.map((d) => ({
            attrs: { 'data-dimension': d.dimension, 'data-change': d.change },
            cells: [d.dimension, `${fmt1(d.scoreBefore)} \u2192 ${fmt1(d.scoreAfter)}`,
              h('span', { class: 'num change' }, fmtSigned(d.change)), fmtSigned(d.fromScore), fmtSigned(d.fromWeight)],
          })).concat(Math.abs(r.gatesChange) >= 0.05 ? [{ attrs: { 'data-dimension': 'gates', 'data-change': r.gatesChange }, cells: ['critical gates', '', fmtSigned(r.gatesChange), '', ''] }] : []),
        }),
        h('div', {},
          table({
            caption: 'By input signal (biggest first)',
            attrs: { id: 'why-signals' },
            head: ['Signal', 'Before', 'After', 'Points'],
            rows: r.signals.slice(0, 10).map((s) => [s.signal, s.before ?? 'missing', s.after ?? 'missing', fmtSigned(s.points)]),
          }),
          r.rules.length ? h('details', {}, h('summary', {}, `${r.rules.length} rules fired, cleared or changed`),
            h('ul', { class: 'rules' }, r.rules.map((x) => h('li', {}, x.message)))) : null)));
    why.dataset.state = 'ready';
    announce(`Explained the change from ${day(r.before.asOf)} to ${day(r.after.asOf)}: ${fmtSigned(r.delta)} points`);
  }

  // The newest point's dimensions.
  view.append(h('section', { 'aria-labelledby': 'dims-h', class: 'card' },
    h('h2', { id: 'dims-h' }, `Dimensions on ${day(latest.asOf)}`),
    table({
      caption: 'Each dimension\'s score, its share of the total after missing weight is shared out, and the points it added and cost',
      attrs: { id: 'dimensions' },
      head: ['Dimension', 'Status', 'Score', 'Share', 'Contribution', 'Points lost'],
      rows: [...latest.dimensions].sort((x, y) => pointsLost(y) - pointsLost(x)).map((d) => [
        d.name, STATUS[d.status] || d.status, d.status === 'DIMENSION_STATUS_OK' ? fmt1(d.score) : '',
        pct(d.effectiveWeight, 0), fmt1(d.contribution), fmt1(pointsLost(d))]),
    }),
    latest.gates.length ? h('ul', { 'aria-label': 'Critical gates' }, latest.gates.map((g) => h('li', {}, g.message))) : null));

  // Drivers and actions: the current score explained in full, which the
  // path-to-green answer carries (its inputs are the newest recorded ones).
  const drivers = h('section', { 'aria-labelledby': 'drivers-h', class: 'card', id: 'drivers' },
    h('h2', { id: 'drivers-h' }, 'Drivers and actions'), loading('the drivers'));
  view.append(drivers);
  view.dataset.state = 'ready';
  let path2;
  try {
    path2 = await api('/healthscore.v1.Validation/PathToGreen', { method: 'POST', body: { customer: { customerId: id } } });
  } catch (err) {
    if (live()) fill(drivers, drivers.firstChild, h('p', { class: 'error', role: 'alert' }, `${err.status}: ${err.message}`));
    return;
  }
  if (!live()) return;
  const c = path2.current;
  const list = (label, items, id2) => h('div', {},
    h('h3', { id: id2 }, label),
    items.length ? h('ul', { 'aria-labelledby': id2 }, items) : h('p', { class: 'muted' }, 'None.'));
  fill(drivers, drivers.firstChild,
    c.override ? h('p', { class: 'override', role: 'note' },
      `Computed ${fmt1(c.override.computedScore)} (${c.override.computedBand}); shown ${fmt1(c.score)} (${c.band}) by ${c.override.author}'s override: ${c.override.reason}.`) : null,
    h('div', { class: 'grid3' },
      list('Pulling it down', c.topDriversDown.map((d) => h('li', {}, h('span', { class: 'num neg' }, fmtSigned(d.impact)), ` ${d.dimension}: ${d.message}`)), 'down-h'),
      list('Holding it up', c.topDriversUp.map((d) => h('li', {}, h('span', { class: 'num pos' }, fmtSigned(d.impact)), ` ${d.dimension}: ${d.message}`)), 'up-h'),
      h('div', {}, list('What to do', c.actions.slice(0, 5).map(action), 'actions-h'),
        c.actions.length > 5 ? h('details', {}, h('summary', {}, `${c.actions.length - 5} more actions`),
          h('ul', {}, c.actions.slice(5).map(action))) : null)),
    path2.alreadyBest ? null : h('p', {},
      h('strong', {}, `Path to ${path2.targetBand}: `),
      path2.moves.length
        ? path2.moves.map((m) => `${m.signal} ${m.wasMissing ? 'missing' : m.from} \u2192 ${m.to} (${fmtSigned(m.points)})`).join('; ')
        : path2.note || 'none found'));
}

const action = (a) => h('li', {}, a.text,
  h('span', { class: 'muted' }, ` (${fmt1(a.pointsAtStake)} points at stake${a.dimension ? `, ${a.dimension}` : ''})`));

const pointsLost = (d) => d.effectiveWeight * (100 - d.score) * (d.status === 'DIMENSION_STATUS_OK' ? 1 : 0);
