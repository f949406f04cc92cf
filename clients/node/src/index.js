'use strict';
// The healthscore Node client: promises for the unary calls, async iterators
// for the streams, typed errors, and the compact batch layout read back into
// the objects of the full layout.
//
// Messages are plain objects as @grpc/proto-loader decodes them: lowerCamelCase
// field names, enums as their names ("DIMENSION_STATUS_OK"), 64-bit integers
// as numbers, every field present with its default (unset proto3 `optional`
// fields and unset messages excepted: those are absent / null), Timestamps as
// {seconds, nanos} (see toDate). Their TypeScript types are generated from the
// proto into gen/ (npm run gen).

const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const errors = require('./errors');
const { expandCompact } = require('./compact');
const wording = require('./wording');

const { fromGrpc, RowError, DataLossError } = errors;

const PROTO_FILES = [
  'healthscore/v1/health_scoring.proto',
  'healthscore/v1/history.proto',
  'healthscore/v1/alerts.proto',
  'healthscore/v1/overrides.proto',
  'healthscore/v1/validation.proto',
];

/** The options the messages are decoded with (and the types generated with). */
const LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: false,
};

/**
 * Where the .proto files are: $HEALTHSCORE_PROTO_DIR, the package's own
 * proto/ (a packed copy), or the repository's proto/.
 */
function defaultProtoDir() {
  const candidates = [
    process.env.HEALTHSCORE_PROTO_DIR,
    path.join(__dirname, '..', 'proto'),
    path.join(__dirname, '..', '..', '..', 'proto'),
  ].filter(Boolean);
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, PROTO_FILES[0]))) return dir;
  }
  throw new Error(
    `healthscore: the .proto files are not in ${candidates.join(' or ')}; ` +
    'set HEALTHSCORE_PROTO_DIR or the protoDir option');
}

const loaded = new Map();  // protoDir -> {definition, v1}
function load(protoDir) {
  let entry = loaded.get(protoDir);
  if (!entry) {
    const definition = protoLoader.loadSync(PROTO_FILES, { ...LOADER_OPTIONS, includeDirs: [protoDir] });
    entry = { definition, v1: grpc.loadPackageDefinition(definition).healthscore.v1 };
    loaded.set(protoDir, entry);
  }
  return entry;
}

// ---- conversions -----------------------------------------------------------

/**
 * A time as a google.protobuf.Timestamp: a Date, an ISO 8601 string, a number
 * of milliseconds since the epoch, or a {seconds, nanos} object. undefined and
 * null stay unset.
 */
function toTimestamp(value, what = 'time') {
  if (value === undefined || value === null) return null;
  if (typeof value === 'object' && !(value instanceof Date) && 'seconds' in value) {
    return { seconds: Number(value.seconds), nanos: Number(value.nanos || 0) };
  }
  const date = value instanceof Date ? value : new Date(value);
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new TypeError(`${what}: ${String(value)} is not a date`);
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1e6 };
}

/** A Timestamp ({seconds, nanos}) as a Date; null when unset. */
function toDate(timestamp) {
  if (!timestamp) return null;
  return new Date(Number(timestamp.seconds) * 1000 + Math.floor(Number(timestamp.nanos || 0) / 1e6));
}

function enumValue(value, prefix, names, what) {
  if (value === undefined || value === null) return `${prefix}UNSPECIFIED`;
  const upper = String(value).toUpperCase();
  if (upper.startsWith(prefix)) return upper;
  if (names.includes(upper)) return prefix + upper;
  throw new TypeError(`${what}: '${value}' is not one of ${names.map((n) => n.toLowerCase()).join(', ')}`);
}
const explainOf = (v) => enumValue(v, 'EXPLAIN_', ['NONE', 'SUMMARY', 'FULL'], 'explain');
const layoutOf = (v) => enumValue(v, 'LAYOUT_', ['FULL', 'COMPACT'], 'layout');

// A signal value for the wire: NaN marks a missing one.
function signalValue(value, row, name) {
  if (value === null || value === undefined || value === '') return NaN;
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '' || /^nan$/i.test(text)) return NaN;
    const n = Number(text);
    if (!Number.isNaN(n)) return n;
  }
  throw new TypeError(`rows[${row}].${name}: ${JSON.stringify(value)} is not a number`);
}

