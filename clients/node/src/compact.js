'use strict';
// A compact ScoreBatch reply (LAYOUT_COMPACT) read back into the objects of
// the full layout: a port of clients/cli/compact.cc.

const { ruleWording, fill } = require('./wording');
const { CompactDecodeError } = require('./errors');

const ARGS = 4;  // HS_MAX_ARGS: arguments per driver

function mismatch(array, size, expected) {
  return new CompactDecodeError(`compact reply: ${array} has ${size} entries; expected ${expected}`);
}

/**
 * One CustomerResult-shaped object ({customerId, score} or {customerId,
 * error}) per row of `response.compact`, in request order, carrying what the
 * compact layout carries: score, band, grade, coverage, variant, provenance;
 * each dimension's name, plugin, score, status, status reason, effective
 * weight, contribution and points lost; the drivers (their sentences from
 * driverMessage, or else formatted from the batch's rule templates, as the
 * server would); warnings. Throws CompactDecodeError (DATA_LOSS), naming the array, when the
 * reply's arrays do not fit together.
 *
 * `response` is a ScoreBatchResponse as @grpc/proto-loader decodes it
 * (camelCase names, enums as strings).
 */
function expandCompact(response) {
  const c = response.compact;
  const rows = c.customerIds.length;
  const dims = c.dimensions.length;
  for (const name of ['score', 'band', 'variant', 'coverage', 'driversUp', 'driversDown']) {
    if (c[name].length !== rows) throw mismatch(name, c[name].length, rows);
  }
  for (const name of ['dimensionScore', 'dimensionStatus', 'effectiveWeight']) {
    if (c[name].length !== rows * dims) throw mismatch(name, c[name].length, rows * dims);
  }
  if (c.plugins.length !== dims) throw mismatch('plugins', c.plugins.length, dims);
  let drivers = 0;
  for (let i = 0; i < rows; ++i) drivers += c.driversUp[i] + c.driversDown[i];
  for (const name of ['driverRule', 'driverImpact', 'driverObserved', 'driverThreshold']) {
    if (c[name].length !== drivers) throw mismatch(name, c[name].length, drivers);
  }
  if (c.driverArgs.length !== drivers * ARGS) {
    throw mismatch('driverArgs', c.driverArgs.length, drivers * ARGS);
  }
  const sentences = c.driverMessage.length > 0;
  if (sentences && c.driverMessage.length !== drivers) {
    throw mismatch('driverMessage', c.driverMessage.length, drivers);
  }
  const templates = c.rules.map((rule) => {
    if (rule.dimension >= dims) {
      throw new CompactDecodeError(
        `compact reply: rule ${rule.ruleId} names dimension ${rule.dimension} of ${dims}`);
    }
    return sentences ? null : ruleWording(rule);
  });

  const results = [];
  let next = 0;  // the next driver
  for (let i = 0; i < rows; ++i) {
    const result = { customerId: c.customerIds[i] };
    results.push(result);
    if (Number.isNaN(c.score[i])) continue;  // its error is among the notes
    if (c.band[i] >= c.bands.length || c.variant[i] >= c.variants.length) {
      throw new CompactDecodeError(
        `compact reply: row ${i} names band ${c.band[i]} of ${c.bands.length} ` +
        `or variant ${c.variant[i]} of ${c.variants.length}`);
    }
    const s = {
      customerId: c.customerIds[i],
      score: c.score[i],
      band: c.bands[c.band[i]].name,
      grade: c.bands[c.band[i]].grade,
      coverage: c.coverage[i],
      variant: c.variants[c.variant[i]],
      provenance: response.provenance,
      dimensions: [],
      topDriversUp: [],
      topDriversDown: [],
      warnings: [],
    };
    result.score = s;
    for (let d = 0; d < dims; ++d) {
      const k = i * dims + d;
      const r = {
        name: c.dimensions[d],
        plugin: c.plugins[d],
        status: c.dimensionStatus[k],
        effectiveWeight: c.effectiveWeight[k],
      };
      s.dimensions.push(r);
      if (r.status !== 'DIMENSION_STATUS_OK') continue;
      const share = c.effectiveWeight[k];
      const score = c.dimensionScore[k];
      r.score = score;
      // As the server computes them, so the numbers are the same bits.
      r.contribution = share * score;
      r.pointsLost = share * (100 - score);
    }
    const up = c.driversUp[i];
    for (let n = 0; n < up + c.driversDown[i]; ++n) {
      const k = next++;
      const ruleIndex = c.driverRule[k];
      if (ruleIndex >= c.rules.length) {
        throw new CompactDecodeError(
          `compact reply: driver ${k} names rule ${ruleIndex} of ${c.rules.length}`);
      }
      const rule = c.rules[ruleIndex];
      const d = {
        dimension: rule.dimension >= 0 ? c.dimensions[rule.dimension] : '',
        ruleId: rule.ruleId,
        signal: rule.signal,
        impact: c.driverImpact[k],
        message: '',
        args: [],
      };
      const observed = c.driverObserved[k];
      const threshold = c.driverThreshold[k];
      if (!Number.isNaN(observed)) d.observed = observed;
      if (!Number.isNaN(threshold)) d.threshold = threshold;
      const args = c.driverArgs.slice(k * ARGS, k * ARGS + ARGS);
      for (let a = 0; a < rule.args.length && a < ARGS; ++a) d.args.push(args[a]);
      if (sentences) {
        d.message = c.driverMessage[k];
      } else if (rule.ruleId.startsWith('gate:')) {
        d.message = rule.text;  // a gate's message, as written
      } else if (templates[ruleIndex].ok) {
        d.message = fill(templates[ruleIndex].for(d.impact), observed, threshold, args);
      }
      (n < up ? s.topDriversUp : s.topDriversDown).push(d);
    }
  }
  for (const note of c.notes) {
    if (note.row >= rows) {
      throw new CompactDecodeError(`compact reply: a note for row ${note.row} of ${rows}`);
    }
    const result = results[note.row];
    switch (note.kind) {
      case 'KIND_ERROR':
        result.error = { code: parseInt(note.code, 10) || 0, message: note.message };
        break;
      case 'KIND_STATUS':
        if (result.score && note.dimension >= 0 && note.dimension < result.score.dimensions.length) {
          result.score.dimensions[note.dimension].statusReason = note.message;
        }
        break;
      case 'KIND_WARNING':
        if (result.score) {
          const w = { code: note.code, message: note.message, dimension: '' };
          if (note.dimension >= 0 && note.dimension < dims) w.dimension = c.dimensions[note.dimension];
          result.score.warnings.push(w);
        }
        break;
      default:
        break;
    }
  }
  return results;
}

module.exports = { expandCompact };
