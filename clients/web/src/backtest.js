// The backtest of the active scorecard against the recorded outcomes: how
// well the score separates customers who churned within the horizon (ROC)
// and how often each band churned.
import { api, int, query } from './api.js';
import { rocChart } from './charts.js';
import { bandBadge, fmt1, h, loading, pct, table } from './ui.js';

export async function backtestPage(view, { params, live }) {
  const horizon = Number(params.get('horizon') || 90);
  const form = h('form', {
    class: 'toolbar',
    onsubmit: (e) => {
      e.preventDefault();
      location.hash = `#/backtest${query({ horizon: e.target.horizon.value })}`;
    },
  },
  h('label', { for: 'horizon' }, 'Horizon (days)'),
  h('input', { id: 'horizon', name: 'horizon', type: 'number', min: 1, max: 3660, value: horizon, required: true }),
  h('button', { type: 'submit' }, 'Run'));
  view.append(h('h1', {}, 'Backtest'), form,
    h('p', { class: 'muted' }, 'Replays the recorded inputs under the active scorecard and labels a point churned when its customer churned within the horizon after it. '
      + 'It needs outcomes: healthscore outcomes import --csv build/sample/outcomes.csv (docs/validation.md).'),
    loading('the backtest (a few seconds)'));
  const r = await api('/v1/backtest', { method: 'POST', body: { horizonDays: horizon } });
  if (!live()) return;
  const a = r.active;
  const m = a.metrics;
  view.querySelector('.loading').remove();
  const rocEl = h('div', { class: 'chart', id: 'roc-chart', 'data-points': a.roc.length });
  view.append(
    h('p', { class: 'headline', id: 'backtest-summary' },
      `${a.scorecardName} ${a.scorecardVersion}: ${int(a.points)} points of ${int(a.customers)} customers, ${int(a.churnedCustomers)} churned; `,
      `AUC `, h('strong', { id: 'auc', 'data-value': m.aucRoc }, m.aucRoc.toFixed(3)),
      `, PR-AUC ${m.prAuc.toFixed(3)}, top-decile lift ${m.topDecileLift.toFixed(2)}x, Brier ${m.brier.toFixed(3)}; `,
      `a churner's first red point came a median ${fmt1(a.medianLeadDays)} days before it left (${int(a.leadCustomers)} customers).`),
    h('div', { class: 'grid2' },
      h('section', { 'aria-labelledby': 'roc-h', class: 'card' },
        h('h2', { id: 'roc-h' }, `ROC curve (${horizon}-day horizon)`), rocEl),
      h('section', { 'aria-labelledby': 'churn-h', class: 'card' },
        h('h2', { id: 'churn-h' }, 'Churn per band'),
        h('p', {}, a.bandsOrdered ? 'The bands are ordered: each worse band churned more.' : 'The bands are NOT ordered: a better band churned more than a worse one.'),
        a.bands.map((b) => h('div', { class: 'hbar', 'aria-hidden': 'true' },
          h('span', { class: 'hbar-label' }, b.name),
          h('span', { class: `hbar-fill band-${b.name}`, style: `width:${Math.min(100, 250 * b.rate)}%` }),
          h('span', {}, pct(b.rate)))),
        table({
          caption: 'Points per band, how many churned within the horizon, and the rate with its 95% Wilson interval',
          attrs: { id: 'churn-bands' },
          head: ['Band', 'Points', 'Churned', 'Rate', '95% interval'],
          rows: a.bands.map((b) => ({
            attrs: { 'data-band': b.name },
            cells: [bandBadge(b.name), String(int(b.points)), String(int(b.churned)),
              h('span', { class: 'rate', 'data-value': b.rate }, pct(b.rate)), `${pct(b.wilsonLow)}\u2013${pct(b.wilsonHigh)}`],
          })),
        }))));
  rocChart(rocEl, a.roc, `ROC curve with AUC ${m.aucRoc.toFixed(3)} over ${a.roc.length} points; the AUC above sums it up`);
  view.dataset.state = 'ready';
}
