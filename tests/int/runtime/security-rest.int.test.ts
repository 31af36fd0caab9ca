// Who may write what, through the same door Supabase clients use: supabase-js → /rest/v1 proxy →
// PostgREST 12 → the stack's `llmpt` database. Readers (anon, authenticated) write nothing anywhere,
// the sink's RPC included; the writer (service_role) cannot rewrite history; neither can a superuser
// (the append-only trigger). migrate-rest.int.test.ts covers reading and the writer's happy path.
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ws from 'ws';
import { stackDir, stackEnv } from '@llmpt/testkit';

const env = stackEnv();

/** HS256 JWT as PostgREST verifies it (scripts/stack/postgrest.sh signs the stack's keys the same way). */
function signJwt(payload: object, secret: string): string {
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

function jwtSecret(): string {
  const file = path.join(stackDir(), 'postgrest', 'secrets.env');
  const m = /^JWT_SECRET=(\S+)$/m.exec(readFileSync(file, 'utf8'));
  if (!m?.[1]) throw new Error(`no JWT_SECRET in ${file}: run scripts/stack.sh up`);
  return m[1];
}

type Transport = NonNullable<NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']>;
const client = (key: string) =>
  createClient(env.supabaseUrl, key, {
    // Node 20 has no global WebSocket: supabase-js throws at createClient without a transport.
    realtime: { transport: ws as unknown as Transport },
    auth: { persistSession: false },
  });

const nowSecs = Math.floor(Date.now() / 1000);
const anon = client(env.supabaseAnonKey);
const authenticated = client(
  signJwt({ role: 'authenticated', sub: 'user-1', exp: nowSecs + 3600 }, jwtSecret()),
);
const service = client(env.supabaseServiceRoleKey);
// A service_role claim signed with a key that is not the stack's: what a reader could forge.
const forged = client(
  signJwt({ role: 'service_role', exp: nowSecs + 3600 }, randomBytes(32).toString('hex')),
);

const run = randomBytes(4).toString('hex');
const id = (what: string) => `sec-${what}-${run}`;
const modelId = `test/sec-${run}`;

const observation = (eventId: string, prompt: string) => ({
  event_id: eventId,
  run_id: id('run'),
  caused_by: null,
  price_key: `${modelId}|Test|openrouter_endpoints`,
  model_id: modelId,
  provider: 'Test',
  source_type: 'openrouter_endpoints',
  source_url: 'https://openrouter.ai/api/v1/models/test/endpoints',
  snapshot_date: '2026-05-07',
  observed_at: '2026-05-07T10:00:00.000Z',
  status: 'ok',
  currency: 'USD',
  prompt,
  completion: '15.00000000',
  notes: [],
  // Not null (migrations/0010): jsonb_populate_record below would leave them null, not default.
  base: [],
  tiers: [],
  unregistered: [],
});

const change = (eventId: string) => ({
  event_id: eventId,
  run_id: id('run'),
  caused_by: null,
  price_key: `${modelId}|Test|openrouter_endpoints`,
  model_id: modelId,
  provider: 'Test',
  source_type: 'openrouter_endpoints',
  kind: 'new',
  changes: [],
  snapshot_date: '2026-05-07',
  alert: false,
  backfilled: false,
});

// migrations/0016: a retraction record (of a version nobody stored: only privileges are under test).
const retraction = (eventId: string) => ({
  event_id: eventId,
  price_key: `${modelId}|Test|openrouter_endpoints`,
  retracted_event_id: id('chg-none'),
  retracted_digest: 'a'.repeat(64),
  retracted: true,
  revision: 1,
  caused_by: id('late'),
  occurred_at: '2026-05-07T10:00:00Z',
});

/**
 * Every table and view of the migrations, with a valid new row (so only a privilege can refuse it),
 * the key of a row seeded below (the UPDATE/DELETE target), and a column to update.
 */
interface Target {
  readonly table: string;
  readonly view?: boolean;
  readonly insert: Record<string, unknown>;
  readonly key: Record<string, string>;
  readonly patch: Record<string, unknown>;
}

const targets: readonly Target[] = [
  {
    table: 'providers',
    insert: { slug: id('prov-new'), name: 'nope' },
    key: { slug: id('prov') },
    patch: { name: 'defaced' },
  },
  {
    table: 'models_catalog',
    insert: { model_id: `${modelId}-new`, name: 'nope' },
    key: { model_id: modelId },
    patch: { name: 'defaced' },
  },
  {
    table: 'model_providers',
    insert: { model_id: `${modelId}-new`, provider: 'Test' },
    key: { model_id: modelId, provider: 'Test' },
    patch: { status: -99 },
  },
  {
    table: 'byok_verifications',
    insert: { model_id: `${modelId}-new`, provider: 'Test' },
    key: { model_id: modelId, provider: 'Test' },
    patch: { notes: 'defaced' },
  },
  {
    table: 'price_observations',
    insert: observation(id('obs-new'), '1.00000000'),
    key: { event_id: id('obs') },
    patch: { prompt: '0' },
  },
  {
    table: 'price_changes',
    insert: change(id('chg-new')),
    key: { event_id: id('chg') },
    patch: { alert: true },
  },
  // migrations/0016: retraction records (append-only, written by the sink only) and the versions in force.
  {
    table: 'price_change_retractions',
    insert: retraction(id('ret-new')),
    key: { event_id: id('ret') },
    patch: { retracted: false },
  },
  {
    table: 'price_changes_in_force',
    view: true,
    insert: change(id('chg-view')),
    key: { event_id: id('chg') },
    patch: { alert: true },
  },
  // migrations/0015: the model metadata history (append-only, written by the sink only).
  {
    table: 'model_versions',
    insert: { event_id: id('mv-new'), model_id: `${modelId}-new`, name: 'nope' },
    key: { event_id: id('mv') },
    patch: { name: 'defaced' },
  },
  {
    table: 'model_sightings',
    insert: { model_id: `${modelId}-new`, fetched_at: '2026-05-07T10:00:00Z', event_id: id('mv-new') },
    key: { model_id: modelId },
    patch: { event_id: 'defaced' },
  },
  {
    table: 'model_pricing',
    insert: {
      model_name: `${modelId}-new`,
      model_id: modelId,
      last_event_at: '2026-05-07T10:00:00Z',
      last_event_id: 'x',
    },
    key: { model_name: modelId },
    patch: { input_cost_per_1k: '0' },
  },
  {
    table: 'consumer_processed_events',
    insert: { consumer: id('consumer'), event_id: id('chg-new') },
    key: { consumer: id('consumer'), event_id: id('chg') },
    patch: { event_id: 'defaced' },
  },
  {
    table: 'usage_calls',
    insert: {
      call_id: id('call-new'),
      called_at: '2026-05-07T10:00:00Z',
      model_id: modelId,
      cost: '1',
      cost_source: 'reported',
    },
    key: { call_id: id('call') },
    patch: { cost: '0' },
  },
  {
    table: 'model_pricing_daily',
    view: true,
    insert: (({ run_id: _r, caused_by: _c, unregistered: _u, ...viewRow }) => viewRow)(
      observation(id('obs-view'), '1'),
    ),
    key: { event_id: id('obs') },
    patch: { prompt: '0' },
  },
  { table: 'usage_daily', view: true, insert: { model_id: modelId }, key: { model_id: modelId }, patch: {} },
  {
    table: 'usage_monthly',
    view: true,
    insert: { model_id: modelId },
    key: { model_id: modelId },
    patch: {},
  },
];

async function superuser<T>(fn: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: env.databaseUrl });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