const ROW_KEYS = new Set(['customer_id', 'customerId', 'segment', 'attributes']);

function stringMap(obj) {
  const out = {};
  for (const [k, v] of Object.entries(obj || {})) out[k] = String(v);
  return out;
}

// ---- the client ------------------------------------------------------------

/**
 * A client of one healthscore server (HealthScoring, History, Alerts).
 *
 *   const client = new Client('127.0.0.1:50051', { timeout: 30 });
 *
 * `timeout` is in seconds (as in the Python client): each unary call's
 * deadline unless the call gives its own; none by default.
 */
class Client {
  /**
   * @param {string} target host:port
   * @param {object} [options]
   * @param {number} [options.timeout] seconds each unary call may take (default: no deadline)
   * @param {object} [options.credentials] grpc.ChannelCredentials; insecure by default
   * @param {object} [options.channelOptions] grpc channel options
   * @param {string} [options.protoDir] where healthscore/v1/*.proto are
   */
  constructor(target, options = {}) {
    this.target = target;
    this.timeout = options.timeout === undefined ? null : options.timeout;
    const { definition, v1 } = load(options.protoDir || defaultProtoDir());
    this._definition = definition;
    const credentials = options.credentials || grpc.credentials.createInsecure();
    const channelOptions = {
      'grpc.max_receive_message_length': 64 << 20,
      ...(options.channelOptions || {}),
    };
    const scoring = new v1.HealthScoring(target, credentials, channelOptions);
    const share = { channelOverride: scoring.getChannel() };
    /**
     * The generated grpc-js stubs, one channel for all, for every call this
     * class does not wrap (Overrides, Validation, ListMovers, ...).
     */
    this.raw = {
      scoring,
      history: new v1.History(target, credentials, share),
      alerts: new v1.Alerts(target, credentials, share),
      overrides: new v1.Overrides(target, credentials, share),
      validation: new v1.Validation(target, credentials, share),
    };
  }

  /** Closes the channel. */
  close() {
    this.raw.scoring.close();
  }

  _deadline(timeout) {
    const seconds = timeout === undefined ? this.timeout : timeout;
    return seconds === null || seconds === undefined || seconds === Infinity ? Infinity : Date.now() + seconds * 1000;
  }

  _unary(stub, method, request, options = {}) {
    return new Promise((resolve, reject) => {
      stub[method](request, { deadline: this._deadline(options.timeout) }, (err, response) => {
        if (err) reject(fromGrpc(err));
        else resolve(response);
      });
    });
  }

  /**
   * Scores one customer.
   * @returns {Promise<object>} the CustomerScore
   */
  async score({ customerId, signals = {}, segment = '', explain = 'summary', asOf, record = false,
    attributes, timeout } = {}) {
    const values = {};
    for (const [name, value] of Object.entries(signals)) {
      const v = signalValue(value, 0, name);
      if (!Number.isNaN(v)) values[name] = v;  // a missing signal is left out
    }
    const request = {
      customer: {
        customerId, segment, signals: values, attributes: stringMap(attributes),
        asOf: toTimestamp(asOf, 'asOf'),
      },
      explain: explainOf(explain),
      record,
    };
    const response = await this._unary(this.raw.scoring, 'Score', request, { timeout });
    return response.score;
  }

  /**
   * Scores many customers: `rows` is an array or (async) iterable of plain
   * objects, {customer_id, segment, attributes?, <signal>: value, ...} (null,
   * undefined, '' and NaN mark a missing value; numeric strings are read as
   * numbers). Sent `batchSize` rows a request. Resolves to one CustomerScore
   * or RowError per row, in order; the array also has `unusedSignals` and
   * `provenance` (the last batch's).
   */
  async scoreBatch(rows, { explain = 'none', layout = 'compact', sentences = false,
    batchSize = 1000, asOf, record = false, timeout } = {}) {
    const common = {
      explain: explainOf(explain),
      layout: layoutOf(layout),
      sentences: Boolean(sentences),
      asOf: toTimestamp(asOf, 'asOf'),
      record: Boolean(record),
    };
    const results = [];
    const unused = new Set();
    const seenProvenance = { value: null };
    let chunk = [];
    let index = 0;
    const flush = async () => {
      if (chunk.length === 0) return;
      const base = index - chunk.length;
      const out = await this._batch(chunk, base, common, timeout, unused, seenProvenance);
      for (const r of out) results.push(r);
      chunk = [];
    };
    for await (const row of rows) {
      chunk.push(row);
      index += 1;
      if (chunk.length >= batchSize) await flush();
    }
    await flush();
    results.unusedSignals = [...unused];
    results.provenance = seenProvenance.value;
    return results;
  }

