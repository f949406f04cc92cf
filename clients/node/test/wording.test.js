'use strict';
// Sentences from templates, worded as the server words them
// (server/plugin/wording.cc); no server needed.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { formatNumber, compile, fill, ruleWording } = require('../src/wording');

test('numbers round from the exact value, ties to even, as printf does', () => {
  const cases = [
    [0.25, 'number', '0.2'], [-0.25, 'number', '-0.2'], [0.35, 'number', '0.3'],
    [12.25, 'number', '12.2'], [0.125, 'ratio', '0.12'], [0.375, 'ratio', '0.38'],
    [-0.04, 'number', '0'], [3, 'number', '3'], [99.95, 'number', '100'],
    [1e15, 'number', '1e+15'], [1225000000000000, 'number', '1.22e+15'],
    [9.9951e15, 'number', '1e+16'], [NaN, 'percent', 'n/a'],
    [12.5, 'percent', '12.5%'], [1, 'points', '1 point'], [2, 'days', '2 days'],
    [1, 'months', '1 month'], [0.5, 'hours', '0.5 hours'],
    [12500, 'usd', '$12,500'], [2.5, 'usd', '$2'], [3.5, 'usd', '$4'],
    [-1234567.5, 'usd', '-$1,234,568'], [-0.4, 'usd', '$0'], [-0.5, 'usd', '-$0'],
    [12, 'signed', '+12'], [0.04, 'signed', '0'], [-3.5, 'signed', '-3.5'],
    [-12, 'abs', '12'], [2, 'flag', 'yes'], [0, 'flag', 'no'],
  ];
  for (const [value, format, expected] of cases) {
    assert.equal(formatNumber(value, format), expected, `${value} as ${format}`);
  }
  assert.equal(formatNumber(1, 'plural', 'touchpoint'), '1 touchpoint');
  assert.equal(formatNumber(4, 'plural', 'touchpoint'), '4 touchpoints');
});

test('templates compile and fill in as the server fills them', () => {
  const w = compile('CSAT fell {observed} ({prev:percent} to {now:percent}), {{literal}} }',
    ['prev', 'now'], 'points', true);
  assert.equal(fill(w, 3, NaN, [80, 77.25]), 'CSAT fell 3 points (80% to 77.2%), {literal} }');
  assert.equal(compile('{obsrved}', [], '', true), null);
  assert.equal(compile('{observed:pct}', [], '', true), null);
  assert.equal(compile('{observed', [], '', true), null);
  assert.equal(compile('{observed:plural:Bad}', [], '', true), null);
  assert.equal(compile('{observed}', [], '', false), null);  // an action has no facts

  const rule = { ruleId: 'late_payments', unit: 'count', raises: '', lowers: '{observed} late payments', text: '', args: [] };
  const r = ruleWording(rule);
  assert.equal(fill(r.for(-2), 3, 1, []), '3 late payments');
  assert.equal(fill(r.for(0), 3, 1, []), '3 late payments');  // the one signed wording
  assert.equal(fill(r.for(2), 3, 1, []), 'late payments (observed 3)');  // never the other sign's
});