/** The seeded rows and any row a refused INSERT would have left, as JSON text per table. */
async function snapshot(): Promise<Record<string, string[]>> {
  return superuser(async (db) => {
    const q = async (sql: string, params: unknown[]) =>
      (await db.query<{ j: string }>(sql, params)).rows.map((r) => r.j).sort();
    const m = [modelId, `${modelId}-new`];
    return {
      providers: await q(`select row_to_json(t)::text j from providers t where slug = any($1)`, [
        [id('prov'), id('prov-new')],
      ]),
      models_catalog: await q(
        `select row_to_json(t)::text j from models_catalog t where model_id = any($1)`,
        [m],
      ),
      model_providers: await q(
        `select row_to_json(t)::text j from model_providers t where model_id = any($1)`,
        [m],
      ),
      byok_verifications: await q(
        `select row_to_json(t)::text j from byok_verifications t where model_id = any($1)`,
        [m],
      ),
      price_observations: await q(
        `select row_to_json(t)::text j from price_observations t where model_id = $1`,
        [modelId],
      ),
      price_changes: await q(`select row_to_json(t)::text j from price_changes t where model_id = $1`, [
        modelId,
      ]),
      price_change_retractions: await q(
        `select row_to_json(t)::text j from price_change_retractions t where price_key like $1`,
        [`${modelId}%`],
      ),
      model_pricing: await q(`select row_to_json(t)::text j from model_pricing t where model_id = $1`, [
        modelId,
      ]),
      consumer_processed_events: await q(
        `select row_to_json(t)::text j from consumer_processed_events t where consumer = $1`,
        [id('consumer')],
      ),
      usage_calls: await q(`select row_to_json(t)::text j from usage_calls t where model_id = $1`, [modelId]),
      model_versions: await q(
        `select row_to_json(t)::text j from model_versions t where model_id = any($1)`,
        [m],
      ),
      model_sightings: await q(
        `select row_to_json(t)::text j from model_sightings t where model_id = any($1)`,
        [m],
      ),
    };
  });
}

