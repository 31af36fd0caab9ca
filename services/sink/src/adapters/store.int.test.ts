// The same suite against both store adapters, on the real stack: the postgres adapter on a fresh
// database migrated for this file, the supabase adapter through PostgREST on the stack's `llmpt`
// database (its rows isolated by a unique model/provider prefix per test).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeDigest, DIMENSION_NAMES, type PriceChangeRetracted } from '@llmpt/schemas';
import { freshDatabase, stackEnv, uniquePrefix, waitFor } from '@llmpt/testkit';
import { project, type DecodedEvent, type ObservationRow, type Rows } from '../core/project.ts';
import { SinkStoreError, type PriceStore } from './store.ts';
import {
  DAY,
  HOUR,
  T0,
  TIERED,
  modelDiscovered,
  normalizedPrice,
  priceChanged,
  rawPriceObserved,
  samples,
} from '@llmpt/schemas/samples';
import { createPostgresStore } from './postgres.ts';
import { createSupabaseStore } from './supabase.ts';
import { tableChecksums } from './checksums.ts';

interface Target {
  /** The store under test. */
  store: PriceStore;
  /** A direct connection to the database behind it, to read rows back exactly (numeric as text). */
  db: pg.Client;
  close(): Promise<void>;
}

const env = stackEnv();

const targets: { name: string; open: () => Promise<Target> }[] = [
  {
    name: 'postgres',
    open: async () => {
      const fresh = await freshDatabase('store', { namePrefix: 'llmpt_sink' });
      const db = new pg.Client({ connectionString: fresh.url });
      await db.connect();
      const store = createPostgresStore({ databaseUrl: fresh.url });
      return {
        store,
        db,
        close: async () => {
          await store.close();
          await db.end();
          await fresh.drop();
        },
      };
    },
  },
  {
    name: 'supabase',
    open: async () => {
      const db = new pg.Client({ connectionString: env.databaseUrl });
      await db.connect();
      const store = createSupabaseStore({ url: env.supabaseUrl, serviceRoleKey: env.supabaseServiceRoleKey });
      return {
        store,
        db,
        close: async () => {
          await store.close();
          await db.end();
        },
      };
    },
  },
];

/** Events for one isolated model and provider: every id starts with `p`. */
function fixture(p: string) {
  const model = `${p}anthropic/claude-sonnet-4`;
  const provider = `${p}anthropic`;
  return {
    model,
    provider,
    md: (o: Parameters<typeof modelDiscovered>[0] = {}) => modelDiscovered({ model_id: model, ...o }),
    np: (o: Parameters<typeof normalizedPrice>[0] = {}) =>
      normalizedPrice({ model_id: model, provider, ...o }),
    pc: (o: Parameters<typeof priceChanged>[0] = {}) => priceChanged({ model_id: model, provider, ...o }),
    raw: (o: Parameters<typeof rawPriceObserved>[0] = {}) =>
      rawPriceObserved({ model_id: model, provider, ...o }),
  };
}

/** Every row of the prefix, as JSON text in key order: equal snapshots = nothing changed. */
async function snapshot(db: pg.Client, p: string): Promise<Record<string, string[]>> {
  const like = `${p}%`;
  const q = async (sql: string): Promise<string[]> =>
    (await db.query<{ j: string }>(sql, [like])).rows.map((r) => r.j);
  return {
    providers: await q(`select row_to_json(t)::text j from providers t where slug like $1 order by slug`),
    models: await q(
      `select row_to_json(t)::text j from models_catalog t where model_id like $1 order by model_id`,
    ),
    modelProviders: await q(
      `select row_to_json(t)::text j from model_providers t where model_id like $1 order by model_id, provider`,
    ),
    observations: await q(
      `select row_to_json(t)::text j from price_observations t where model_id like $1 order by event_id`,
    ),
    changes: await q(
      `select row_to_json(t)::text j from price_changes t where model_id like $1 order by event_id, digest`,
    ),
    retractions: await q(
      `select row_to_json(t)::text j from price_change_retractions t where price_key like $1 order by event_id`,
    ),
    modelVersions: await q(
      `select row_to_json(t)::text j from model_versions t where model_id like $1 order by event_id`,
    ),
    modelSightings: await q(
      `select row_to_json(t)::text j from model_sightings t where model_id like $1 order by model_id, fetched_at`,
    ),
  };
}

const countAll = async (db: pg.Client, p: string): Promise<number> =>
  Object.values(await snapshot(db, p)).reduce((n, rows) => n + rows.length, 0);

