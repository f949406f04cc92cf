// Scores one customer and a CSV of customers, then follows the alerts.
//   node examples/score.js 127.0.0.1:50051 ../../build/sample/portfolio.csv
'use strict';
const fs = require('fs');
const { Client, RowError, InvalidArgumentError } = require('..');

async function main(target, csvPath) {
  const client = new Client(target, { timeout: 30 });
  try {
    const score = await client.score({
      customerId: 'acme', segment: 'enterprise', explain: 'summary',
      signals: { feature_adoption_pct: 35, logins_30d: 120, logins_prev_30d: 300, late_payments_12m: 2, revenue_growth_pct: -5 },
    });
    console.log(`${score.customerId}: ${score.score.toFixed(1)} ${score.band} (${score.grade})`);
    for (const d of score.topDriversDown) console.log(`  ${d.impact.toFixed(1)} ${d.message}`);
    for (const a of score.actions) console.log(`  -> ${a.text}`);

    try {
      await client.score({ customerId: 'acme', signals: { late_payments_12m: -1 } });
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err;
      console.log(`refused (${err.codeName}): ${err.message}`);
    }

    if (csvPath) {
      const [header, ...lines] = fs.readFileSync(csvPath, 'utf8').trim().split('\n');
      const names = header.split(',');
      const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], v])));
      const results = await client.scoreBatch(rows, { explain: 'summary' });  // compact layout
      const red = results.filter((r) => !(r instanceof RowError) && r.band === 'red');
      const errors = results.filter((r) => r instanceof RowError);
      console.log(`${results.length} rows: ${red.length} red, ${errors.length} not scored`);
      for (const r of red.slice(0, 5)) {
        console.log(`  ${r.customerId} ${r.score.toFixed(1)}: ${r.topDriversDown[0]?.message ?? ''}`);
      }
    }

    // The newest alert events, then stop (a real watcher keeps the loop going
    // and stores event.cursor to resume from).
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 2000).unref();
    for await (const event of client.watchAlerts({ severity: 'high', signal: abort.signal })) {
      console.log(`alert ${event.kind} ${event.alert.customerId}: ${event.alert.message}`);
    }
  } finally {
    client.close();
  }
}

main(process.argv[2] || '127.0.0.1:50051', process.argv[3]).catch((err) => {
  console.error(err.message);
  process.exit(1);
});
