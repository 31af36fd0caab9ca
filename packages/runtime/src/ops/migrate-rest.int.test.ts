// The migrated schema as Supabase clients see it: supabase-js → /rest/v1 proxy → PostgREST 12 →
// the main `llmpt` database of the local stack, with the anon and service_role keys it generated.
// Money crosses PostgREST as text only when selected as text (`prompt::text`): that is the contract.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@llmpt/core/paths';
import ws from 'ws';

/** process.env first, then what scripts/stack/*.sh wrote to .stack/env.d. */
function stackEnv(name: string): string {
  const fromEnv = process.env[name];
  if (fromEnv) return fromEnv;
  const dir = path.join(process.env['STACK_DIR'] ?? path.join(repoRoot, '.stack'), 'env.d');
  const lines = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.env'))
        .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n'))
    : [];
  const line = lines.find((l) => l.startsWith(`${name}=`));
  if (!line) throw new Error(`${name} is not set: run scripts/stack.sh up`);
  return line.slice(name.length + 1);
}

const url = stackEnv('SUPABASE_URL');
type Transport = NonNullable<NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']>;
// Node 20 has no global WebSocket: supabase-js throws at createClient without a transport.
const client = (key: string) =>
  createClient(url, key, {
    realtime: { transport: ws as unknown as Transport },
    auth: { persistSession: false },
  });
const anon = client(stackEnv('SUPABASE_ANON_KEY'));
const service = client(stackEnv('SUPABASE_SERVICE_ROLE_KEY'));

const run = randomBytes(4).toString('hex');
const modelId = `test/rest-${run}`;
const providerSlug = `test-rest-${run}`;

const observation = (eventId: string, prompt: string, completion: string) => ({
  event_id: eventId,
  run_id: `run-${run}`,
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
  completion,
  notes: [],
});

async function untilSchemaVisible(): Promise<void> {
  // PostgREST reloads its schema cache asynchronously after the migrations' NOTIFY: wait for it.
  for (let attempt = 0; attempt < 100; attempt++) {
    const { error } = await service.from('price_observations').select('event_id').limit(1);
    if (!error) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('PostgREST never exposed price_observations: did the migrations run?');
}

beforeAll(untilSchemaVisible);

afterAll(async () => {
  // Test rows out of the shared database. History is append-only for every application role; the
  // superuser skips user triggers only through replication mode, which is exactly this kind of admin.
  const db = new pg.Client({ connectionString: stackEnv('DATABASE_URL') });
  await db.connect();
  try {
    await db.query('begin');
    await db.query('set local session_replication_role = replica');
    await db.query('delete from price_observations where model_id = $1', [modelId]);
    await db.query('delete from providers where slug = $1', [providerSlug]);
    await db.query('commit');
  } finally {
    await db.end();
  }
});

describe('anon key', () => {
  it('reads the tables and the daily view', async () => {
    for (const table of [
      'providers',
      'models_catalog',
      'model_providers',
      'byok_verifications',
      'price_observations',
      'price_changes',
      'model_pricing_daily',
      'model_versions',
      'model_sightings',
    ]) {
      const { data, error } = await anon.from(table).select('*').limit(1);
      expect(error, table).toBeNull();
      expect(Array.isArray(data), table).toBe(true);
    }
  });

  it('cannot insert a price observation', async () => {
    const { error } = await anon
      .from('price_observations')
      .insert(observation(`ev-anon-${run}`, '1.00000000', '2.00000000'));
    expect(error?.code).toBe('42501');
    const { data } = await service
      .from('price_observations')
      .select('event_id')
      .eq('event_id', `ev-anon-${run}`);
    expect(data).toEqual([]);
  });

  it('cannot write the catalog', async () => {
    const insert = await anon.from('providers').insert({ slug: providerSlug, name: 'nope' });
    expect(insert.error?.code).toBe('42501');
    const update = await anon.from('providers').update({ name: 'nope' }).eq('slug', 'openai');
    expect(update.error?.code).toBe('42501');
  });

  it('cannot see the runner bookkeeping', async () => {
    const { error } = await anon.from('schema_migrations').select('*');
    expect(error).not.toBeNull();
  });
});

describe('service_role key', () => {
  const eventId = `ev-exact-${run}`;

  it('inserts with upsert ignoreDuplicates, and a replay changes nothing', async () => {
    const first = await service
      .from('price_observations')
      .upsert(observation(eventId, '0.00000375', '123456789.12345678'), {
        onConflict: 'event_id',
        ignoreDuplicates: true,
      });
    expect(first.error).toBeNull();
    const replay = await service
      .from('price_observations')
      .upsert(observation(eventId, '9.99000000', '1.00000000'), {
        onConflict: 'event_id',
        ignoreDuplicates: true,
      });
    expect(replay.error).toBeNull();
  });

  it('returns numeric(18,8) exactly when selected as text, for anon too', async () => {
    for (const reader of [service, anon]) {
      const { data, error } = await reader
        .from('price_observations')
        .select('event_id, prompt::text, completion::text')
        .eq('event_id', eventId);
      expect(error).toBeNull();
      expect(data).toEqual([{ event_id: eventId, prompt: '0.00000375', completion: '123456789.12345678' }]);
    }
    const daily = await anon
      .from('model_pricing_daily')
      .select('event_id, prompt::text, completion::text, snapshot_date')
      .eq('model_id', modelId);
    expect(daily.error).toBeNull();
    expect(daily.data).toEqual([
      {
        event_id: eventId,
        prompt: '0.00000375',
        completion: '123456789.12345678',
        snapshot_date: '2026-05-07',
      },
    ]);
  });

  it('gets a JSON number without the cast (the trap the cast avoids)', async () => {
    const { data } = await anon.from('price_observations').select('prompt').eq('event_id', eventId).single();
    expect(typeof (data as { prompt: unknown }).prompt).toBe('number');
  });

  it('cannot update or delete history', async () => {
    const update = await service.from('price_observations').update({ prompt: '0' }).eq('event_id', eventId);
    expect(update.error).not.toBeNull();
    const del = await service.from('price_observations').delete().eq('event_id', eventId);
    expect(del.error).not.toBeNull();
    const { data } = await anon.from('price_observations').select('prompt::text').eq('event_id', eventId);
    expect(data).toEqual([{ prompt: '0.00000375' }]);
  });

  it('upserts the catalog projections (insert, then update in place)', async () => {
    const first = await service
      .from('providers')
      .upsert({ slug: providerSlug, name: 'Test One' }, { onConflict: 'slug' });
    expect(first.error).toBeNull();
    const second = await service
      .from('providers')
      .upsert({ slug: providerSlug, name: 'Test Two' }, { onConflict: 'slug' });
    expect(second.error).toBeNull();
    const { data } = await anon.from('providers').select('slug, name').eq('slug', providerSlug);
    expect(data).toEqual([{ slug: providerSlug, name: 'Test Two' }]);
  });
});