describe.each(targets)('$name store', ({ name, open }) => {
  let t: Target;
  beforeAll(async () => {
    t = await open();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('writes a batch: every table, money exact to the 8th decimal', async () => {
    const f = fixture(uniquePrefix(`sink-${name}`));
    const result = await t.store.writeBatch(
      project([f.md(), f.raw(), f.np({ prompt: '0.00000375', completion: '123456789.12345678' }), f.pc()]),
    );
    expect(result).toEqual({
      inserted: {
        observations: 1,
        changes: 1,
        retractions: 0,
        modelVersions: 1,
        modelSightings: 1,
        verifications: 0,
        discrepancies: 0,
      },
      upserted: { providers: 1, models: 1, modelProviders: 1 },
    });

    const obs = await t.db.query(
      `select prompt::text, completion::text, input_cache_read::text, input_cache_write::text, image::text,
              request, internal_reasoning, snapshot_date::text, observed_at, status, notes, price_key
         from price_observations where model_id = $1`,
      [f.model],
    );
    expect(obs.rows).toEqual([
      {
        prompt: '0.00000375',
        completion: '123456789.12345678',
        input_cache_read: '0.30000000',
        input_cache_write: '3.75000000',
        image: '0.00480000',
        request: null,
        internal_reasoning: null,
        snapshot_date: '2026-05-07',
        observed_at: new Date(T0),
        status: 'ok',
        notes: [],
        price_key: `${f.model}|${f.provider}|openrouter_endpoints`,
      },
    ]);

    const change = await t.db.query(
      `select kind, changes, alert, alert_threshold::text, previous_observed_at, current_observed_at
         from price_changes where model_id = $1`,
      [f.model],
    );
    expect(change.rows).toEqual([
      {
        kind: 'changed',
        changes: [
          {
            dimension: 'prompt',
            previous: '3.00000000',
            current: '1.50000000',
            relative_change: '-0.50000000',
            tier: null,
            change: 'changed',
          },
        ],
        alert: true,
        alert_threshold: '0.30',
        previous_observed_at: new Date(T0 - DAY),
        current_observed_at: new Date(T0),
      },
    ]);

    const model = await t.db.query(
      `select name, context_length::text, input_modalities, supported_parameters, top_provider, raw->'extra' as extra,
              first_seen_at, last_seen_at, created_at_source
         from models_catalog where model_id = $1`,
      [f.model],
    );
    expect(model.rows).toEqual([
      {
        name: 'Anthropic: Claude Sonnet 4',
        context_length: '200000',
        input_modalities: ['text', 'image'],
        supported_parameters: ['tools', 'max_tokens'],
        top_provider: { context_length: 200_000, max_completion_tokens: 64_000, is_moderated: true },
        extra: 1,
        first_seen_at: new Date(T0),
        last_seen_at: new Date(T0),
        created_at_source: new Date(Date.UTC(2025, 4, 22)),
      },
    ]);

    const providers = await t.db.query(`select slug, name from providers where slug = $1`, [f.provider]);
    expect(providers.rows).toEqual([{ slug: f.provider, name: 'Anthropic' }]);
    const endpoints = await t.db.query(
      `select tag, context_length::int, max_completion_tokens::int, status from model_providers where model_id = $1`,
      [f.model],
    );
    expect(endpoints.rows).toEqual([
      { tag: 'anthropic', context_length: 200_000, max_completion_tokens: 64_000, status: 0 },
    ]);
  });

  it('writes the same batch twice: the second write changes nothing', async () => {
    const p = uniquePrefix(`sink-${name}`);
    const f = fixture(p);
    const rows = project([
      f.md(),
      f.raw(),
      f.np(),
      f.np({ provider: null, source_type: 'openrouter_api' }),
      f.pc(),
    ]);
    await t.store.writeBatch(rows);
    const before = await snapshot(t.db, p);
    expect(before.observations).toHaveLength(2);

    const again = await t.store.writeBatch(rows);
    expect(again).toEqual({
      inserted: {
        observations: 0,
        changes: 0,
        retractions: 0,
        modelVersions: 0,
        modelSightings: 0,
        verifications: 0,
        discrepancies: 0,
      },
      upserted: { providers: 0, models: 0, modelProviders: 0 },
    });
    expect(await snapshot(t.db, p)).toEqual(before);
  });

  it('keeps first_seen_at and moves last_seen_at when a model is seen again later', async () => {
    const f = fixture(uniquePrefix(`sink-${name}`));
    const read = async (): Promise<unknown[]> =>
      (
        await t.db.query<Record<string, unknown>>(
          `select name, first_seen_at, last_seen_at from models_catalog where model_id = $1`,
          [f.model],
        )
      ).rows;
    await t.store.writeBatch(project([f.md({ fetched_at: T0 })]));
    const later = await t.store.writeBatch(project([f.md({ fetched_at: T0 + DAY, name: 'Renamed' })]));
    expect(later.upserted.models).toBe(1);
    expect(await read()).toEqual([
      { name: 'Renamed', first_seen_at: new Date(T0), last_seen_at: new Date(T0 + DAY) },
    ]);

    // A late replay of the older event changes nothing: its columns are not the newest.
    const replay = await t.store.writeBatch(project([f.md({ fetched_at: T0 })]));
    expect(replay.upserted.models).toBe(0);
    expect(await read()).toEqual([
      { name: 'Renamed', first_seen_at: new Date(T0), last_seen_at: new Date(T0 + DAY) },
    ]);

    // An even earlier sighting only moves first_seen_at back.
    await t.store.writeBatch(project([f.md({ fetched_at: T0 - DAY, name: 'Oldest' })]));
    expect(await read()).toEqual([
      { name: 'Renamed', first_seen_at: new Date(T0 - DAY), last_seen_at: new Date(T0 + DAY) },
    ]);
  });

  // docs/design.md §3 "Model metadata history" (migrations/0015).
  it('keeps the model metadata history: one version per entry, one sighting per fetch, append-only', async () => {
    const f = fixture(uniquePrefix(`sink-${name}`));
    const v1 = (at: number) => f.md({ event_id: `${f.model}#v1`, fetched_at: at, context_length: 100_000 });
    const v2 = f.md({ event_id: `${f.model}#v2`, fetched_at: T0 + 2 * DAY, context_length: 1_000_000 });
    const first = await t.store.writeBatch(project([v1(T0)]));
    expect(first.inserted).toMatchObject({ modelVersions: 1, modelSightings: 1 });
    // The same entry seen the next day: a sighting, no new version; then a changed entry.
    const second = await t.store.writeBatch(project([v1(T0 + DAY)]));
    expect(second.inserted).toMatchObject({ modelVersions: 0, modelSightings: 1 });
    const third = await t.store.writeBatch(project([v2]));
    expect(third.inserted).toMatchObject({ modelVersions: 1, modelSightings: 1 });
    // A replay of all of it, in another order, adds nothing.
    const replay = await t.store.writeBatch(project([v2, v1(T0 + DAY), v1(T0)]));
    expect(replay.inserted).toMatchObject({ modelVersions: 0, modelSightings: 0 });

    const versions = await t.db.query(
      `select event_id, name, context_length::int from model_versions where model_id = $1 order by event_id`,
      [f.model],
    );
    expect(versions.rows).toEqual([
      { event_id: `${f.model}#v1`, name: 'Anthropic: Claude Sonnet 4', context_length: 100_000 },
      { event_id: `${f.model}#v2`, name: 'Anthropic: Claude Sonnet 4', context_length: 1_000_000 },
    ]);
    const sightings = await t.db.query(
      `select fetched_at, event_id from model_sightings where model_id = $1 order by fetched_at`,
      [f.model],
    );
    expect(sightings.rows).toEqual([
      { fetched_at: new Date(T0), event_id: `${f.model}#v1` },
      { fetched_at: new Date(T0 + DAY), event_id: `${f.model}#v1` },
      { fetched_at: new Date(T0 + 2 * DAY), event_id: `${f.model}#v2` },
    ]);
    // Another id claiming a stored instant: the first written stays.
    await t.store.writeBatch(project([f.md({ event_id: `${f.model}#v0`, fetched_at: T0 })]));
    expect(
      (
        await t.db.query(`select event_id from model_sightings where model_id = $1 and fetched_at = $2`, [
          f.model,
          new Date(T0),
        ])
      ).rows,
    ).toEqual([{ event_id: `${f.model}#v1` }]);
    // History is immutable for everyone, the database owner included (the trigger of migrations/0003).
    for (const sql of [
      `update model_versions set name = 'x' where model_id = $1`,
      `delete from model_sightings where model_id = $1`,
    ])
      await expect(t.db.query(sql, [f.model])).rejects.toMatchObject({ code: 'P0001' });
  });

  it('converges whatever order the batches arrive in', async () => {
    const events = (f: ReturnType<typeof fixture>): DecodedEvent[][] => [
      [f.md({ fetched_at: T0 }), f.np({ observed_at: T0 }), f.raw({ fetched_at: T0 })],
      [
        f.md({ fetched_at: T0 + DAY, name: 'Renamed' }),
        f.np({ observed_at: T0 + DAY, prompt: '1.50000000' }),
      ],
      [f.raw({ fetched_at: T0 + 2 * DAY, endpoint: null, provider_name: null }), f.pc()],
    ];
    const a = uniquePrefix(`sink-${name}`);
    const b = uniquePrefix(`sink-${name}`);
    for (const batch of events(fixture(a))) await t.store.writeBatch(project(batch));
    for (const batch of events(fixture(b)).reverse()) await t.store.writeBatch(project(batch));
    // Same content once the prefix and the write-time columns are set aside.
    const normalize = (s: Record<string, string[]>, p: string) =>
      Object.fromEntries(
        Object.entries(s).map(([k, rows]) => [
          k,
          rows.map((r) => {
            // A change's digest hashes its ids, which carry the prefix: checked per prefix below.
            const {
              updated_at: _u,
              inserted_at: _i,
              digest: _d,
              ...rest
            } = JSON.parse(r.split(p).join('')) as Record<string, unknown>;
            return rest;
          }),
        ]),
      );
    const sa = normalize(await snapshot(t.db, a), a);
    expect(sa.models).toHaveLength(1);
    expect(sa.models?.[0]).toMatchObject({ name: 'Renamed' });
    expect(sa.providers?.[0]).toMatchObject({ name: 'Anthropic' });
    expect(sa.modelProviders?.[0]).toMatchObject({ tag: 'anthropic', status: 0 });
    expect(normalize(await snapshot(t.db, b), b)).toEqual(sa);
    const digests = async (p: string) =>
      (
        await t.db.query<{ digest: string }>(`select digest from price_changes where model_id like $1`, [
          `${p}%`,
        ])
      ).rows;
    for (const p of [a, b])
      expect(await digests(p)).toEqual([{ digest: changeDigest(fixture(p).pc().event) }]);
  });

  it('serves the latest observation per model, provider, source and day in model_pricing_daily', async () => {
    const f = fixture(uniquePrefix(`sink-${name}`));
    await t.store.writeBatch(
      project([
        f.np({ observed_at: T0, prompt: '3.00000000' }),
        f.np({ observed_at: T0 + HOUR, prompt: '2.50000000' }), // same day, later: wins day 1
        f.np({ observed_at: T0 + DAY, prompt: '2.00000000' }), // next day
        f.np({ observed_at: T0 - HOUR, prompt: '9.00000000' }), // same day, earlier: hidden
        f.np({ provider: null, source_type: 'openrouter_api', observed_at: T0, prompt: '3.30000000' }),
      ]),
    );
    const daily = await t.db.query(
      `select provider, source_type, snapshot_date::text, prompt::text, observed_at
         from model_pricing_daily where model_id = $1 order by snapshot_date, source_type`,
      [f.model],
    );
    expect(daily.rows).toEqual([
      {
        provider: null,
        source_type: 'openrouter_api',
        snapshot_date: '2026-05-07',
        prompt: '3.30000000',
        observed_at: new Date(T0),
      },
      {
        provider: f.provider,
        source_type: 'openrouter_endpoints',
        snapshot_date: '2026-05-07',
        prompt: '2.50000000',
        observed_at: new Date(T0 + HOUR),
      },
      {
        provider: f.provider,
        source_type: 'openrouter_endpoints',
        snapshot_date: '2026-05-08',
        prompt: '2.00000000',
        observed_at: new Date(T0 + DAY),
      },
    ]);
  });

  it('rejects a batch with a row violating a constraint and leaves none of its rows', async () => {
    const p = uniquePrefix(`sink-${name}`);
    const f = fixture(p);
    const rows = project([f.md(), f.raw(), f.np(), f.pc(), f.np({ observed_at: T0 + HOUR })]);
    const bad: Rows = {
      ...rows,
      observations: [
        rows.observations[0]!,
        { ...rows.observations[1]!, source_url: null } as unknown as ObservationRow,
      ],
    };
    const err = await t.store.writeBatch(bad).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SinkStoreError);
    expect(err).toMatchObject({ code: 'SINK_CONSTRAINT_VIOLATION', retriable: false, sqlState: '23502' });
    expect(await countAll(t.db, p)).toBe(0);
  });

  it('writes every dimension, the base, the tiers and unregistered keys, money as strings', async () => {
    const f = fixture(uniquePrefix(`sink-${name}`));
    await t.store.writeBatch(
      project([
        f.np({ ...TIERED }),
        f.pc({ kind: 'expiring', expiration_date: '2027-05-14' }),
        f.md({ expiration_date: '2027-05-14' }),
      ]),
    );
    const money = DIMENSION_NAMES.map((d) => `${d}::text`).join(', ');
    const obs = await t.db.query<Record<string, unknown>>(
      `select ${money}, base, tiers, unregistered from price_observations where model_id = $1`,
      [f.model],
    );
    const expected = Object.fromEntries(
      DIMENSION_NAMES.map((d) => [d, (TIERED as Record<string, unknown>)[d] ?? null]),
    );
    expect(obs.rows).toEqual([
      {
        ...expected,
        input_cache_read: '0.30000000',
        input_cache_write: '3.75000000',
        base: TIERED.base,
        tiers: TIERED.tiers,
        unregistered: TIERED.unregistered,
      },
    ]);
    const daily = await t.db.query(
      `select input_cache_write_1h::text, base, tiers from model_pricing_daily where model_id = $1`,
      [f.model],
    );
    expect(daily.rows).toEqual([
      { input_cache_write_1h: '6.00000000', base: TIERED.base, tiers: TIERED.tiers },
    ]);
    const change = await t.db.query(`select kind, expiration_date from price_changes where model_id = $1`, [
      f.model,
    ]);
    expect(change.rows).toEqual([{ kind: 'expiring', expiration_date: '2027-05-14' }]);
    const model = await t.db.query(`select expiration_date from models_catalog where model_id = $1`, [
      f.model,
    ]);
    expect(model.rows).toEqual([{ expiration_date: '2027-05-14' }]);
  });

  it("writes the observation's content_hash (null for an event without one) and the change's occurred_at (migrations/0013)", async () => {
    const f = fixture(uniquePrefix(`sink-${name}`));
    const hash = 'ab'.repeat(32);
    await t.store.writeBatch(
      project([
        f.np({ content_hash: hash }),
        f.np({ observed_at: T0 + HOUR, content_hash: null }),
        f.pc({ occurred_at: T0 + 5 * 60_000 }),
      ]),
    );
    const obs = await t.db.query(
      `select content_hash from price_observations where model_id = $1 order by observed_at`,
      [f.model],
    );
    expect(obs.rows).toEqual([{ content_hash: hash }, { content_hash: null }]);
    const change = await t.db.query<{ occurred_at: Date }>(
      `select occurred_at from price_changes where model_id = $1`,
      [f.model],
    );
    expect(change.rows.map((r) => r.occurred_at.toISOString())).toEqual(['2026-05-07T12:05:00.000Z']);
  });

  it('keeps the earliest sighting of a fact whatever the arrival order; nothing else of it changes (migrations/0017)', async () => {
    // docs/design.md §3 "Earliest sighting": one NormalizedPrice id seen at 23:54, then its 18:40
    // capture arriving late (a backfill newest first), then the 23:54 copy again.
    const f = fixture(uniquePrefix(`sink-${name}`));
    const id = `${f.model}#fact`;
    const late = T0 + 5 * HOUR;
    const sighting = (at: number, caused: string, hash: string) =>
      f.np({ event_id: id, observed_at: at, caused_by: caused, run_id: `run-${caused}`, content_hash: hash });
    const row = async () =>
      (
        await t.db.query<{
          observed_at: Date;
          run_id: string;
          caused_by: string;
          content_hash: string;
          prompt: string;
        }>(
          `select observed_at, run_id, caused_by, content_hash, prompt::text from price_observations where event_id = $1`,
          [id],
        )
      ).rows;
    await t.store.writeBatch(project([sighting(late, 'raw-b', 'bb'.repeat(32))]));
    await t.store.writeBatch(project([sighting(T0, 'raw-a', 'aa'.repeat(32))]));
    await t.store.writeBatch(project([sighting(late, 'raw-b', 'bb'.repeat(32))]));
    // Both copies in one batch, the later first: the projection keeps the earlier one too.
    await t.store.writeBatch(
      project([sighting(late + HOUR, 'raw-c', 'cc'.repeat(32)), sighting(T0, 'raw-a', 'aa'.repeat(32))]),
    );
    const rows = await row();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ run_id: 'run-raw-a', caused_by: 'raw-a', content_hash: 'aa'.repeat(32) });
    expect(rows[0]!.observed_at.getTime()).toBe(T0);
    // The guard allows nothing else: a later sighting, a price, a delete (the database owner included).
    for (const sql of [
      `update price_observations set observed_at = observed_at + interval '1 hour' where event_id = $1`,
      `update price_observations set prompt = 0, observed_at = observed_at - interval '1 hour' where event_id = $1`,
      `delete from price_observations where event_id = $1`,
    ])
      await expect(t.db.query(sql, [id])).rejects.toMatchObject({ code: 'P0001' });
    expect(await row()).toEqual(rows);
  });

  it.each([
    ['an amount as a JSON number', { base: [{ dimension: 'prompt', amount: 3 }] }],
    ['an amount not at scale 8', { base: [{ dimension: 'prompt', amount: '3.0' }] }],
    [
      'a dimension the registry does not know',
      { base: [{ dimension: 'audio_seconds', amount: '1.00000000' }] },
    ],
    ['a dimension twice', { base: [TIERED.base[0], TIERED.base[0]] }],
    ['a tier without a label', { tiers: [{ ...TIERED.tiers[0], label: '' }] }],
    ['a tier with a fractional token count', { tiers: [{ ...TIERED.tiers[0], prompt_tokens_gte: 1.5 }] }],
    ['a window with one end', { tiers: [{ ...TIERED.tiers[1], utc_end: null }] }],
    ['a window past midnight', { tiers: [{ ...TIERED.tiers[1], utc_start: 1440 }] }],
    ['a tier missing its prices', { tiers: [{ label: 'x' }] }],
    ['two tiers with one label', { tiers: [TIERED.tiers[0], TIERED.tiers[0]] }],
    ['an unregistered key without its value', { unregistered: [{ key: 'x' }] }],
  ])('refuses a price whose structure has %s (a final error, nothing written)', async (_what, bad) => {
    const p = uniquePrefix(`sink-${name}`);
    const f = fixture(p);
    const rows = project([f.np({ ...TIERED })]);
    const broken: Rows = {
      ...rows,
      observations: [{ ...rows.observations[0]!, ...bad } as unknown as ObservationRow],
    };
    await expect(t.store.writeBatch(broken)).rejects.toMatchObject({
      code: 'SINK_CONSTRAINT_VIOLATION',
      retriable: false,
      sqlState: '23514',
    });
    expect(await countAll(t.db, p)).toBe(0);
  });

  // docs/price-model.md §4.3-4.4, docs/design.md §3 (migrations/0016): versions, retractions, the
  // versions in force.
  describe('valid time', () => {
    /** The key's routed removal on 2026-05-09 after its observation of 2026-05-07, and readers. */
    function removalCase(p: string) {
      const f = fixture(p);
      const np = f.np({ observed_at: T0, prompt: '3.00000000' });
      const removal = f.pc({
        event_id: `${p}removed`,
        kind: 'removed',
        changes: [],
        previous_observed_at: T0,
        current_observed_at: null,
        snapshot_date: '2026-05-09',
        alert: false,
      });
      const digest = changeDigest(removal.event);
      const retraction = (revision: number, retracted: boolean, of = removal): DecodedEvent => ({
        name: 'PriceChangeRetracted',
        event: {
          event_id: `${p}r${revision}`,
          price_key: of.event.price_key,
          retracted_event_id: of.event.event_id,
          retracted_digest: changeDigest(of.event),
          retracted,
          revision,
          caused_by: `${p}late`,
          occurred_at: T0 + revision * HOUR,
        } satisfies PriceChangeRetracted,
      });
      /** The versions in force, the prefix left out of the id and the removal's digest shown as `removal`. */
      const inForce = async (): Promise<string[]> =>
        (
          await t.db.query<{ event_id: string; digest: string | null }>(
            `select event_id, digest from price_changes_in_force where model_id = $1 order by event_id, digest`,
            [f.model],
          )
        ).rows.map((r) => `${r.event_id.split(p).join('')}:${r.digest === digest ? 'removal' : r.digest}`);
      /** price_at's status at 2026-05-10 (after the removal day) for the endpoint key. */
      const statusAt = async (): Promise<unknown[]> =>
        (
          await t.db.query<{ status: string; prompt: string | null }>(
            `select status, prompt from price_at($1, $2::timestamptz, $3, 'openrouter_endpoints')`,
            [f.model, new Date(T0 + 3 * DAY), f.provider],
          )
        ).rows;
      return { f, np, removal, digest, retraction, inForce, statusAt };
    }

    it("a retraction hides a version from the view and from price_at's removal status; a reinstating record brings it back", async () => {
      const c = removalCase(uniquePrefix(`vt-${name}`));
      await t.store.writeBatch(project([c.np, c.removal]));
      expect(await c.inForce()).toEqual(['removed:removal']);
      expect(await c.statusAt()).toEqual([{ status: 'removed', prompt: null }]);

      const hidden = await t.store.writeBatch(project([c.retraction(1, true)]));
      expect(hidden.inserted.retractions).toBe(1);
      expect(await c.inForce()).toEqual([]);
      expect(await c.statusAt()).toEqual([{ status: 'ok', prompt: '3.00000000' }]);
      // The table keeps the version: history is append-only.
      const stored = await t.db.query(`select count(*)::int n from price_changes where model_id = $1`, [
        c.f.model,
      ]);
      expect(stored.rows).toEqual([{ n: 1 }]);

      await t.store.writeBatch(project([c.retraction(2, false)]));
      expect(await c.inForce()).toEqual(['removed:removal']);
      expect(await c.statusAt()).toEqual([{ status: 'removed', prompt: null }]);
    });

    it('gives the same view whatever order the records and the change are written in', async () => {
      const run = async (order: (c: ReturnType<typeof removalCase>) => DecodedEvent[][]) => {
        const p = uniquePrefix(`vt-${name}`);
        const c = removalCase(p);
        for (const batch of order(c)) await t.store.writeBatch(project(batch));
        return { inForce: await c.inForce(), status: await c.statusAt() };
      };
      // Retracted (1), reinstated (2), retracted again (3): the highest revision decides.
      const events = (c: ReturnType<typeof removalCase>) => [
        [c.np],
        [c.removal],
        [c.retraction(1, true)],
        [c.retraction(2, false)],
        [c.retraction(3, true)],
      ];
      const inOrder = await run(events);
      expect(inOrder).toEqual({ inForce: [], status: [{ status: 'ok', prompt: '3.00000000' }] });
      expect(await run((c) => events(c).reverse())).toEqual(inOrder);
      expect(await run((c) => [events(c).flat().reverse()])).toEqual(inOrder);
      // Without the third record the version is in force again, in any order.
      const reinstated = (c: ReturnType<typeof removalCase>) => events(c).slice(0, 4);
      const r1 = await run(reinstated);
      expect(r1.status).toEqual([{ status: 'removed', prompt: null }]);
      expect(await run((c) => reinstated(c).reverse())).toEqual(r1);
    });

    it('writing the same batch twice adds nothing', async () => {
      const p = uniquePrefix(`vt-${name}`);
      const c = removalCase(p);
      const rows = project([c.np, c.removal, c.retraction(1, true), c.retraction(2, false)]);
      const first = await t.store.writeBatch(rows);
      expect(first.inserted).toMatchObject({ changes: 1, retractions: 2 });
      const before = await snapshot(t.db, p);
      const again = await t.store.writeBatch(rows);
      expect(again.inserted).toEqual({
        observations: 0,
        changes: 0,
        retractions: 0,
        modelVersions: 0,
        modelSightings: 0,
        verifications: 0,
        discrepancies: 0,
      });
      expect(await snapshot(t.db, p)).toEqual(before);
    });

    it('keeps two versions of one id, each with its digest and backfilled; a retraction hides only its own', async () => {
      const p = uniquePrefix(`vt-${name}`);
      const f = fixture(p);
      const v1 = f.pc({ event_id: `${p}change` });
      const v2 = f.pc({ event_id: `${p}change`, previous_observed_at: T0 - 2 * DAY, backfilled: true });
      const written = await t.store.writeBatch(project([v1]));
      expect(written.inserted.changes).toBe(1);
      expect((await t.store.writeBatch(project([v2, v1]))).inserted.changes).toBe(1);
      const rows = await t.db.query(
        `select digest, backfilled, previous_observed_at from price_changes where model_id = $1
          order by previous_observed_at`,
        [f.model],
      );
      expect(rows.rows).toEqual([
        { digest: changeDigest(v2.event), backfilled: true, previous_observed_at: new Date(T0 - 2 * DAY) },
        { digest: changeDigest(v1.event), backfilled: false, previous_observed_at: new Date(T0 - DAY) },
      ]);
      await t.store.writeBatch(
        project([
          {
            name: 'PriceChangeRetracted',
            event: {
              event_id: `${p}r1`,
              price_key: v1.event.price_key,
              retracted_event_id: v1.event.event_id,
              retracted_digest: changeDigest(v1.event),
              retracted: true,
              revision: 1,
              caused_by: `${p}late`,
              occurred_at: T0,
            },
          },
        ]),
      );
      const inForce = await t.db.query(
        `select digest, backfilled from price_changes_in_force where model_id = $1`,
        [f.model],
      );
      expect(inForce.rows).toEqual([{ digest: changeDigest(v2.event), backfilled: true }]);
    });

    it('a row written before 0016 (no digest): its redelivery adds nothing, a second version is kept, records about the other version never decide for it', async () => {
      const p = uniquePrefix(`vt-${name}`);
      const f = fixture(p);
      const old = f.pc({ event_id: `${p}change` });
      const [row] = project([old]).changes;
      // As the sink wrote it before migrations/0016 (no digest, no occurred_at before 0013).
      await t.db.query(
        `insert into price_changes (event_id, run_id, caused_by, price_key, model_id, provider, source_type, kind,
           changes, previous_observed_at, current_observed_at, snapshot_date, alert, alert_threshold)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13, $14)`,
        [
          row!.event_id,
          row!.run_id,
          row!.caused_by,
          row!.price_key,
          row!.model_id,
          row!.provider,
          row!.source_type,
          row!.kind,
          JSON.stringify(row!.changes),
          row!.previous_observed_at,
          row!.current_observed_at,
          row!.snapshot_date,
          row!.alert,
          row!.alert_threshold,
        ],
      );
      // Redelivered after the upgrade (the offsets were not committed): the same version, not a new row.
      expect((await t.store.writeBatch(project([old]))).inserted.changes).toBe(0);
      // The same id with other content is a second version.
      const v2 = f.pc({ event_id: `${p}change`, previous_observed_at: T0 - 2 * DAY });
      expect((await t.store.writeBatch(project([v2]))).inserted.changes).toBe(1);
      const record = (revision: number, of: typeof old, retracted: boolean): DecodedEvent => ({
        name: 'PriceChangeRetracted',
        event: {
          event_id: `${p}r${revision}`,
          price_key: of.event.price_key,
          retracted_event_id: of.event.event_id,
          retracted_digest: changeDigest(of.event),
          retracted,
          revision,
          caused_by: `${p}late`,
          occurred_at: T0,
        },
      });
      const inForce = async (): Promise<(string | null)[]> =>
        (
          await t.db.query<{ digest: string | null }>(
            `select digest from price_changes_in_force where model_id = $1 order by digest nulls first`,
            [f.model],
          )
        ).rows.map((r) => r.digest);
      expect(await inForce()).toEqual([null, changeDigest(v2.event)]);
      // The old version retracted: the row without a digest is matched by its id.
      await t.store.writeBatch(project([record(1, old, true)]));
      expect(await inForce()).toEqual([changeDigest(v2.event)]);
      // Reinstated, then the new version retracted by a later record: that record is about v2 only.
      await t.store.writeBatch(project([record(2, old, false), record(3, v2, true)]));
      expect(await inForce()).toEqual([null]);
    });

    it('readers see the versions in force and the records; nobody writes them but the sink', async () => {
      const c = removalCase(uniquePrefix(`vt-${name}`));
      await t.store.writeBatch(project([c.np, c.removal, c.retraction(1, true)]));
      for (const role of ['anon', 'authenticated', 'api_reader', 'webhook_notifier']) {
        await t.db.query('begin');
        try {
          await t.db.query(`set local role ${role}`);
          const seen = await t.db.query(
            `select (select count(*)::int from price_changes_in_force where model_id = $1) as in_force,
                    (select count(*)::int from price_change_retractions where price_key like $2) as records`,
            [c.f.model, `${c.f.model}%`],
          );
          expect(seen.rows, role).toEqual([{ in_force: 0, records: 1 }]);
        } finally {
          await t.db.query('rollback');
        }
        for (const sql of [
          `insert into price_change_retractions select * from price_change_retractions limit 1`,
          `delete from price_changes_in_force where model_id = '${c.f.model}'`,
        ]) {
          await t.db.query('begin');
          try {
            await t.db.query(`set local role ${role}`);
            await expect(t.db.query(sql), `${role}: ${sql}`).rejects.toMatchObject({ code: '42501' });
          } finally {
            await t.db.query('rollback');
          }
        }
      }
      // History is immutable for everyone, the database owner included.
      await expect(
        t.db.query(`update price_change_retractions set retracted = false where price_key like $1`, [
          `${c.f.model}%`,
        ]),
      ).rejects.toMatchObject({ code: 'P0001' });
    });
  });

  it("writes the verifier's probes and discrepancies once, money exact, and never rewrites them (migrations/0018)", async () => {
    const p = uniquePrefix(`verify-${name}`);
    const verified = {
      ...samples.PriceVerified,
      event_id: `${p}verified`,
      model_id: `${p}google/gemini-2.5-flash`,
    };
    const discrepancy = {
      ...samples.PriceDiscrepancy,
      event_id: `${p}discrepancy`,
      caused_by: verified.event_id,
      model_id: verified.model_id,
    };
    const rows = project([
      { name: 'PriceVerified', event: verified },
      { name: 'PriceDiscrepancy', event: discrepancy },
    ]);
    expect((await t.store.writeBatch(rows)).inserted).toMatchObject({ verifications: 1, discrepancies: 1 });
    expect((await t.store.writeBatch(rows)).inserted).toMatchObject({ verifications: 0, discrepancies: 0 });
    const v = await t.db.query(
      `select provider, outcome, cost::text, expected_cost::text, charged_cost::text, difference::text,
              discrepancy, usage ->> 'prompt_tokens' prompt_tokens, price_matches -> 'tolerance' tolerance
         from byok_verifications where model_id = $1`,
      [verified.model_id],
    );
    // The sample's values (schemas/test/samples.ts), as written: numeric keeps every decimal.
    expect(v.rows).toEqual([
      {
        provider: 'google-ai-studio',
        outcome: 'charged',
        cost: '0.0004970133333333333',
        expected_cost: '0.00096523',
        charged_cost: '0.0004970133333333333',
        difference: '-0.0004682166666666667',
        discrepancy: true,
        prompt_tokens: '2168',
        tolerance: { absolute: '0.000000001', relative: '0.01' },
      },
    ]);
    const d = await t.db.query(
      `select caused_by, relative_difference::text from price_discrepancies where model_id = $1`,
      [verified.model_id],
    );
    expect(d.rows).toEqual([{ caused_by: verified.event_id, relative_difference: '-0.48508300' }]);
  });

  it('writes a large batch in chunks', async () => {
    const p = uniquePrefix(`sink-${name}`);
    const f = fixture(p);
    const events = Array.from({ length: 2000 }, (_, i) =>
      f.np({ observed_at: T0 + i * 1000, prompt: `${i}.00000001` }),
    );
    const started = performance.now();
    const result = await t.store.writeBatch(project(events));
    const ms = performance.now() - started;
    console.log(`${name}: 2000 observations (+1 provider, +1 model_provider) in ${ms.toFixed(0)} ms`);
    expect(result.inserted.observations).toBe(2000);
    const sum = await t.db.query<{ n: string; total: string }>(
      `select count(*)::text n, sum(prompt)::text total from price_observations where model_id = $1`,
      [f.model],
    );
    // sum of i + 0.00000001 for i < 2000 = 1999000 + 0.00002
    expect(sum.rows).toEqual([{ n: '2000', total: '1999000.00002000' }]);
  });
});

