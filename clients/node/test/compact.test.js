'use strict';
// The compact decoder's checks, without a server (the equality with the full
// layout is checked against the real server in client.test.js).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { expandCompact, CompactDecodeError, DataLossError } = require('../src');

function reply(overrides = {}) {
  const compact = {
    customerIds: ['a'], dimensions: ['d'], plugins: ['p@1'], variants: ['default'],
    bands: [{ name: 'green', grade: 'A' }],
    rules: [{ dimension: 0, ruleId: 'r', signal: 's', unit: 'percent', raises: '{observed} up', lowers: '', text: '', args: [] }],
    score: [80], band: [0], variant: [0], coverage: [1],
    dimensionScore: [80], dimensionStatus: ['DIMENSION_STATUS_OK'], effectiveWeight: [1],
    driversUp: [1], driversDown: [0], driverRule: [0], driverImpact: [30],
    driverObserved: [12.25], driverThreshold: [NaN], driverArgs: [0, 0, 0, 0], driverMessage: [],
    notes: [{ row: 0, kind: 'KIND_WARNING', dimension: 0, code: 'low_coverage', message: 'w' }],
    ...overrides,
  };
  return { compact, provenance: null, results: [], unusedSignals: [] };
}

test('a compact reply reads back into the full layout\'s objects', () => {
  const [r] = expandCompact(reply());
  assert.equal(r.customerId, 'a');
  assert.equal(r.score.band, 'green');
  assert.equal(r.score.dimensions[0].contribution, 80);
  assert.deepEqual(r.score.topDriversUp[0], {
    dimension: 'd', ruleId: 'r', signal: 's', impact: 30, message: '12.2% up', args: [], observed: 12.25,
  });
  assert.deepEqual(r.score.warnings, [{ code: 'low_coverage', message: 'w', dimension: 'd' }]);
  const [e] = expandCompact(reply({
    score: [NaN], notes: [{ row: 0, kind: 'KIND_ERROR', dimension: -1, code: '3', message: 'bad' }],
  }));
  assert.deepEqual(e.error, { code: 3, message: 'bad' });
});

test('arrays that do not fit together are a DATA_LOSS error naming the array', () => {
  assert.throws(() => expandCompact(reply({ coverage: [] })), (err) => {
    assert.ok(err instanceof CompactDecodeError);
    assert.ok(err instanceof DataLossError);
    assert.equal(err.code, 15);
    assert.equal(err.message, 'compact reply: coverage has 0 entries; expected 1');
    return true;
  });
  assert.throws(() => expandCompact(reply({ driverArgs: [0] })), /driverArgs has 1 entries; expected 4/);
  assert.throws(() => expandCompact(reply({ driverRule: [7] })), /driver 0 names rule 7 of 1/);
});
