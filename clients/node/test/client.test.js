'use strict';
// The Node client against the real server: the sample portfolio in both
// layouts (the compact one decoded equals the full one for every customer),
// typed errors, history and ExplainChange after recorded scores, and
// WatchAlerts streaming the alert a recorded score opens.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
  Client, RowError, HealthscoreError, InvalidArgumentError, NotFoundError, OutOfRangeError, toDate,
} = require('../src');
const { startServer, readPortfolio } = require('./server');

let server;
let client;

before(async () => {
  server = await startServer();
  client = new Client(server.address, { timeout: 60 });
});

after(async () => {
  if (client) client.close();
  if (server) await server.stop();
});

// What the compact layout carries, from a full-layout score: the rest
// (groups, gates, actions, trend, override, configured weights, dimension
// groups, reasons and actions) is left at its default by the decoder.
function carried(score) {
  const s = structuredClone(score);
  s.groups = [];
  s.gates = [];
  s.actions = [];
  s.trend = null;
  s.override = null;
  for (const d of s.dimensions) {
    d.weight = 0;
    d.group = '';
    d.reasons = [];
    d.actions = [];
  }
  return s;
}

// A row the server refuses, in the middle of the portfolio.
function portfolioWithABadRow() {
  const rows = readPortfolio();
  assert.equal(rows.length, 1000);
  rows.splice(500, 0, { customer_id: 'bad-row', segment: 'smb', late_payments_12m: -1 });
  return rows;
}

function compareLayouts(full, compact, what) {
  assert.equal(compact.length, full.length, what);
  let scored = 0;
  for (let i = 0; i < full.length; ++i) {
    if (full[i] instanceof RowError) {
      assert.ok(compact[i] instanceof RowError, `${what}: row ${i}`);
      assert.deepEqual({ ...compact[i] }, { ...full[i] }, `${what}: row ${i}`);
      continue;
    }
    scored += 1;
    assert.deepEqual(compact[i], carried(full[i]), `${what}: ${full[i].customerId}`);
  }
  return scored;
}

test('the sample portfolio decodes from the compact layout to what the full layout says', async () => {
  const rows = portfolioWithABadRow();
  for (const explain of ['none', 'summary']) {
    // The full layout at 1,000 rows is over the server's response limit:
    // the client splits the batch as the server's message says.
    const full = await client.scoreBatch(rows, { layout: 'full', explain });
    const formatted = await client.scoreBatch(rows, { layout: 'compact', explain });
    const sent = await client.scoreBatch(rows, { layout: 'compact', explain, sentences: true });
    assert.equal(full.length, 1001);
    const bad = full[500];
    assert.ok(bad instanceof RowError);
    assert.equal(bad.customerId, 'bad-row');
    assert.equal(bad.code, 3);
    assert.equal(bad.row, 500);
    assert.match(bad.message, /late_payments_12m\) = -1 is below the minimum 0/);
    // Two sample customers have no data any dimension can score (code 9).
    const refused = full.filter((r) => r instanceof RowError).map((r) => `${r.customerId} ${r.code}`);
    assert.deepEqual(refused, ['cust-0398 9', 'bad-row 3', 'cust-0979 9']);
    assert.equal(compareLayouts(full, formatted, `${explain}, formatted here`), 998);
    assert.equal(compareLayouts(full, sent, `${explain}, sentences sent`), 998);
    if (explain === 'summary') {
      const drivers = full.filter((s) => !(s instanceof RowError))
        .flatMap((s) => [...s.topDriversUp, ...s.topDriversDown]);
      assert.ok(drivers.length > 1000, `${drivers.length} drivers`);
      assert.ok(drivers.every((d) => d.message !== ''), 'every driver has its sentence');
    }
  }
});

test('scoreBatch takes any iterable, batches it, and reports unused signals', async () => {
  function* rows() {
    yield { customer_id: 'gen-1', segment: 'smb', late_payments_12m: 0, revenue_growth_pct: '12.5', nonsense: 1 };
    yield { customerId: 'gen-2', late_payments_12m: null, revenue_growth_pct: -3 };
    yield { customer_id: 'gen-3', late_payments_12m: 4, revenue_growth_pct: ' 7 ', logins_30d: '' };
  }
  const results = await client.scoreBatch(rows(), { batchSize: 2, explain: 'summary' });
  assert.deepEqual(results.map((r) => r.customerId), ['gen-1', 'gen-2', 'gen-3']);
  assert.ok(results.every((r) => !(r instanceof RowError)));
  assert.equal(results[0].segment, 'smb');
  assert.deepEqual(results.unusedSignals, ['nonsense']);
  await assert.rejects(client.scoreBatch([{ customer_id: 'x', logins_30d: 'many' }]),
    (err) => err instanceof TypeError && /rows\[0\]\.logins_30d/.test(err.message));
});

test('a bad value is a typed error carrying the server\'s message', async () => {
  await assert.rejects(
    client.score({ customerId: 'acme', signals: { late_payments_12m: -1 } }),
    (err) => {
      assert.ok(err instanceof InvalidArgumentError);
      assert.ok(err instanceof HealthscoreError);
      assert.equal(err.code, 3);
      assert.equal(err.codeName, 'INVALID_ARGUMENT');
      assert.equal(err.message,
        "customer.signals['late_payments_12m'] = -1 is below the minimum 0 " +
        '(count, declared by financial_health@2.0.0)');
      assert.equal(err.details, err.message);
      return true;
    });
  await assert.rejects(client.score({ customerId: 'acme', signals: { logins_30d: Infinity } }),
    (err) => err instanceof InvalidArgumentError && /inf/.test(err.message));
  await assert.rejects(client.history('nobody-at-all'), NotFoundError);
});

