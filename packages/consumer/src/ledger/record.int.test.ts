// The usage ledger on a fresh, fully migrated database: calls priced at the price in force when they
// were made, recorded once each, summed per UTC day and month.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type FreshDatabase } from '@llmpt/testkit';
import { costOfCallAt, priceAtPg } from '../price-at.ts';
import { recordCall } from './record.ts';

let fresh: FreshDatabase;
let db: pg.Client;
const model = 'google/gemini-2.5-pro';

beforeAll(async () => {
  fresh = await freshDatabase('consumer-ledger');
  db = new pg.Client({ connectionString: fresh.url });
  await db.connect();
  // $1.25/$10 from 2026-08-01, $2.50/$15 from 2026-08-02 06:00 UTC.
  for (const [id, day, prompt, completion] of [
    ['o1', '2026-08-01', '1.25', '10'],
    ['o2', '2026-08-02', '2.5', '15'],
  ] as const)
    await db.query(
      `insert into public.price_observations (event_id, run_id, price_key, model_id, source_type, source_url,
         snapshot_date, observed_at, status, prompt, completion)
       values ($1, 'r', $2, $3, 'openrouter_api', 'u', $4, $5, 'ok', $6, $7)`,
      [id, `${model}||openrouter_api`, model, day, `${day}T06:00:00Z`, prompt, completion],
    );
});

afterAll(async () => {
  await db?.end();
  await fresh?.drop();
});

describe('usage ledger', () => {
  it('records calls once and sums them per day and month', async () => {
    const usage = {
      format: 'gemini',
      usageMetadata: { promptTokenCount: 1000, candidatesTokenCount: 100 },
    } as const;
    const calls = [
      // Day 1 at $1.25/$10: 1000 × 1.25 / 1e6 + 100 × 10 / 1e6 = 0.00125 + 0.001 = 0.00225 (twice).
      ['c1', '2026-08-01T10:00:00Z'],
      ['c2', '2026-08-01T23:59:59Z'],
      // Day 2 before 06:00 still $1.25/$10: 0.00225; after: 1000 × 2.5 / 1e6 + 100 × 15 / 1e6 = 0.004.
      ['c3', '2026-08-02T05:00:00Z'],
      ['c4', '2026-08-02T07:00:00Z'],
    ] as const;
    for (const [callId, at] of calls) {
      const cost = await costOfCallAt((q) => priceAtPg(db, q), { modelId: model, at }, usage);
      expect(
        await recordCall(db, {
          callId,
          calledAt: at,
          modelId: model,
          cost,
          priceEventId: cost.price.event_id,
        }),
      ).toBe(true);
    }
    const again = await costOfCallAt((q) => priceAtPg(db, q), { modelId: model, at: calls[0][1] }, usage);
    expect(await recordCall(db, { callId: 'c1', calledAt: calls[0][1], modelId: model, cost: again })).toBe(
      false,
    );

    const daily = await db.query(
      `select day::text, calls::int, prompt_tokens::int, completion_tokens::int, cost::text from public.usage_daily order by day`,
    );
    expect(daily.rows).toEqual([
      { day: '2026-08-01', calls: 2, prompt_tokens: 2000, completion_tokens: 200, cost: '0.00450' },
      // 0.00225 + 0.004 = 0.00625
      { day: '2026-08-02', calls: 2, prompt_tokens: 2000, completion_tokens: 200, cost: '0.00625' },
    ]);
    const monthly = await db.query(`select month::text, calls::int, cost::text from public.usage_monthly`);
    // 0.0045 + 0.00625 = 0.01075
    expect(monthly.rows).toEqual([{ month: '2026-08-01', calls: 4, cost: '0.01075' }]);
  });
});
