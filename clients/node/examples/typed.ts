// The same in TypeScript: the message types are generated from the proto
// (npm run gen); `npm run typecheck` checks this file against them.
import { Client, RowError, HealthscoreError, type Score, type Driver, toDate } from '../src';

async function main(target: string): Promise<void> {
  const client = new Client(target, { timeout: 10 });
  try {
    const score: Score = await client.score({ customerId: 'acme', signals: { late_payments_12m: 2 }, explain: 'full' });
    const down: Driver[] = score.topDriversDown;
    console.log(score.band, score.grade, down.map((d) => d.message));
    const results = await client.scoreBatch([{ customer_id: 'a', revenue_growth_pct: 3 }], { layout: 'compact' });
    for (const r of results) {
      if (r instanceof RowError) console.log(r.customerId, r.codeName, r.message);
      else console.log(r.customerId, r.score.toFixed(1), r.dimensions.map((d) => `${d.name} ${d.status}`));
    }
    const points = await client.history('acme', { from: '2026-01-01' });
    for (const p of points) console.log(toDate(p.asOf)?.toISOString(), p.score);
    const why = await client.why('acme', new Date('2026-01-01'));
    console.log(why.delta, why.summary);
    for await (const event of client.watchAlerts({ afterCursor: 0 })) {
      console.log(event.cursor, event.kind, event.alert?.ruleId);
      break;
    }
  } catch (err) {
    if (err instanceof HealthscoreError) console.error(err.code, err.details);
    else throw err;
  } finally {
    client.close();
  }
}

void main(process.argv[2] ?? '127.0.0.1:50051');