  async _batch(objects, base, common, timeout, unused, provenance) {
    const names = [];
    const seen = new Map();
    for (const obj of objects) {
      for (const key of Object.keys(obj)) {
        if (!ROW_KEYS.has(key) && !seen.has(key)) {
          seen.set(key, names.length);
          names.push(key);
        }
      }
    }
    const rows = objects.map((obj, i) => {
      const values = new Array(names.length).fill(NaN);
      for (const [key, value] of Object.entries(obj)) {
        if (seen.has(key)) values[seen.get(key)] = signalValue(value, base + i, key);
      }
      const id = obj.customer_id !== undefined ? obj.customer_id : obj.customerId;
      return {
        customerId: id === undefined || id === null ? '' : String(id),
        segment: obj.segment ? String(obj.segment) : '',
        values,
        attributes: stringMap(obj.attributes),
      };
    });
    let response;
    try {
      response = await this._unary(this.raw.scoring, 'ScoreBatch',
        { ...common, signalNames: names, rows }, { timeout });
    } catch (err) {
      // "... send at most 194 rows a batch": checked before any work, so
      // nothing was scored or recorded; send it in smaller batches.
      const m = err instanceof errors.ResourceExhaustedError &&
        /send at most (\d+) rows a batch/.exec(err.details || '');
      const most = m ? Number(m[1]) : 0;
      if (most > 0 && most < objects.length) {
        const out = [];
        for (let at = 0; at < objects.length; at += most) {
          for (const r of await this._batch(objects.slice(at, at + most), base + at, common, timeout, unused, provenance)) {
            out.push(r);
          }
        }
        return out;
      }
      throw err;
    }
    for (const name of response.unusedSignals) unused.add(name);
    if (response.provenance) provenance.value = response.provenance;
    let results = response.results;
    if (common.layout === 'LAYOUT_COMPACT') {
      results = this._normalize(expandCompact(response));
      // Not in the compact layout, but known here: what the request said.
      results.forEach((r, i) => {
        if (!r.score) return;
        r.score.segment = rows[i].segment;
        if (common.asOf) r.score.asOf = common.asOf;
      });
    }
    if (results.length !== objects.length) {
      throw new DataLossError(
        `the server answered ${results.length} results to ${objects.length} rows`, 15);
    }
    return results.map((r, i) => (r.error || !r.score
      ? new RowError(r.customerId, r.error ? r.error.code : 2,
        r.error ? r.error.message : 'no score and no error in the reply', base + i)
      : r.score));
  }

  // Decoded compact results in exactly the shape the full layout decodes to
  // (every field present with its default), through the same codec.
  _normalize(results) {
    const method = this._definition['healthscore.v1.HealthScoring'].ScoreBatch;
    return method.responseDeserialize(method.responseSerialize({ results })).results;
  }

  /**
   * One customer's recorded points, newest first, every page (up to `limit`).
   * NotFoundError when it has none.
   */
  async history(customerId, { from, to, full = false, pageSize, limit = Infinity, timeout } = {}) {
    const points = [];
    let pageToken = '';
    do {
      const response = await this._unary(this.raw.history, 'GetHistory', {
        customerId, from: toTimestamp(from, 'from'), to: toTimestamp(to, 'to'),
        full, pageSize: pageSize || 0, pageToken,
      }, { timeout });
      for (const p of response.points) {
        if (points.length >= limit) break;
        points.push(p);
      }
      pageToken = response.nextPageToken;
    } while (pageToken && points.length < limit);
    return points;
  }

  /** Why the score moved from `from` to `to` (unset: the newest point): ExplainChange. */
  why(customerId, from, to, { timeout } = {}) {
    return this._unary(this.raw.history, 'ExplainChange', {
      customerId, from: toTimestamp(from, 'from'), to: toTimestamp(to, 'to'),
    }, { timeout });
  }