test('score explains itself with plain drivers and actions', async () => {
  const [row] = readPortfolio();
  const { customer_id: customerId, segment, ...signals } = row;
  const score = await client.score({ customerId, segment, signals, explain: 'full' });
  assert.equal(score.customerId, customerId);
  assert.ok(score.score >= 0 && score.score <= 100);
  assert.ok(score.topDriversDown.length > 0);
  for (const d of score.topDriversDown) {
    assert.equal(typeof d.message, 'string');
    assert.ok(d.impact < 0);
  }
  assert.ok(score.actions.length > 0);
  assert.equal(typeof score.actions[0].text, 'string');
  assert.ok(score.dimensions.some((d) => d.reasons.length > 0));
});

test('a recorded score is in the history, and why explains the change', async () => {
  const id = 'node-history-1';
  const base = { late_payments_12m: 0, revenue_growth_pct: 20, feature_adoption_pct: 80 };
  const first = await client.score({
    customerId: id, segment: 'smb', signals: base, asOf: '2026-01-05T00:00:00Z', record: true,
  });
  assert.equal(first.trend.hasPrevious, false);
  const second = await client.score({
    customerId: id, segment: 'smb', signals: { ...base, late_payments_12m: 6, revenue_growth_pct: -30 },
    asOf: new Date('2026-02-02T00:00:00Z'), record: true,
  });
  assert.equal(second.trend.hasPrevious, true);
  assert.ok(second.score < first.score);

  const points = await client.history(id);
  assert.equal(points.length, 2);
  assert.deepEqual(points.map((p) => toDate(p.asOf).toISOString()),
    ['2026-02-02T00:00:00.000Z', '2026-01-05T00:00:00.000Z']);  // newest first
  assert.equal(points[0].score, second.score);
  assert.equal(points[1].band, first.band);
  assert.equal((await client.history(id, { pageSize: 1, limit: 1 })).length, 1);
  assert.equal((await client.history(id, { pageSize: 1 })).length, 2);  // follows the pages

  const why = await client.why(id, '2026-01-10', '2026-02-10');
  assert.ok(Math.abs(why.delta - (second.score - first.score)) < 1e-9);
  assert.ok(why.summary.length > 0);
  const parts = why.dimensions.reduce((sum, d) => sum + d.change, why.gatesChange);
  assert.ok(Math.abs(parts - why.delta) < 1e-6, `${parts} vs ${why.delta}`);
});

test('watchAlerts streams the alert a recorded score opens', async (t) => {
  const id = 'node-alerts-1';
  const abort = new AbortController();
  const events = client.watchAlerts({ afterCursor: 0, segment: 'watched', signal: abort.signal });
  const iterator = events[Symbol.asyncIterator]();
  const first = iterator.next();  // asked for before the score is recorded
  let guard;
  try {
    // Only financial signals: less than 60% of the weight has data
    // (thin_data), and a score of 5 is red (red_score).
    const score = await client.score({
      customerId: id, segment: 'watched', record: true,
      signals: { late_payments_12m: 9, revenue_growth_pct: -30 },
    });
    assert.ok(score.coverage < 0.6, `coverage ${score.coverage}`);
    assert.ok(score.score < 50, `score ${score.score}`);
    const timeout = new Promise((_, reject) => {
      guard = setTimeout(() => reject(new Error('no alert event within 60 s')), 60000);
    });
    const { value: event, done } = await Promise.race([first, timeout]);
    assert.equal(done, false);
    assert.equal(event.kind, 'OPENED');
    assert.equal(event.alert.customerId, id);
    assert.ok(['thin_data', 'red_score'].includes(event.alert.ruleId), event.alert.ruleId);
    assert.equal(event.alert.state, 'ALERT_STATE_OPEN');
    assert.ok(event.cursor > 0);
    const listed = await client.alerts({ customerId: id });
    assert.ok(listed.some((a) => a.id === event.alert.id));
    // Both rules opened; resuming after the first event's cursor gives the other.
    assert.deepEqual(listed.map((a) => a.ruleId).sort(), ['red_score', 'thin_data']);
    for await (const next of client.watchAlerts({ afterCursor: event.cursor, segment: 'watched' })) {
      assert.ok(next.cursor > event.cursor);
      assert.notEqual(next.alert.ruleId, event.alert.ruleId);
      break;
    }
  } catch (err) {
    abort.abort();  // the pending next() ends; no stream is left open
    throw err;
  } finally {
    clearTimeout(guard);
  }
  // Aborting ends the iteration quietly.
  const rest = iterator.next();
  abort.abort();
  const end = await rest;
  if (!end.done) t.diagnostic('another event was already queued');
  await iterator.return();
});

test('breaking out of watchAlerts cancels the stream', async () => {
  let seen = 0;
  for await (const event of client.watchAlerts({ afterCursor: 0 })) {
    assert.ok(event.cursor > 0);
    seen += 1;
    break;
  }
  assert.equal(seen, 1);  // the previous test opened at least one alert
});

test('a stream that fails throws a typed error', async () => {
  await assert.rejects(async () => {
    for await (const event of client.watchAlerts({ afterCursor: 1e12 })) assert.fail(`got ${event.cursor}`);
  }, (err) => err instanceof OutOfRangeError && err.code === 11);
});