describe('postgres store only', () => {
  it('rolls back every chunk of a batch when a later chunk fails', async () => {
    const fresh = await freshDatabase('store', { namePrefix: 'llmpt_sink' });
    const store = createPostgresStore({ databaseUrl: fresh.url, chunkSize: 2 });
    const db = new pg.Client({ connectionString: fresh.url });
    await db.connect();
    try {
      const p = uniquePrefix('sink-chunks');
      const f = fixture(p);
      const rows = project(Array.from({ length: 7 }, (_, i) => f.np({ observed_at: T0 + i })));
      const last = rows.observations.length - 1;
      const bad: Rows = {
        ...rows,
        observations: rows.observations.map((o, i) =>
          i === last ? ({ ...o, status: null } as unknown as ObservationRow) : o,
        ),
      };
      await expect(store.writeBatch(bad)).rejects.toMatchObject({ code: 'SINK_CONSTRAINT_VIOLATION' });
      expect(await countAll(db, p)).toBe(0);
      // The pool is still usable after the rollback.
      expect((await store.writeBatch(rows)).inserted.observations).toBe(7);
    } finally {
      await store.close();
      await db.end();
      await fresh.drop();
    }
  });
});

describe('table checksums (migrations/0016)', () => {
  it('cover the versions and the retraction records: the same history in another order and batching compares equal', async () => {
    const f = fixture('checksums-');
    const v1 = f.pc({ event_id: 'change' });
    const v2 = f.pc({ event_id: 'change', previous_observed_at: T0 - 2 * DAY, backfilled: true });
    const record = (revision: number, retracted: boolean): DecodedEvent => ({
      name: 'PriceChangeRetracted',
      event: {
        event_id: `r${revision}`,
        price_key: v1.event.price_key,
        retracted_event_id: v1.event.event_id,
        retracted_digest: changeDigest(v1.event),
        retracted,
        revision,
        caused_by: 'late',
        occurred_at: T0,
      },
    });
    const events = [f.np(), v1, record(1, true), v2, record(2, false)];
    const build = async (batches: DecodedEvent[][]) => {
      const fresh = await freshDatabase('checksums', { namePrefix: 'llmpt_sink' });
      const store = createPostgresStore({ databaseUrl: fresh.url });
      const db = new pg.Client({ connectionString: fresh.url });
      await db.connect();
      try {
        for (const batch of batches) await store.writeBatch(project(batch));
        return await tableChecksums(db);
      } finally {
        await store.close();
        await db.end();
        await fresh.drop();
      }
    };
    const inOrder = await build(events.map((e) => [e]));
    expect(inOrder['price_changes']?.rows).toBe(2);
    expect(inOrder['price_change_retractions']?.rows).toBe(2);
    expect(await build([[...events].reverse()])).toEqual(inOrder);
    // Another history (the reinstating record missing) compares different.
    const other = await build([events.slice(0, 4)]);
    expect(other['price_change_retractions']).not.toEqual(inOrder['price_change_retractions']);
    expect(other['price_changes']).toEqual(inOrder['price_changes']);
  });
});

