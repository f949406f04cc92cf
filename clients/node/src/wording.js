'use strict';
// Driver sentences from a compact reply's rule templates, worded exactly as
// the server words them: a port of server/plugin/wording.cc (the C++ CLI uses
// that file itself). Numbers are rounded from the double's exact value, ties
// to even, as std::to_chars and printf do (JavaScript's toFixed rounds ties
// away from zero, so it is not used).

const FORMATS = {
  number: 'number', count: 'number', score: 'number', percent: 'percent',
  points: 'points', days: 'days', months: 'months', hours: 'hours', usd: 'usd',
  signed: 'signed', abs: 'abs', flag: 'flag', ratio: 'ratio',
};

/** The format a unit reads in by default (FormatOfUnit). */
function formatOfUnit(unit) {
  switch (unit) {
    case 'percent': return 'percent';
    case 'points': return 'points';
    case 'days': return 'days';
    case 'months': return 'months';
    case 'hours': return 'hours';
    case 'usd': return 'usd';
    case 'nps': case 'net_percent': return 'signed';
    case 'flag': return 'flag';
    case 'ratio': return 'ratio';
    default: return 'number';
  }
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

// |v| = n / 2^k exactly, for a finite double v.
function exact(v) {
  f64[0] = v;
  const bits = u64[0];
  const e = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const mant = e === 0 ? frac : frac | (1n << 52n);
  const e2 = e === 0 ? -1074 : e - 1075;
  return e2 >= 0 ? [mant << BigInt(e2), 0n] : [mant, BigInt(-e2)];
}

// round(|v| * 10^d), ties to even, as a BigInt (d may be negative).
function scaledRound(v, d) {
  const [n, k] = exact(v);
  const num = d >= 0 ? n * 10n ** BigInt(d) : n;
  const den = (1n << k) * (d < 0 ? 10n ** BigInt(-d) : 1n);
  let q = num / den;
  const r2 = (num % den) * 2n;
  if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n;
  return q;
}

// "%.3g" for |v| >= 1e15: "1.23e+15", "1e+15".
function exponent3(v) {
  const a = Math.abs(v);
  // The decimal exponent, exactly (log10 can be off by one near powers of
  // ten): a >= 1e15, so its integer part has e + 1 digits.
  const [n, k] = exact(a);
  let e = (n >> k).toString().length - 1;
  let q = scaledRound(a, 2 - e);
  if (q >= 1000n) {
    q = scaledRound(a, 1 - e);  // rounded up to the next power of ten
    e += 1;
  }
  const digits = q.toString();  // three digits
  let mantissa = digits[0] + '.' + digits.slice(1);
  mantissa = mantissa.replace(/0+$/, '').replace(/\.$/, '');
  const exp = (e < 10 ? '0' : '') + e;
  return (v < 0 ? '-' : '') + mantissa + 'e+' + exp;
}

// At most `decimals` decimals, trailing zeros dropped, never "-0" (AppendPlain).
function plain(value, decimals) {
  if (Math.abs(value) >= 1e15) return exponent3(value);
  const q = scaledRound(value, decimals).toString().padStart(decimals + 1, '0');
  let s = decimals > 0
    ? q.slice(0, q.length - decimals) + '.' + q.slice(q.length - decimals)
    : q;
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  if (value < 0 || Object.is(value, -0)) s = '-' + s;
  return s === '-0' ? '0' : s;
}

// Grouped by thousands, no decimals (AppendGrouped).
function grouped(value) {
  if (Math.abs(value) >= 1e15) return plain(value, 0);
  const digits = scaledRound(value, 0).toString();
  let out = value < 0 || Object.is(value, -0) ? '-' : '';
  for (let i = 0; i < digits.length; ++i) {
    out += digits[i];
    const left = digits.length - i - 1;
    if (left > 0 && left % 3 === 0) out += ',';
  }
  return out;
}

function withNoun(value, singular, plural) {
  return plain(value, 1) + ' ' + (value === 1 ? singular : plural);
}

// std::round: half away from zero.
function roundAway(v) {
  return Math.sign(v) * Math.round(Math.abs(v));
}

/** `value` as `format` reads ("n/a" for NaN): AppendNumber. */
function formatNumber(value, format, noun) {
  if (Number.isNaN(value)) return 'n/a';
  switch (format) {
    case 'percent': return plain(value, 1) + '%';
    case 'points': return withNoun(value, 'point', 'points');
    case 'days': return withNoun(value, 'day', 'days');
    case 'months': return withNoun(value, 'month', 'months');
    case 'hours': return withNoun(value, 'hour', 'hours');
    case 'usd':
      return (value < 0 && roundAway(value) !== 0 ? '-$' : '$') + grouped(Math.abs(value));
    case 'signed': {
      const s = plain(value, 1);
      return value > 0 && s !== '0' ? '+' + s : s;
    }
    case 'abs': return plain(Math.abs(value), 1);
    case 'flag': return value !== 0 ? 'yes' : 'no';
    case 'ratio': return plain(value, 2);
    case 'plural': return plain(value, 1) + ' ' + noun + (value !== 1 ? 's' : '');
    default: return plain(value, 1);
  }
}

const NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Compiles a template (Wording::Compile). Slots: 0 {observed}, 1 {threshold}
 * (only when hasFacts), 2.. the arguments. Returns null when it does not
 * compile (the server would have refused the plugin).
 */
function compile(text, args, unit, hasFacts) {
  const pieces = [];
  let literal = '';
  for (let i = 0; i < text.length; ++i) {
    const c = text[i];
    if (c === '}') {
      if (text[i + 1] === '}') ++i;
      literal += '}';
      continue;
    }
    if (c !== '{') {
      literal += c;
      continue;
    }
    if (text[i + 1] === '{') {
      literal += '{';
      ++i;
      continue;
    }
    const close = text.indexOf('}', i);
    if (close < 0) return null;
    const inside = text.slice(i + 1, close);
    const colon = inside.indexOf(':');
    const name = colon < 0 ? inside : inside.slice(0, colon);
    const fmt = colon < 0 ? '' : inside.slice(colon + 1);
    let slot = -1;
    if (hasFacts && name === 'observed') slot = 0;
    if (hasFacts && name === 'threshold') slot = 1;
    for (let a = 0; a < args.length && slot < 0; ++a) {
      if (args[a] === name) slot = 2 + a;
    }
    if (slot < 0) return null;
    const piece = { literal, slot, format: 'number', noun: '' };
    if (fmt === '') {
      piece.format = slot < 2 ? formatOfUnit(unit) : 'number';
    } else if (fmt.startsWith('plural:')) {
      piece.format = 'plural';
      piece.noun = fmt.slice(7);
      if (!NAME.test(piece.noun)) return null;
    } else if (Object.prototype.hasOwnProperty.call(FORMATS, fmt)) {
      piece.format = FORMATS[fmt];
    } else {
      return null;
    }
    pieces.push(piece);
    literal = '';
    i = close;
  }
  if (literal !== '') pieces.push({ literal, slot: -1 });
  return { source: text, pieces };
}

/** Fills in a compiled template (Wording::Append). */
function fill(wording, observed, threshold, args) {
  let out = '';
  for (const p of wording.pieces) {
    out += p.literal;
    if (p.slot < 0) continue;
    const value = p.slot === 0 ? observed : p.slot === 1 ? threshold : args[p.slot - 2];
    out += formatNumber(value, p.format, p.noun);
  }
  return out;
}

/**
 * A rule's wordings (RuleWording), from a CompactRule. `ok` is false when a
 * template does not compile; its drivers then get no sentence.
 */
function ruleWording(rule) {
  const args = rule.args || [];
  let ok = true;
  const one = (source) => {
    if (!source) return null;
    const w = compile(source, args, rule.unit, true);
    if (!w) ok = false;
    return w;
  };
  const raises = one(rule.raises);
  const lowers = one(rule.lowers);
  const text = one(rule.text);
  const fallback =
    compile(rule.ruleId.replace(/_/g, ' ') + ' (observed {observed})', [], rule.unit, true) ||
    { source: rule.ruleId, pieces: [{ literal: rule.ruleId, slot: -1 }] };
  return {
    ok,
    // RuleWording::For: the template for a reason of this impact.
    for(impact) {
      if (impact > 0 && raises) return raises;
      if (impact < 0 && lowers) return lowers;
      if (text) return text;
      if (impact === 0 && !raises !== !lowers) return raises || lowers;
      return fallback;
    },
  };
}

module.exports = { formatNumber, formatOfUnit, compile, fill, ruleWording, plain };
