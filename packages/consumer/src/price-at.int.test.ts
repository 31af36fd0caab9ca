// price_at against the real stack: Postgres directly and PostgREST through supabase-js (anon key), on
// the stack's `llmpt` database that PostgREST serves. Rows use a model id of their own per run.
import { randomBytes } from 'node:crypto';
import { createClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ws from 'ws';
import { stackEnv, waitFor } from '@llmpt/testkit';
import { costOfCallAt, priceAtPg, priceAtRest, type PriceAtQuery } from './price-at.ts';

const run = randomBytes(4).toString('hex');
const modelId = `test/price-at-${run}`;
type Transport = NonNullable<NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']>;

// Day 1 and day 2 the same price, day 3 a new one (observed 06:00 UTC each day); per-provider rows too.
const obs = (
  id: string,
  day: string,
  prompt: string,
  completion: string,
  provider: string | null = null,
  source = 'openrouter_api',
) => [
  `${run}-${id}`,
  `run-${run}-${day}`,
  `${modelId}|${provider ?? ''}|${source}`,
  modelId,
  provider,
  source,
  day,
  `${day}T06:00:00Z`,
  prompt,
  completion,
];
const rows = [
  obs('a', '2026-08-01', '1.25000000', '10.00000000'),
  obs('b', '2026-08-02', '1.25000000', '10.00000000'),
  obs('c', '2026-08-03', '2.50000000', '15.00000000'),
  obs('d', '2026-08-01', '1.00000000', '8.00000000', 'Alpha', 'openrouter_endpoints'),
  obs('e', '2026-08-01', '1.10000000', '9.00000000', 'Beta', 'openrouter_endpoints'),
];

let db: pg.Client;
const env = stackEnv();
const rest = createClient(env.supabaseUrl, env.supabaseAnonKey, {
  realtime: { transport: ws as unknown as Transport },
  auth: { persistSession: false },
});

beforeAll(async () => {
  db = new pg.Client({ connectionString: env.databaseUrl });
  await db.connect();
  for (const r of rows)
    await db.query(
      `insert into public.price_observations (event_id, run_id, price_key, model_id, provider, source_type,
         source_url, snapshot_date, observed_at, status, prompt, completion)
       values ($1, $2, $3, $4, $5, $6, 'https://openrouter.ai/api/v1/models', $7, $8, 'ok', $9, $10)`,
      r,
    );
  // A provider's own page for Beta: with the provider named and no source, the endpoint price wins.
  await db.query(
    `insert into public.price_observations (event_id, run_id, price_key, model_id, provider, source_type,
       source_url, snapshot_date, observed_at, status, prompt, completion)
     values ($1, 'r', $2, $3, 'Beta', 'provider_site', 'https://beta.example/pricing', '2026-08-01',
       '2026-08-01T06:00:00Z', 'ok', 1.2, 9.5)`,
    [`${run}-site`, `${modelId}|Beta|provider_site`, modelId],
  );
  // A tiered price as the normalizer publishes it: the highest tier in the columns, base and tiers as
  // structure; and an endpoint of the same model that publishes no tiers (OpenRouter's /endpoints).
  const base = [
    { dimension: 'prompt', amount: '1.25000000' },
    { dimension: 'completion', amount: '10.00000000' },
  ];
  const tiers = [
    {
      label: 'prompt_tokens>=200000',
      prompt_tokens_gte: 200000,
      prompt_tokens_gt: null,
      utc_start: null,
      utc_end: null,
      variant: null,
      other: [],
      prices: [
        { dimension: 'prompt', amount: '2.50000000' },
        { dimension: 'completion', amount: '15.00000000' },
      ],
    },
  ];
  await db.query(
    `insert into public.price_observations (event_id, run_id, price_key, model_id, source_type, source_url,
       snapshot_date, observed_at, status, prompt, completion, base, tiers)
     values ($1, 'r', $2, $3, 'openrouter_api', 'u', '2026-08-01', '2026-08-01T06:00:00Z', 'ok', 2.5, 15, $4, $5)`,
    [
      `${run}-tiered`,
      `${modelId}-tiered||openrouter_api`,
      `${modelId}-tiered`,
      JSON.stringify(base),
      JSON.stringify(tiers),
    ],
  );
  await db.query(
    `insert into public.price_observations (event_id, run_id, price_key, model_id, provider, source_type,
       source_url, snapshot_date, observed_at, status, prompt, completion, base)
     values ($1, 'r', $2, $3, 'google-vertex', 'openrouter_endpoints', 'u', '2026-08-01', '2026-08-01T06:00:00Z',
       'ok', 1.25, 10, $4)`,
    [
      `${run}-vertex`,
      `${modelId}-tiered|google-vertex|openrouter_endpoints`,
      `${modelId}-tiered`,
      JSON.stringify(base),
    ],
  );
  // PostgREST reloads its schema cache asynchronously after migrations: wait until it knows price_at.
  await waitFor(
    async () => !(await rest.rpc('price_at', { model_id: modelId, at: new Date().toISOString() })).error,
    {
      timeoutMs: 30_000,
      message: 'PostgREST exposing rpc/price_at',
    },
  );
});

afterAll(async () => {
  // The history is append-only for every role; replication mode (superuser) skips the guard trigger.
  await db.query(`set session_replication_role = replica`);
  await db.query(`delete from public.price_observations where model_id in ($1, $2)`, [
    modelId,
    `${modelId}-tiered`,
  ]);
  await db.end();
});

describe.each([
  { via: 'postgres', lookup: (q: PriceAtQuery) => priceAtPg(db, q) },
  { via: 'PostgREST (anon key)', lookup: (q: PriceAtQuery) => priceAtRest(rest, q) },
])('price_at via $via', ({ lookup }) => {
  it('the minute before a change returns the old price, the minute after the new one', async () => {
    const before = await lookup({ modelId, at: '2026-08-03T05:59:00Z' });
    expect(before).toHaveLength(1);
    expect(before[0]).toMatchObject({
      price_key: `${modelId}||openrouter_api`,
      status: 'ok',
      prompt: '1.25000000',
      completion: '10.00000000',
      internal_reasoning: null,
      // In force since its first observation, although observed again on day 2.
      effective_from: '2026-08-01T06:00:00.000Z',
      observed_at: '2026-08-02T06:00:00.000Z',
      event_id: `${run}-b`,
    });
    const after = await lookup({ modelId, at: '2026-08-03T06:01:00Z' });
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({
      prompt: '2.50000000',
      completion: '15.00000000',
      effective_from: '2026-08-03T06:00:00.000Z',
      event_id: `${run}-c`,
    });
  });

  it('the exact moment of the first observation is in force; a time before it is unknown (no row)', async () => {
    expect(await lookup({ modelId, at: '2026-08-01T06:00:00Z' })).toHaveLength(1);
    expect(await lookup({ modelId, at: '2026-08-01T05:59:59.999Z' })).toEqual([]);
    expect(await lookup({ modelId: `${modelId}-never`, at: '2026-09-01T00:00:00Z' })).toEqual([]);
  });

  it('per provider: one row per provider, or the one named', async () => {
    const all = await lookup({ modelId, at: '2026-08-05T00:00:00Z', source: 'openrouter_endpoints' });
    expect(all.map((r) => [r.provider, r.prompt])).toEqual([
      ['Alpha', '1.00000000'],
      ['Beta', '1.10000000'],
    ]);
    const beta = await lookup({
      modelId,
      at: '2026-08-05T00:00:00Z',
      source: 'openrouter_endpoints',
      provider: 'Beta',
    });
    expect(beta.map((r) => r.completion)).toEqual(['9.00000000']);
  });

  it('a provider without a source: every source of it, the structure as typed fields', async () => {
    const beta = await lookup({ modelId, at: '2026-08-05T00:00:00Z', provider: 'Beta' });
    expect(beta.map((r) => [r.source_type, r.prompt])).toEqual([
      ['openrouter_endpoints', '1.10000000'],
      ['provider_site', '1.20000000'],
    ]);
    const usage = { format: 'openai', usage: { prompt_tokens: 1000, completion_tokens: 100 } } as const;
    // SOURCE_PREFERENCE: the endpoint. 1000 × 1.10 / 1e6 = 0.0011 + 100 × 9 / 1e6 = 0.0009 → 0.002.
    const cost = await costOfCallAt(lookup, { modelId, at: '2026-08-05T00:00:00Z', provider: 'Beta' }, usage);
    expect(cost.total).toBe('0.002');
    await expect(
      costOfCallAt(lookup, { modelId, at: '2026-08-05T00:00:00Z', provider: 'Beta' }, usage, {
        strictSource: true,
      }),
    ).rejects.toMatchObject({ code: 'PRICE_AMBIGUOUS' });
    const [tiered] = await lookup({ modelId: `${modelId}-tiered`, at: '2026-08-02T00:00:00Z' });
    expect(tiered).toMatchObject({
      prompt: '2.50000000',
      input_audio: null,
      base: [
        { dimension: 'prompt', amount: '1.25000000' },
        { dimension: 'completion', amount: '10.00000000' },
      ],
      tiers: [{ label: 'prompt_tokens>=200000', prompt_tokens_gte: 200000, utc_start: null, other: [] }],
    });
  });

  it('prices a call at the price in force when it was made', async () => {
    const usage = { format: 'openai', usage: { prompt_tokens: 1000, completion_tokens: 100 } } as const;
    // Day 2: 1000 × 1.25 / 1e6 = 0.00125 + 100 × 10 / 1e6 = 0.001 → 0.00225.
    expect((await costOfCallAt(lookup, { modelId, at: '2026-08-02T12:00:00Z' }, usage)).total).toBe(
      '0.00225',
    );
    // Day 3: 1000 × 2.50 / 1e6 = 0.0025 + 100 × 15 / 1e6 = 0.0015 → 0.004.
    expect((await costOfCallAt(lookup, { modelId, at: '2026-08-03T12:00:00Z' }, usage)).total).toBe('0.004');
    // A tiered price: below the threshold the base, past it every token at the tier.
    const gemini = (n: number) =>
      ({ format: 'gemini', usageMetadata: { promptTokenCount: n, candidatesTokenCount: 1000 } }) as const;
    const tiered = { modelId: `${modelId}-tiered`, at: '2026-08-02T00:00:00Z' };
    // 10000 × 1.25 / 1e6 = 0.0125 + 1000 × 10 / 1e6 = 0.01 → 0.0225.
    expect((await costOfCallAt(lookup, tiered, gemini(10_000))).total).toBe('0.0225');
    // 250000 × 2.50 / 1e6 = 0.625 + 1000 × 15 / 1e6 = 0.015 → 0.64.
    expect((await costOfCallAt(lookup, tiered, gemini(250_000))).total).toBe('0.64');
    // The endpoint publishes no tiers; its base equals the routed one, so the routed tier applies and
    // the breakdown says so: 300000 × 2.50 / 1e6 = 0.75 + 0.015 → 0.765.
    const vertex = await costOfCallAt(lookup, { ...tiered, provider: 'google-vertex' }, gemini(300_000));
    expect(vertex.total).toBe('0.765');
    expect(vertex.price.source_type).toBe('openrouter_endpoints');
    expect(vertex.tiersFrom).toEqual({
      source: 'openrouter_api',
      price_key: `${modelId}-tiered||openrouter_api`,
    });
    await expect(costOfCallAt(lookup, { modelId, at: '2026-07-31T00:00:00Z' }, usage)).rejects.toMatchObject({
      code: 'PRICE_UNKNOWN',
    });
  });
});
