// Charts with uPlot (small, fast, canvas). Every chart has a text
// alternative next to it (a table), so the canvas is one way among two.
import uPlot from 'uplot';

const charts = new Set();
window.addEventListener('resize', () => {
  for (const u of charts) {
    if (!u.root.isConnected) { charts.delete(u); continue; }
    u.setSize({ width: widthOf(u.root.parentElement), height: u.height });
  }
});

const widthOf = (el) => Math.max(320, Math.floor(el.getBoundingClientRect().width) || 600);

// A chart over time: xs are RFC 3339 timestamps; series [{label, values,
// color}]. `highlight()` returns the indexes to ring (selected points);
// `onPick(i)` is called with the index under the cursor on a click.
export function timeChart(el, { xs, series, height = 260, yRange, highlight, onPick, label }) {
  const x = xs.map((t) => Date.parse(t) / 1000);
  const opts = {
    width: widthOf(el),
    height,
    // Half a step of room on each side, so the first and last points are
    // inside the plot (and can be clicked), not on its edges.
    scales: { x: { time: true, range: (u, min, max) => pad(min, max, x.length) }, y: yRange ? { range: yRange } : {} },
    series: [{}, ...series.map((s) => ({
      label: s.label,
      stroke: s.color,
      width: 2,
      points: { show: true, size: s.pointSize || 5, fill: s.color },
    }))],
    axes: [{}, { label: s0(series) }],
    cursor: { drag: { x: false, y: false }, points: { size: 9 } },
    legend: { live: true },
    hooks: {
      draw: [(u) => {
        if (!highlight) return;
        const ctx = u.ctx;
        ctx.save();
        ctx.lineWidth = 3 * devicePixelRatio;
        ctx.strokeStyle = '#111';
        for (const i of highlight()) {
          const cx = u.valToPos(u.data[0][i], 'x', true);
          const cy = u.valToPos(u.data[1][i], 'y', true);
          ctx.beginPath();
          ctx.arc(cx, cy, 8 * devicePixelRatio, 0, 2 * Math.PI);
          ctx.stroke();
        }
        ctx.restore();
      }],
    },
  };
  const u = new uPlot(opts, [x, ...series.map((s) => s.values)], el);
  finish(u, el, label);
  if (onPick) {
    u.over.style.cursor = 'pointer';
    u.over.addEventListener('click', () => {
      if (u.cursor.idx !== null && u.cursor.idx !== undefined) onPick(u.cursor.idx);
    });
  }
  return u;
}

function pad(min, max, n) {
  const half = n > 1 ? (max - min) / (n - 1) / 2 : 86400;
  return [min - half, max + half];
}

function s0(series) {
  return series.length === 1 ? series[0].label : 'customers';
}

// The ROC curve: false positive rate against true positive rate, with the
// diagonal of a score that separates nothing.
export function rocChart(el, roc, label) {
  const pts = [...roc].sort((a, b) => a.falsePositiveRate - b.falsePositiveRate || a.truePositiveRate - b.truePositiveRate);
  const x = pts.map((p) => p.falsePositiveRate);
  const opts = {
    width: Math.min(widthOf(el), 520),
    height: 360,
    scales: { x: { time: false, range: [0, 1] }, y: { range: [0, 1] } },
    series: [
      { label: 'false positive rate', value: (u, v) => (v == null ? '' : v.toFixed(3)) },
      { label: 'true positive rate', stroke: '#1565c0', width: 2, value: (u, v) => (v == null ? '' : v.toFixed(3)) },
      { label: 'chance', stroke: '#9e9e9e', dash: [6, 6], width: 1, points: { show: false } },
    ],
    axes: [{ label: 'false positive rate' }, { label: 'true positive rate' }],
    cursor: { drag: { x: false, y: false } },
  };
  const u = new uPlot(opts, [x, pts.map((p) => p.truePositiveRate), x], el);
  finish(u, el, label);
  return u;
}

function finish(u, el, label) {
  charts.add(u);
  el._uplot = u;  // the browser test finds the chart's points through it
  const canvas = u.root.querySelector('canvas');
  if (canvas) {
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', label);
  }
}
