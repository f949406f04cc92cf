'use strict';
// Starts the real healthscore-server on a free loopback port, with a fresh
// SQLite store, and says when it is ready (from its log, not by waiting).

const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const SOURCE = path.resolve(__dirname, '..', '..', '..');
const BUILD = path.resolve(process.env.HEALTHSCORE_BUILD_DIR || path.join(SOURCE, 'build'));

/**
 * Resolves to {address, log(), stop()} once the server logs "ready on
 * 127.0.0.1:PORT"; rejects when it exits first or is not ready in `timeoutMs`.
 */
function startServer({ config = path.join(SOURCE, 'scorecards', 'default.yaml'), args = [], timeoutMs = 60000 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-node-'));
  const binary = path.join(BUILD, 'bin', 'healthscore-server');
  const child = spawn(binary, [
    '--listen=127.0.0.1:0', '--admin-listen=', `--store=sqlite:${path.join(dir, 'h.db')}`,
    `--config=${config}`, `--plugin-dir=${path.join(BUILD, 'plugins')}`, '--watch-config=false',
    ...args,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited = null;
  const stop = () => new Promise((resolve) => {
    const done = () => {
      fs.rmSync(dir, { recursive: true, force: true });
      resolve();
    };
    if (exited) return done();
    child.once('exit', done);
    child.kill('SIGTERM');
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server was not ready after ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk) => {
      output += chunk;
      const m = /ready on (127\.0\.0\.1:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ address: m[1], log: () => output, stop, child });
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${binary}: ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      clearTimeout(timer);
      reject(new Error(`the server exited (${code === null ? signal : code}) before it was ready:\n${output}`));
    });
  });
}

/** build/sample/portfolio.csv as plain objects (no quoting in that file). */
function readPortfolio() {
  const text = fs.readFileSync(path.join(BUILD, 'sample', 'portfolio.csv'), 'utf8');
  const [header, ...lines] = text.split(/\r?\n/).filter((l) => l !== '');
  const names = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    const row = {};
    names.forEach((name, i) => { row[name] = cells[i]; });
    return row;
  });
}

module.exports = { startServer, readPortfolio, BUILD, SOURCE };
