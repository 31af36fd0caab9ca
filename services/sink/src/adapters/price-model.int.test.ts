// The price model v2 in the database (migrations/0010): the SQL follows the dimension registry, price_at
// returns every dimension, the base and the tiers (money as text, in the columns and in the jsonb, also
// through PostgREST), and the replay checksums see the new columns.
import { createClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ws from 'ws';
import { DIMENSION_NAMES } from '@llmpt/schemas';
import { freshDatabase, stackEnv, uniquePrefix, type FreshDatabase } from '@llmpt/testkit';
import { tableChecksums } from './checksums.ts';
import { project, type DecodedEvent } from '../core/project.ts';
import { DAY, HOUR, T0, TIERED, normalizedPrice, priceChanged } from '@llmpt/schemas/samples';
import { createPostgresStore } from './postgres.ts';
import { createSupabaseStore } from './supabase.ts';

/** price_at's columns, in order: the contract packages/consumer reads. */
const PRICE_AT_COLUMNS = [
  'price_key',
  'model_id',
  'provider',
  'source_type',
  'status',
  'unavailable_reason',
  'effective_from',
  'observed_at',
  'event_id',
  'currency',
  ...DIMENSION_NAMES,
  'base',
  'tiers',
];

const iso = (ms: number): string => new Date(ms).toISOString();

async function write(url: string, batch: readonly DecodedEvent[]): Promise<void> {
  const store = createPostgresStore({ databaseUrl: url });
  try {
    await store.writeBatch(project(batch));
  } finally {
    await store.close();
  }
}

describe('the SQL follows the dimension registry', () => {
  let fresh: FreshDatabase;
  let db: pg.Client;
  beforeAll(async () => {
    fresh = await freshDatabase('price_model', { namePrefix: 'llmpt_sink' });
    db = new pg.Client({ connectionString: fresh.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await fresh?.drop();
  });

  const columns = async (relation: string, where = 'true'): Promise<string[]> =>
    (
      await db.query<{ name: string }>(
        `select a.attname as name from pg_attribute a
          where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped and ${where}
          order by a.attnum`,
        [relation],
      )
    ).rows.map((r) => r.name);
  const money = "format_type(a.atttypid, a.atttypmod) = 'numeric(18,8)'";

  it('price_dimension_names() is DIMENSION_NAMES', async () => {
    const { rows } = await db.query<{ names: string[] }>('select public.price_dimension_names() as names');
    expect(rows[0]?.names).toEqual(DIMENSION_NAMES);
  });

  it('the money columns of price_observations and model_pricing_daily are the dimensions, in registry order', async () => {
    expect(await columns('public.price_observations', money)).toEqual(DIMENSION_NAMES);
    expect(await columns('public.model_pricing_daily', money)).toEqual(DIMENSION_NAMES);
    expect(await columns('public.model_pricing_daily')).toEqual(expect.arrayContaining(['base', 'tiers']));
  });

  it("price_at's row type is the documented column list: every dimension as text, base and tiers as jsonb", async () => {
    expect(await columns('public.price_in_force')).toEqual(PRICE_AT_COLUMNS);
    const { rows } = await db.query<{ name: string; type: string }>(
      `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type from pg_attribute a
        where a.attrelid = 'public.price_in_force'::regclass and a.attnum > 0 order by a.attnum`,
    );
    const types = Object.fromEntries(rows.map((r) => [r.name, r.type]));
    for (const d of DIMENSION_NAMES) expect(types[d], d).toBe('text');
    expect([types['base'], types['tiers']]).toEqual(['jsonb', 'jsonb']);
  });

  it('the structure check accepts every registered dimension and nothing else', async () => {
    const check = async (dimension: string): Promise<boolean> =>
      (
        await db.query<{ ok: boolean }>('select public.is_price_set($1::jsonb) as ok', [
          JSON.stringify([{ dimension, amount: '1.00000000' }]),
        ])
      ).rows[0]!.ok;
    for (const d of DIMENSION_NAMES) expect(await check(d), d).toBe(true);
    expect(await check('audio')).toBe(false);
  });
});

describe('price_at', () => {
  const model = 'anthropic/claude-sonnet-4';
  const provider = 'google-vertex';
  const endpoints = `${model}|${provider}|openrouter_endpoints`;
  const lowerBase = TIERED.base.map((p) => (p.dimension === 'prompt' ? { ...p, amount: '2.50000000' } : p));
  const events: DecodedEvent[] = [
    // A v1 observation: the columns only.
    normalizedPrice({ provider, observed_at: T0, ...TIERED, base: [], tiers: [], unregistered: [] }),
    normalizedPrice({ provider, observed_at: T0 + DAY, ...TIERED }),
    // The base moves under an unchanged highest tier: the columns are equal, the price is not.
    normalizedPrice({ provider, observed_at: T0 + 2 * DAY, ...TIERED, base: lowerBase }),
    normalizedPrice({ provider, observed_at: T0 + 3 * DAY, ...TIERED, base: lowerBase }),
    normalizedPrice({ provider, source_type: 'provider_site', observed_at: T0, ...TIERED }),
    normalizedPrice({ provider: null, source_type: 'openrouter_api', observed_at: T0, ...TIERED }),
  ];
  let fresh: FreshDatabase;
  let db: pg.Client;
  beforeAll(async () => {
    fresh = await freshDatabase('price_at', { namePrefix: 'llmpt_sink' });
    db = new pg.Client({ connectionString: fresh.url });
    await db.connect();
    await write(fresh.url, events);
  });
  afterAll(async () => {
    await db?.end();
    await fresh?.drop();
  });

  const priceAt = async (at: number, p: string | null, source: string | null) =>
    (
      await db.query<Record<string, unknown>>('select * from public.price_at($1, $2, $3, $4)', [
        model,
        iso(at),
        p,
        source,
      ])
    ).rows;

  it('returns every dimension as text, the base and the tiers, money as strings inside the jsonb', async () => {
    const [row] = await priceAt(T0 + DAY + HOUR, provider, 'openrouter_endpoints');
    expect(Object.keys(row!)).toEqual(PRICE_AT_COLUMNS);
    expect(row).toMatchObject({
      price_key: endpoints,
      status: 'ok',
      effective_from: new Date(T0 + DAY),
      prompt: '6.00000000',
      input_cache_write_1h: '6.00000000',
      input_audio: '2.10000000',
      image_token: '0.00012345',
      discount: null,
      base: TIERED.base,
      tiers: TIERED.tiers,
    });
  });

  it('gives a v1 observation base and tiers [] beside its columns', async () => {
    const [row] = await priceAt(T0 + HOUR, provider, 'openrouter_endpoints');
    expect(row).toMatchObject({ prompt: '6.00000000', base: [], tiers: [], effective_from: new Date(T0) });
  });

  it('compares the whole price: a base-only move starts a new effective date, an identical one does not', async () => {
    const [row] = await priceAt(T0 + 3 * DAY + HOUR, provider, 'openrouter_endpoints');
    expect(row).toMatchObject({
      observed_at: new Date(T0 + 3 * DAY),
      effective_from: new Date(T0 + 2 * DAY),
      prompt: '6.00000000',
      base: lowerBase,
    });
  });

  it('with a provider and no source, returns every source of that provider', async () => {
    const rows = await priceAt(T0 + HOUR, provider, null);
    expect(rows.map((r) => r['source_type'])).toEqual(['openrouter_endpoints', 'provider_site']);
    expect(await priceAt(T0 + HOUR, null, 'openrouter_api')).toHaveLength(1);
  });

  it('returns a removed key with no price: null dimensions, base and tiers []', async () => {
    const removal = priceChanged({
      provider,
      kind: 'removed',
      snapshot_date: iso(T0 + 4 * DAY).slice(0, 10),
      current_observed_at: null,
    });
    await write(fresh.url, [removal]);
    const [row] = await priceAt(T0 + 4 * DAY + HOUR, provider, 'openrouter_endpoints');
    expect(row).toMatchObject({
      status: 'removed',
      prompt: null,
      input_cache_write_1h: null,
      base: [],
      tiers: [],
    });
  });
});

describe('through PostgREST (anon key)', () => {
  const env = stackEnv();
  type Transport = NonNullable<NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']>;
  const anon = createClient(env.supabaseUrl, env.supabaseAnonKey, {
    realtime: { transport: ws as unknown as Transport },
    auth: { persistSession: false },
  });
  const p = uniquePrefix('sink-rest');
  const model = `${p}anthropic/claude-sonnet-4`;
  const provider = `${p}vertex`;

  beforeAll(async () => {
    const store = createSupabaseStore({ url: env.supabaseUrl, serviceRoleKey: env.supabaseServiceRoleKey });
    try {
      await store.writeBatch(project([normalizedPrice({ model_id: model, provider, ...TIERED })]));
    } finally {
      await store.close();
    }
  });

  it('price_at returns money as strings, in the columns and in base and tiers', async () => {
    const { data, error } = (await anon.rpc('price_at', {
      model_id: model,
      at: iso(T0 + HOUR),
      provider,
      source: null,
    })) as { data: unknown; error: unknown };
    expect(error).toBeNull();
    const rows = data as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    for (const d of DIMENSION_NAMES) expect(row[d] === null || typeof row[d] === 'string', d).toBe(true);
    expect(row).toMatchObject({
      prompt: '6.00000000',
      image_token: '0.00012345',
      base: TIERED.base,
      tiers: TIERED.tiers,
    });
  });

  it('model_pricing_daily serves the structure as JSON and the new columns as text when cast', async () => {
    const { data, error } = await anon
      .from('model_pricing_daily')
      .select('input_cache_write_1h::text, input_audio::text, base, tiers')
      .eq('model_id', model);
    expect(error).toBeNull();
    expect(data).toEqual([
      {
        input_cache_write_1h: '6.00000000',
        input_audio: '2.10000000',
        base: TIERED.base,
        tiers: TIERED.tiers,
      },
    ]);
  });
});

describe('replay checksums', () => {
  it('cover the new columns and the structure: a database differing only in a tier differs', async () => {
    const a = await freshDatabase('checksum_a', { namePrefix: 'llmpt_sink' });
    const b = await freshDatabase('checksum_b', { namePrefix: 'llmpt_sink' });
    try {
      const other = { ...TIERED.tiers[1], prices: [{ dimension: 'prompt', amount: '1.40000000' }] };
      await write(a.url, [normalizedPrice({ ...TIERED })]);
      await write(b.url, [normalizedPrice({ ...TIERED, tiers: [TIERED.tiers[0], other] })]);
      const sums = async (url: string) => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          return await tableChecksums(c);
        } finally {
          await c.end();
        }
      };
      const [sa, sb] = [await sums(a.url), await sums(b.url)];
      expect(sa.price_observations?.rows).toBe(1);
      expect(sa.price_observations?.md5).not.toBe(sb.price_observations?.md5);
      expect(sa.providers).toEqual(sb.providers);
    } finally {
      await a.drop();
      await b.drop();
    }
  });
});
