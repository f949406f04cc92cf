// The dashboard in a real browser against the real server: Debian's chromium
// driven headless by playwright-core.
//   node test/browser_test.mjs <build dir>
// Starts <build>/bin/healthscore-server on free loopback ports (gRPC and HTTP
// on port 0, the ports read from its log) with a SQLite history in a temp
// dir and --http-static-dir=<build>/web; records the whole sample timeline
// and the outcomes with <build>/bin/healthscore; then checks that the pages
// show what the API answers, clicks through to a customer and two of its
// points, acknowledges an alert, and saves screenshots under
// <build>/web-test/screenshots/. Every wait is on a selector, a response or
// a log line; a timeout only bounds how long a failure takes to show.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');
const build = resolve(process.argv[2] || join(repo, 'build'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const READY_MS = 60_000;  // bounds a failing start, never a wait that passes
const shots = join(build, 'web-test', 'screenshots');

function need(path, what) {
  if (!existsSync(path)) {
    console.error(`browser_test: ${path} is missing: ${what}`);
    process.exit(2);
  }
}
need(join(build, 'bin', 'healthscore-server'), 'build the server (cmake --build build)');
need(join(build, 'bin', 'healthscore'), 'build the CLI (cmake --build build --target healthscore)');
need(join(build, 'web', 'index.html'), 'build the dashboard (cmake --build build --target dashboard)');
need(join(build, 'sample', 'timeline.csv'), 'build the sample data (cmake --build build --target sample_data)');
need(join(build, 'sample', 'outcomes.csv'), 'build the sample data (cmake --build build --target sample_data)');
need(CHROMIUM, 'install Debian\'s chromium (scripts/setup does: apt-get install chromium)');

// The server, its two addresses learnt from its log.
function startServer(dir) {
  const proc = spawn(join(build, 'bin', 'healthscore-server'), [
    '--listen=127.0.0.1:0', '--admin-listen=', '--watch-config=false',
    `--store=sqlite:${join(dir, 'history.db')}`,
    `--config=${join(repo, 'scorecards', 'default.yaml')}`,
    `--plugin-dir=${join(build, 'plugins')}`,
    '--http-listen=127.0.0.1:0', `--http-static-dir=${join(build, 'web')}`,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = [];
  const ready = new Promise((resolveReady, reject) => {
    let http = null;
    let buffered = '';
    const onData = (chunk) => {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        log.push(line);
        const dash = line.match(/and the dashboard on (http:\/\/127\.0\.0\.1:\d+\/)/);
        if (dash) http = dash[1];
        const grpc = line.match(/ready on (127\.0\.0\.1:\d+);/);
        if (grpc) {
          if (!http) reject(new Error(`the server did not log the dashboard's address:\n${log.join('\n')}`));
          resolveReady({ grpc: grpc[1], http });
        }
      }
    };
    proc.stdout.setEncoding('utf8').on('data', onData);
    proc.stderr.setEncoding('utf8').on('data', onData);
    proc.on('exit', (code) => reject(new Error(`the server exited (${code}) before it was ready:\n${log.join('\n')}`)));
    setTimeout(() => reject(new Error(`the server was not ready after ${READY_MS / 1000} s:\n${log.join('\n')}`)), READY_MS).unref();
  });
  return { proc, log, ready };
}

function cli(grpc, args) {
  const r = spawnSync(join(build, 'bin', 'healthscore'), [`--target=${grpc}`, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const fmt1 = (x) => Number(x).toFixed(1);
const fmtSigned = (x) => (x > 0 ? '+' : x < 0 ? '\u2212' : '\u00b1') + Math.abs(x).toFixed(1);

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'hs-dashboard-'));
  mkdirSync(shots, { recursive: true });
  const server = startServer(dir);
  let browser;
  const t0 = Date.now();
  const step = (what) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)} s] ${what}`);
  try {
    const { grpc, http } = await server.ready;
    step(`server: gRPC ${grpc}, dashboard ${http}`);

    // The whole sample timeline (1000 customers x 52 weeks; the rows without
    // any data are refused, so the import exits 1 and says how many), then
    // what became of each customer, for the backtest.
    const imp = cli(grpc, ['import', `--csv=${join(build, 'sample', 'timeline.csv')}`]);
    const rows = Number((imp.out.match(/rows read\s+(\d+)/) || [])[1]);
    const recorded = Number((imp.out.match(/recorded\s+(\d+)/) || [])[1]);
    const errors = Number((imp.out.match(/errors\s+(\d+)/) || [0, 0])[1]);
    assert.ok(imp.code === 0 || imp.code === 1, `import failed (${imp.code}):\n${imp.out}\n${imp.err}`);
    assert.ok(recorded > 0 && recorded + errors === rows, `import: ${imp.out}`);
    step(`imported ${recorded} of ${rows} points (${errors} rows without data refused)`);
    const out = cli(grpc, ['outcomes', 'import', `--csv=${join(build, 'sample', 'outcomes.csv')}`]);
    assert.equal(out.code, 0, `outcomes import failed:\n${out.out}\n${out.err}`);
    step(out.out.trim());

    const get = async (path, init) => {
      const res = await fetch(new URL(path, http), init);
      const json = await res.json();
      assert.ok(res.ok, `${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    // --- Portfolio: band counts and the at-risk list equal the API's.
    await page.goto(http);
    await page.waitForSelector('.page[data-state="ready"] #at-risk tbody tr');
    const asOf = await page.getAttribute('#as-of', 'data-as-of');
    const portfolio = await get(`/v1/portfolio?as_of=${encodeURIComponent(asOf)}`);
    const all = portfolio.current.figures[0];
    assert.equal(all.segment, '');
    assert.ok(Number(all.customers) > 0, 'the portfolio is empty');
    for (const b of all.bands) {
      assert.equal(await page.textContent(`#bands-now tr[data-band="${b.name}"] .count`), String(Number(b.count)),
        `band ${b.name}: the page's count differs from GET /v1/portfolio`);
    }
    const bands = all.bands.map((b) => b.name);
    const worst = bands[bands.length - 1];
    const riskRows = await page.$$eval('#at-risk tbody tr', (trs) => trs.map((tr) => ({
      id: tr.dataset.customer, score: tr.querySelector('.score').textContent,
    })));
    assert.ok(riskRows.length >= 5, `only ${riskRows.length} at-risk rows`);
    let last = -1;
    for (const r of riskRows.slice(0, 8)) {
      // Each customer's newest recorded point, asked for on its own.
      const newest = (await get(`/v1/customers/${r.id}/history?page_size=1`)).points[0];
      assert.equal(newest.band, worst, `${r.id} is listed at risk but its newest point is ${newest.band}`);
      assert.equal(r.score, fmt1(newest.score), `${r.id}: the at-risk list shows ${r.score}, the history ${newest.score}`);
      assert.ok(newest.score >= last, 'the at-risk list is not lowest score first');
      last = newest.score;
    }
    // The list is the whole band: the page says so, and its rows are
    // GetPortfolio's at_risk in order.
    const inWorst = Number(all.bands[all.bands.length - 1].count);
    const risky = await get(`/v1/portfolio?as_of=${encodeURIComponent(asOf)}&at_risk_limit=1000`);
    assert.equal(Number(risky.atRiskTotal), inWorst, 'at_risk_total is not the lowest band\'s count');
    assert.match(await page.textContent('#at-risk + p'), new RegExp(`of ${inWorst}\\.`),
      'the page does not count the whole band');
    assert.deepEqual(riskRows.map((r) => r.id), risky.atRisk.slice(0, riskRows.length).map((c) => c.customerId),
      'the at-risk rows are not GetPortfolio\'s at_risk in order');
    step(`portfolio: ${bands.map((b, i) => `${b} ${all.bands[i].count}`).join(', ')}; the ${riskRows.length} at-risk rows shown (of ${inWorst}) equal at_risk, the first 8 checked against each customer's history`);
    await page.screenshot({ path: join(shots, 'portfolio.png'), fullPage: true });

    // A segment: the selector re-renders the figures of that segment.
    const seg = portfolio.current.figures[1];
    await page.selectOption('#segment', seg.segment);
    await page.waitForSelector(`.page[data-route="#/portfolio?segment=${seg.segment}"][data-state="ready"] #at-risk`);
    for (const b of seg.bands) {
      assert.equal(await page.textContent(`#bands-now tr[data-band="${b.name}"] .count`), String(Number(b.count)),
        `segment ${seg.segment}, band ${b.name}: the page differs from GET /v1/portfolio`);
    }
    const segRisk = await page.$$eval('#at-risk tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
    assert.ok(segRisk.every((s) => s === seg.segment), `the ${seg.segment} at-risk list has other segments: ${segRisk}`);
    step(`segment ${seg.segment}: ${seg.bands.map((b) => `${b.name} ${b.count}`).join(', ')}`);

    // --- A customer, opened from the at-risk list with the keyboard.
    const id = (await page.$eval('#at-risk tbody tr', (tr) => tr.dataset.customer));
    await page.focus(`#at-risk tbody tr[data-customer="${id}"]`);
    await page.keyboard.press('Enter');
    await page.waitForSelector(`.page[data-route="#/customer/${id}"][data-state="ready"] #points tbody tr`);
    const history = await get(`/v1/customers/${id}/history?page_size=1000`);
    assert.equal(await page.textContent('#latest-score'), fmt1(history.points[0].score), `${id}'s latest score`);
    assert.equal(await page.$$eval('#points tbody tr', (trs) => trs.length), history.points.length);

    // Two points: the newest with a click on the chart, one 12 weeks earlier
    // with the keyboard in the table beside it.
    const n = history.points.length;
    assert.ok(n >= 13, `${id} has only ${n} points`);
    const newest = n - 1;  // the chart's index (oldest first)
    const earlier = n - 13;
    const box = await page.$eval('#timeline-chart', (el, i) => {
      el.scrollIntoView({ block: 'center' });
      const u = el._uplot;
      const r = u.over.getBoundingClientRect();
      return { x: r.left + u.valToPos(u.data[0][i], 'x'), y: r.top + u.valToPos(u.data[1][i], 'y') };
    }, newest);
    await page.mouse.move(box.x, box.y);
    await page.mouse.click(box.x, box.y);
    await page.waitForSelector(`#points tr[data-index="${newest}"][aria-selected="true"]`);
    await page.focus(`#points tr[data-index="${earlier}"]`);
    const whyResponse = page.waitForResponse((r) => r.url().includes(`/v1/customers/${id}/why`));
    await page.keyboard.press('Enter');
    await whyResponse;
    await page.waitForSelector('#why[data-state="ready"]');
    const from = history.points[n - 1 - earlier].asOf;
    const to = history.points[0].asOf;
    const why = await get(`/v1/customers/${id}/why?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    assert.equal(Number(await page.getAttribute('#why-delta', 'data-value')), why.delta, 'the change shown is not /why\'s delta');
    assert.deepEqual(await page.$$eval('#why-summary li', (lis) => lis.map((li) => li.textContent)), why.summary,
      'the summary shown is not /why\'s');
    const dims = await page.$$eval('#why-dimensions tbody tr', (trs) => trs.map((tr) => ({
      dimension: tr.dataset.dimension, change: Number(tr.dataset.change), text: tr.querySelector('.change').textContent,
    })));
    const apiDims = why.dimensions.map((d) => ({ dimension: d.dimension, change: d.change, text: fmtSigned(d.change) }));
    if (Math.abs(why.gatesChange) >= 0.05) apiDims.push({ dimension: 'gates', change: why.gatesChange, text: fmtSigned(why.gatesChange) });
    assert.deepEqual(dims, apiDims, 'the attribution by dimension is not /why\'s');
    step(`${id}: ${history.points.length} points; ${from.slice(0, 10)} -> ${to.slice(0, 10)}: ${fmtSigned(why.delta)}, ${dims.length} dimension parts as /why`);
    await page.waitForSelector('#drivers ul');
    await page.screenshot({ path: join(shots, 'customer.png'), fullPage: true });

    // --- Alerts: the open ones as the API lists them; acknowledging one
    // takes it off the list, here and in the API.
    await page.click('nav a[data-page="alerts"]');
    await page.waitForSelector('.page[data-route="#/alerts"][data-state="ready"] #alert-count');
    const open = await get('/v1/alerts?state=ALERT_STATE_OPEN&page_size=50');
    const shownIds = await page.$$eval('#alerts tbody tr', (trs) => trs.map((tr) => tr.dataset.alertId));
    assert.deepEqual(shownIds, open.alerts.map((a) => a.id), 'the open alerts shown are not GET /v1/alerts\'s');
    assert.ok(open.alerts.length > 0, 'the sample raised no alert (docs/alerts.md says it does)');
    await page.screenshot({ path: join(shots, 'alerts.png') });
    const target = open.alerts[0].id;
    await page.fill('#who', 'browser-test');
    const ackResponse = page.waitForResponse((r) => r.url().endsWith(`/v1/alerts/${target}:acknowledge`));
    await page.click(`#alerts tr[data-alert-id="${target}"] button.ack`);
    assert.equal((await ackResponse).status(), 200);
    await page.waitForSelector(`#alerts tr[data-alert-id="${target}"]`, { state: 'detached' });
    const after = await get(`/v1/alerts?state=ALERT_STATE_OPEN&page_size=1000`);
    assert.ok(!after.alerts.some((a) => a.id === target), `alert ${target} is still open in the API`);
    const acked = (await get(`/v1/alerts?state=ALERT_STATE_ACKNOWLEDGED&page_size=1000`)).alerts.find((a) => a.id === target);
    assert.equal(acked?.acknowledgedBy, 'browser-test', `alert ${target} was not acknowledged by browser-test`);
    // Reloaded, the page does not list it either.
    await page.reload();
    await page.waitForSelector('.page[data-state="ready"] #alert-count');
    assert.equal(await page.$(`#alerts tr[data-alert-id="${target}"]`), null, `alert ${target} is listed again after a reload`);
    step(`alerts: ${open.alerts.length} open shown as the API lists them; ${target} acknowledged and gone`);

    // --- Backtest: AUC, churn per band and the ROC curve are the API's.
    await page.click('nav a[data-page="backtest"]');
    await page.waitForSelector('.page[data-route="#/backtest"][data-state="ready"] #churn-bands');
    const bt = (await get('/v1/backtest', { method: 'POST', body: JSON.stringify({ horizonDays: 90 }) })).active;
    assert.equal(Number(await page.getAttribute('#auc', 'data-value')), bt.metrics.aucRoc);
    for (const b of bt.bands) {
      assert.equal(Number(await page.getAttribute(`#churn-bands tr[data-band="${b.name}"] .rate`, 'data-value')), b.rate,
        `band ${b.name}'s churn rate`);
    }
    assert.equal(Number(await page.getAttribute('#roc-chart', 'data-points')), bt.roc.length);
    step(`backtest: AUC ${bt.metrics.aucRoc.toFixed(3)}, ${bt.bands.map((b) => `${b.name} ${(100 * b.rate).toFixed(1)}%`).join(', ')}`);
    await page.screenshot({ path: join(shots, 'backtest.png') });

    // --- An API error is shown with the server's message.
    await page.fill('#goto-id', 'no-such-customer');
    await page.press('#goto-id', 'Enter');
    await page.waitForSelector('.page[data-route="#/customer/no-such-customer"][data-state="error"]');
    await page.waitForSelector('#error:not([hidden]) .error-message');
    const res = await fetch(new URL('/v1/customers/no-such-customer/history?page_size=1000', http));
    const err = await res.json();
    assert.equal(res.status, 404);
    assert.equal(await page.textContent('#error .error-message'), err.message);
    assert.equal(await page.textContent('#error .error-status'), `${err.status}: `);
    step(`error shown: ${err.status}: ${err.message}`);
    await page.screenshot({ path: join(shots, 'error.png') });

    assert.deepEqual(pageErrors, [], 'the page threw');
    console.log(`browser_test: passed in ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${shots}`);
  } finally {
    if (browser) await browser.close();
    server.proc.kill('SIGTERM');
    await new Promise((r) => (server.proc.exitCode !== null ? r() : server.proc.on('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`browser_test: FAILED: ${e.stack || e}`);
  process.exit(1);
});