  /** The biggest drops (or rises) between two dates: ListMovers. */
  async movers({ from, to, segment = '', direction, limit = 0, lookbackDays = 0, timeout } = {}) {
    const response = await this._unary(this.raw.history, 'ListMovers', {
      from: toTimestamp(from, 'from'), to: toTimestamp(to, 'to'), segment,
      direction: direction ? String(direction).toUpperCase() : 'DIRECTION_UNSPECIFIED',
      limit, lookbackDays,
    }, { timeout });
    return response;
  }

  /** Counts per band and grade at a date, per segment: GetPortfolio. */
  portfolio({ asOf, segment = '', windowDays = 0, lookbackDays = 0, timeout } = {}) {
    return this._unary(this.raw.history, 'GetPortfolio', {
      asOf: toTimestamp(asOf, 'asOf'), segment, windowDays, lookbackDays,
    }, { timeout });
  }

  /** Alerts, newest first, every page (up to `limit`); `state` 'open', 'acknowledged' or 'resolved'. */
  async alerts({ state, segment = '', severity = '', customerId = '', explain = false,
    deadLettered = false, pageSize = 0, limit = Infinity, timeout } = {}) {
    const alerts = [];
    let pageToken = '';
    do {
      const response = await this._unary(this.raw.alerts, 'ListAlerts', {
        state: enumValue(state, 'ALERT_STATE_', ['OPEN', 'ACKNOWLEDGED', 'RESOLVED'], 'state'),
        segment, severity, customerId, pageSize, pageToken, explain, deadLettered,
      }, { timeout });
      for (const a of response.alerts) {
        if (alerts.length >= limit) break;
        alerts.push(a);
      }
      pageToken = response.nextPageToken;
    } while (pageToken && alerts.length < limit);
    return alerts;
  }

  /** The same as alerts(). */
  listAlerts(options) {
    return this.alerts(options);
  }

  acknowledgeAlert(id, who, note = '', { timeout } = {}) {
    return this._unary(this.raw.alerts, 'AcknowledgeAlert', { id, who, note }, { timeout });
  }

  resolveAlert(id, who, note = '', { timeout } = {}) {
    return this._unary(this.raw.alerts, 'ResolveAlert', { id, who, note }, { timeout });
  }

  /**
   * Every alert event after `afterCursor` (0: from the start), then new ones
   * as they are committed, as an async iterator; it runs until the loop
   * breaks (which cancels the stream) or `signal` aborts (the iteration then
   * just ends). Remember the last event's `cursor` to resume without gaps or
   * repeats. A failed stream throws a HealthscoreError.
   *
   *   for await (const event of client.watchAlerts({ severity: 'high' })) ...
   */
  async *watchAlerts({ afterCursor = 0, segment = '', severity = '', signal } = {}) {
    if (signal && signal.aborted) return;
    const call = this.raw.alerts.WatchAlerts({ afterCursor, segment, severity });
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      call.cancel();
    };
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const event of call) yield event;
    } catch (err) {
      if (aborted && err && err.code === grpc.status.CANCELLED) return;
      throw fromGrpc(err);
    } finally {
      if (signal) signal.removeEventListener('abort', onAbort);
      call.cancel();
    }
  }

  /** The active scorecard. */
  async scorecard({ timeout } = {}) {
    return (await this._unary(this.raw.scoring, 'GetScorecard', {}, { timeout })).scorecard;
  }

  /** What the plugin registry holds. */
  async dimensions({ timeout } = {}) {
    return (await this._unary(this.raw.scoring, 'ListDimensions', {}, { timeout })).dimensions;
  }

  /** A parent account's roll-up of its children's latest scores. */
  accountRollup(parentId, { at, timeout } = {}) {
    return this._unary(this.raw.history, 'GetAccountRollup',
      { parentId, at: toTimestamp(at, 'at') }, { timeout });
  }
}

module.exports = {
  Client,
  ...errors,
  toDate,
  toTimestamp,
  expandCompact,
  formatNumber: wording.formatNumber,
  LOADER_OPTIONS,
  PROTO_FILES,
  defaultProtoDir,
};