describe('postgres store: the connection lost inside a batch (Postgres restarted, backend killed)', () => {
  it('fails that batch with a retriable error and does not crash the process; the next batch lands', async () => {
    const fresh = await freshDatabase('store', { namePrefix: 'llmpt_sink' });
    const applicationName = `llmpt-sink-${uniquePrefix('killed').replace(/\W/g, '')}`;
    const store = createPostgresStore({ databaseUrl: fresh.url, applicationName });
    const db = new pg.Client({ connectionString: fresh.url });
    await db.connect();
    try {
      const f = fixture(uniquePrefix('sink-killed'));
      const rows = project([f.np()]);
      // A lock the batch needs, held here: the sink waits inside its transaction until it is killed.
      await db.query('begin');
      await db.query('lock table price_observations in access exclusive mode');
      const write = store.writeBatch(rows);
      const pid = await waitFor(
        async () => {
          // Inside a transaction pg_stat_activity is a snapshot: take a new one at every poll.
          await db.query('select pg_stat_clear_snapshot()');
          return (
            (
              await db.query<{ pid: number }>(
                `select pid from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'`,
                [applicationName],
              )
            ).rows[0]?.pid ?? false
          );
        },
        { timeoutMs: 30_000, message: 'the batch waiting on the lock' },
      );
      // What a Postgres restart does to every backend: FATAL 57P01, then the socket closes.
      await db.query('select pg_terminate_backend($1)', [pid]);
      await expect(write).rejects.toMatchObject({ retriable: true });
      await db.query('rollback');
      expect((await store.writeBatch(rows)).inserted.observations).toBe(1);
    } finally {
      // Releases the lock first, or closing the store would wait on a batch still blocked by it.
      await db.query('rollback');
      await store.close();
      await db.end();
      await fresh.drop();
    }
  });
});

describe('unreachable database', () => {
  it.each([
    [
      'postgres',
      () => createPostgresStore({ databaseUrl: 'postgres://postgres:postgres@127.0.0.1:1/llmpt' }),
    ],
    ['supabase', () => createSupabaseStore({ url: 'http://127.0.0.1:1', serviceRoleKey: 'x' })],
  ])('%s: fails with a retriable SINK_DB_UNAVAILABLE', async (_name, make) => {
    const store = make();
    try {
      const f = fixture(uniquePrefix('sink-down'));
      await expect(store.writeBatch(project([f.np()]))).rejects.toMatchObject({
        code: 'SINK_DB_UNAVAILABLE',
        retriable: true,
      });
    } finally {
      await store.close();
    }
  });
});