let before: Record<string, string[]>;

beforeAll(async () => {
  // PostgREST reloads its schema cache asynchronously after the migrations' NOTIFY: wait for it.
  for (let attempt = 0; ; attempt++) {
    const { error } = await service.from('price_changes').select('event_id').limit(1);
    if (!error) break;
    if (attempt > 100) throw new Error(`PostgREST never exposed price_changes: ${error.message}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  // One row per table to aim UPDATE and DELETE at, written by the superuser (not under test here).
  await superuser(async (db) => {
    await db.query('begin');
    await db.query(`insert into providers (slug, name) values ($1, 'Seeded')`, [id('prov')]);
    await db.query(`insert into models_catalog (model_id, name) values ($1, 'Seeded')`, [modelId]);
    await db.query(`insert into model_providers (model_id, provider, status) values ($1, 'Test', 0)`, [
      modelId,
    ]);
    await db.query(
      `insert into byok_verifications (model_id, provider, notes) values ($1, 'Test', 'seeded')`,
      [modelId],
    );
    const o = observation(id('obs'), '3.00000000');
    await db.query(
      `insert into price_observations select * from jsonb_populate_record(null::price_observations, $1::jsonb)`,
      [JSON.stringify({ ...o, inserted_at: '2026-05-07T10:00:01Z' })],
    );
    await db.query(
      `insert into price_changes select * from jsonb_populate_record(null::price_changes, $1::jsonb)`,
      [JSON.stringify({ ...change(id('chg')), inserted_at: '2026-05-07T10:00:01Z' })],
    );
    await db.query(
      `insert into model_pricing (model_name, model_id, input_cost_per_1k, last_event_at, last_event_id)
       values ($1, $1, 0.003, '2026-05-07T10:00:00Z', $2)`,
      [modelId, id('chg')],
    );
    await db.query(`insert into consumer_processed_events (consumer, event_id) values ($1, $2)`, [
      id('consumer'),
      id('chg'),
    ]);
    await db.query(
      `insert into usage_calls (call_id, called_at, model_id, cost, cost_source)
       values ($1, '2026-05-07T10:00:00Z', $2, 0.5, 'reported')`,
      [id('call'), modelId],
    );
    await db.query(
      `insert into price_change_retractions select * from jsonb_populate_record(null::price_change_retractions, $1::jsonb)`,
      [JSON.stringify({ ...retraction(id('ret')), inserted_at: '2026-05-07T10:00:01Z' })],
    );
    await db.query(`insert into model_versions (event_id, model_id, name) values ($1, $2, 'Seeded')`, [
      id('mv'),
      modelId,
    ]);
    await db.query(
      `insert into model_sightings (model_id, fetched_at, event_id) values ($1, '2026-05-07T09:00:00Z', $2)`,
      [modelId, id('mv')],
    );
    await db.query('commit');
  });
  before = await snapshot();
});

afterAll(async () => {
  // History is append-only for every role; the superuser skips user triggers only in replication
  // mode, which is exactly this kind of admin cleanup of a shared database.
  await superuser(async (db) => {
    await db.query('begin');
    await db.query('set local session_replication_role = replica');
    for (const t of [
      'price_observations',
      'price_changes',
      'models_catalog',
      'model_providers',
      'byok_verifications',
      'model_versions',
      'model_sightings',
    ])
      await db.query(`delete from ${t} where model_id like $1`, [`${modelId}%`]);
    await db.query(`delete from price_change_retractions where price_key like $1`, [`${modelId}%`]);
    await db.query(`delete from model_pricing where model_id like $1`, [`${modelId}%`]);
    await db.query(`delete from usage_calls where model_id like $1`, [`${modelId}%`]);
    await db.query(`delete from providers where slug like $1`, [`sec-prov%-${run}`]);
    await db.query(`delete from consumer_processed_events where consumer = $1`, [id('consumer')]);
    await db.query('commit');
  });
});

/** PostgREST's refusals: 42501 (no privilege); 55000 (a view that cannot be written at all). */
function expectRefused(error: { code: string } | null, label: string, view = false): void {
  expect(error, `${label} was not refused`).not.toBeNull();
  expect(view ? ['42501', '55000'] : ['42501'], `${label}: ${JSON.stringify(error)}`).toContain(error?.code);
}

function withKey<Q extends { eq(column: string, value: string): Q }>(q: Q, key: Record<string, string>): Q {
  return Object.entries(key).reduce((acc, [k, v]) => acc.eq(k, v), q);
}

describe.each([
  ['anon', anon],
  ['authenticated', authenticated],
] as const)('%s (a reader)', (role, db) => {
  it.each(targets)('cannot INSERT, UPDATE or DELETE $table', async (t) => {
    const ins = await db.from(t.table).insert(t.insert);
    expectRefused(ins.error, `${role} insert ${t.table}`, t.view);
    const upd = await withKey(db.from(t.table).update(t.patch), t.key);
    expectRefused(upd.error, `${role} update ${t.table}`, t.view);
    const del = await withKey(db.from(t.table).delete(), t.key);
    expectRefused(del.error, `${role} delete ${t.table}`, t.view);
    // The upsert path (INSERT ... ON CONFLICT DO UPDATE) is refused the same way.
    if (!t.view) {
      const ups = await db.from(t.table).upsert({ ...t.insert, ...t.key, ...t.patch });
      expectRefused(ups.error, `${role} upsert ${t.table}`);
    }
  });

  it('cannot call the sink RPC, so nothing it carries is written', async () => {
    const eventId = id(`rpc-${role}`);
    const res = await db.rpc('sink_write_batch', {
      payload: { observations: [observation(eventId, '9.00000000')], providers: [] },
    });
    expect(res.error?.code).toBe('42501');
    expect(res.error?.message).toBe('permission denied for function sink_write_batch');
    const seen = await service.from('price_observations').select('event_id').eq('event_id', eventId);
    expect(seen.data).toEqual([]);
  });

  it('still reads prices (the one thing readers may do)', async () => {
    const { data, error } = await db
      .from('price_observations')
      .select('event_id, prompt::text')
      .eq('event_id', id('obs'));
    expect(error).toBeNull();
    expect(data).toEqual([{ event_id: id('obs'), prompt: '3.00000000' }]);
  });
});

describe('a service_role token signed with another key', () => {
  it('is rejected before any SQL runs (PGRST301), for writes and reads', async () => {
    const ins = await forged.from('price_observations').insert(observation(id('obs-forged'), '1.00000000'));
    expect(ins.error?.code).toBe('PGRST301');
    const upd = await forged.from('price_observations').update({ prompt: '0' }).eq('event_id', id('obs'));
    expect(upd.error?.code).toBe('PGRST301');
    const rpc = await forged.rpc('sink_write_batch', { payload: {} });
    expect(rpc.error?.code).toBe('PGRST301');
  });
});

describe('service_role (the writer)', () => {
  it.each(['price_observations', 'price_changes'])('cannot UPDATE, DELETE or overwrite %s', async (table) => {
    const eventId = id(table === 'price_observations' ? 'obs' : 'chg');
    const patch = table === 'price_observations' ? { prompt: '0' } : { alert: true };
    const upd = await service.from(table).update(patch).eq('event_id', eventId);
    expect(upd.error?.code).toBe('42501');
    expect(upd.error?.message).toBe(`permission denied for table ${table}`);
    const del = await service.from(table).delete().eq('event_id', eventId);
    expect(del.error?.code).toBe('42501');
    // Unfiltered too (PostgREST would otherwise happily send DELETE without WHERE).
    const delAll = await service.from(table).delete().neq('event_id', '');
    expect(delAll.error?.code).toBe('42501');
    // An upsert that merges (ON CONFLICT DO UPDATE) needs UPDATE: refused.
    const row = table === 'price_observations' ? observation(eventId, '0.00000001') : change(eventId);
    // price_changes' key is (event_id, digest) since migrations/0016 (one row per version).
    const onConflict = table === 'price_changes' ? 'event_id,digest' : 'event_id';
    const merge = await service.from(table).upsert({ ...row, ...patch }, { onConflict });
    expect(merge.error?.code).toBe('42501');
  });

  it('replaying a known event id with another price through sink_write_batch changes nothing', async () => {
    const res = await service.rpc('sink_write_batch', {
      payload: { observations: [observation(id('obs'), '0.00000001')], changes: [change(id('chg'))] },
    });
    expect(res.error).toBeNull();
    expect(res.data).toMatchObject({ inserted: { observations: 0, changes: 0 } });
  });

  it('history and the catalog are byte-for-byte what was seeded, after every refused write above', async () => {
    const after = await snapshot();
    expect(after).toEqual(before);
    // Each seeded row is there exactly once and no refused INSERT left a row.
    expect(Object.fromEntries(Object.entries(after).map(([t, rows]) => [t, rows.length]))).toEqual({
      providers: 1,
      models_catalog: 1,
      model_providers: 1,
      byok_verifications: 1,
      price_observations: 1,
      price_changes: 1,
      price_change_retractions: 1,
      model_pricing: 1,
      consumer_processed_events: 1,
      usage_calls: 1,
      model_versions: 1,
      model_sightings: 1,
    });
    expect(JSON.parse(after.price_observations![0]!)).toMatchObject({ prompt: 3, event_id: id('obs') });
  });
});

describe('service_role (the writer) and the retraction records (migrations/0016)', () => {
  it('cannot UPDATE or DELETE price_change_retractions', async () => {
    const table = 'price_change_retractions';
    const upd = await service.from(table).update({ retracted: false }).eq('event_id', id('ret'));
    expect(upd.error?.code).toBe('42501');
    const del = await service.from(table).delete().eq('event_id', id('ret'));
    expect(del.error?.code).toBe('42501');
    const merge = await service.from(table).upsert({ ...retraction(id('ret')), retracted: false });
    expect(merge.error?.code).toBe('42501');
  });
});

describe('service_role (the writer) and the model metadata history (migrations/0015)', () => {
  it.each(['model_versions', 'model_sightings'])('cannot UPDATE or DELETE %s', async (table) => {
    const upd = await service.from(table).update({ event_id: 'defaced' }).eq('model_id', modelId);
    expect(upd.error?.code).toBe('42501');
    const del = await service.from(table).delete().eq('model_id', modelId);
    expect(del.error?.code).toBe('42501');
    const delAll = await service.from(table).delete().neq('model_id', '');
    expect(delAll.error?.code).toBe('42501');
  });
});

describe('the postgres superuser (pg, no PostgREST)', () => {
  // Each statement runs in a transaction that is rolled back whatever happens: were the trigger
  // missing, the shared database would still keep its history.
  async function refusal(sql: string, params: unknown[] = []): Promise<{ code?: string; message: string }> {
    return superuser(async (db) => {
      await db.query('begin');
      try {
        await db.query(sql, params);
        return { message: 'accepted' };
      } catch (err) {
        return { code: (err as { code?: string }).code, message: (err as Error).message };
      } finally {
        await db.query('rollback');
      }
    });
  }

  it.each(['price_observations', 'price_changes'])('cannot UPDATE, DELETE or TRUNCATE %s', async (table) => {
    const key = id(table === 'price_observations' ? 'obs' : 'chg');
    const isSuper = await superuser(
      async (db) =>
        (await db.query<{ s: boolean }>('select rolsuper s from pg_roles where rolname = current_user'))
          .rows[0]?.s,
    );
    expect(isSuper).toBe(true);
    expect(await refusal(`update ${table} set run_id = 'x' where event_id = $1`, [key])).toEqual({
      code: 'P0001',
      message: `UPDATE on public.${table} is not allowed: the table is append-only`,
    });
    expect(await refusal(`delete from ${table} where event_id = $1`, [key])).toEqual({
      code: 'P0001',
      message: `DELETE on public.${table} is not allowed: the table is append-only`,
    });
    expect(await refusal(`truncate ${table}`)).toEqual({
      code: 'P0001',
      message: `TRUNCATE on public.${table} is not allowed: the table is append-only`,
    });
    // Statement-level: refused even when no row matches.
    expect((await refusal(`delete from ${table} where false`)).code).toBe('P0001');
  });

  it.each(['model_versions', 'model_sightings'])('cannot UPDATE, DELETE or TRUNCATE %s', async (table) => {
    for (const [op, sql] of [
      ['UPDATE', `update ${table} set event_id = 'x' where model_id = $1`],
      ['DELETE', `delete from ${table} where model_id = $1`],
    ] as const)
      expect(await refusal(sql, [modelId])).toEqual({
        code: 'P0001',
        message: `${op} on public.${table} is not allowed: the table is append-only`,
      });
    expect(await refusal(`truncate ${table}`)).toEqual({
      code: 'P0001',
      message: `TRUNCATE on public.${table} is not allowed: the table is append-only`,
    });
  });
});
