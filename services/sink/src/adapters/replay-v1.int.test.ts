// Replay from v1: NormalizedPrice and PriceChanged bytes written before the price model v2 (saved
// fixtures) decode to v2 with the new fields defaulted and land in the v2 tables with the new columns
// null and base/tiers/unregistered [] — nothing invented for what v1 did not carry.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIMENSIONS, assertSoundEvent, decodeEvent } from '@llmpt/schemas';
import { freshDatabase, repoRoot, type FreshDatabase } from '@llmpt/testkit';
import { createPostgresStore } from './postgres.ts';
import { tableChecksums } from './checksums.ts';
import { project, type DecodedEvent } from '../core/project.ts';

const V2_DIMENSIONS = DIMENSIONS.filter((d) => d.since === 2).map((d) => d.name);
/** What a v1 event lands with in the columns v2 added. */
const V1_DEFAULTS = {
  ...Object.fromEntries(V2_DIMENSIONS.map((d) => [d, null])),
  base: [],
  tiers: [],
  unregistered: [],
};

const fixture = (name: string): DecodedEvent => {
  const decoded = decodeEvent(readFileSync(path.join(repoRoot, 'schemas', 'fixtures', `${name}.bin`)));
  assertSoundEvent(decoded);
  return decoded;
};

/** The v1 pipeline's events over the sample catalog's two days, in topic order. */
function v1Events(): DecodedEvent[] {
  const file = path.join(repoRoot, 'fixtures', 'v1-events', 'sample-catalog.v1.jsonl');
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const decoded = decodeEvent(Buffer.from((JSON.parse(l) as { value: string }).value, 'base64'));
      assertSoundEvent(decoded);
      return decoded;
    });
}

async function writeAll(url: string, batches: readonly (readonly DecodedEvent[])[]): Promise<void> {
  const store = createPostgresStore({ databaseUrl: url });
  try {
    for (const batch of batches) await store.writeBatch(project(batch));
  } finally {
    await store.close();
  }
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/** A table's rows as jsonb text (numeric keeps its scale), write-time columns aside, `patch` merged in. */
const rowsOf = (url: string, table: string, patch: object = {}) =>
  query<{ j: string }>(
    url,
    `select ((to_jsonb(t) - 'inserted_at') || $1::jsonb)::text as j from public.${table} t order by event_id`,
    [JSON.stringify(patch)],
  ).then((rows) => rows.map((r) => r.j));

describe('a v1 event and its v2 twin', () => {
  let v1db: FreshDatabase;
  let v2db: FreshDatabase;
  beforeAll(async () => {
    v1db = await freshDatabase('v1_twin', { namePrefix: 'llmpt_sink' });
    v2db = await freshDatabase('v2_twin', { namePrefix: 'llmpt_sink' });
    await writeAll(v1db.url, [[fixture('NormalizedPrice.v1'), fixture('PriceChanged.v1')]]);
    await writeAll(v2db.url, [[fixture('NormalizedPrice.v2'), fixture('PriceChanged.v2')]]);
  });
  afterAll(async () => {
    await v1db?.drop();
    await v2db?.drop();
  });

  it('the v1 observation equals the v2 one with the new columns null and no structure', async () => {
    const v1 = await rowsOf(v1db.url, 'price_observations');
    expect(v1).toHaveLength(1);
    expect(await rowsOf(v2db.url, 'price_observations', V1_DEFAULTS)).toEqual(v1);
    // The twin did carry what v1 lacked: the comparison above is not between two empty rows.
    const [twin] = await query<{ base: unknown[]; c: string }>(
      v2db.url,
      'select base, input_cache_write_1h::text as c from price_observations',
    );
    expect(twin?.base.length).toBeGreaterThan(0);
    expect(twin?.c).toBe('6.00000000');
  });

  it('the v1 change lands with no tier, no change kind per entry and no expiration date', async () => {
    const [row] = await query<{ changes: Record<string, unknown>[]; expiration_date: string | null }>(
      v1db.url,
      'select changes, expiration_date from price_changes',
    );
    expect(row?.expiration_date).toBeNull();
    expect(row?.changes.length).toBeGreaterThan(0);
    for (const c of row!.changes) expect(c).toMatchObject({ tier: null, change: null });
    // Every other column is the v2 twin's (both describe the same move of the same key).
    const columns = `event_id, run_id, caused_by, price_key, model_id, provider, source_type, kind,
      previous_observed_at, current_observed_at, snapshot_date, alert, alert_threshold`;
    const select = `select ${columns} from price_changes`;
    expect(await query(v1db.url, select)).toEqual(await query(v2db.url, select));
  });
});

describe('the v1 pipeline over the sample catalog, replayed into the v2 tables', () => {
  const events = v1Events();
  let a: FreshDatabase;
  let b: FreshDatabase;
  beforeAll(async () => {
    a = await freshDatabase('v1_replay_a', { namePrefix: 'llmpt_sink' });
    b = await freshDatabase('v1_replay_b', { namePrefix: 'llmpt_sink' });
    const batches = (size: number) =>
      Array.from({ length: Math.ceil(events.length / size) }, (_, i) =>
        events.slice(i * size, (i + 1) * size),
      );
    await writeAll(a.url, batches(50));
    // Another batching, in reverse: a replay converges whatever the order.
    await writeAll(b.url, batches(17).reverse());
  });
  afterAll(async () => {
    await a?.drop();
    await b?.drop();
  });

  it('lands every event, the new columns null and base/tiers/unregistered []', async () => {
    const counts = (name: string) => events.filter((e) => e.name === name).length;
    const newColumns = V2_DIMENSIONS.map((d) => `${d} is not null`).join(' or ');
    const [obs] = await query<{ n: string; v2: string }>(
      a.url,
      `select count(*)::text as n,
              count(*) filter (where ${newColumns} or base <> '[]' or tiers <> '[]' or unregistered <> '[]')::text as v2
         from price_observations`,
    );
    expect(obs).toEqual({ n: String(counts('NormalizedPrice')), v2: '0' });
    const [chg] = await query<{ n: string; v2: string }>(
      a.url,
      `select count(*)::text as n,
              count(*) filter (where expiration_date is not null or exists (
                select from jsonb_array_elements(changes) c
                 where c -> 'tier' <> 'null'::jsonb or c -> 'change' <> 'null'::jsonb))::text as v2
         from price_changes`,
    );
    expect(chg).toEqual({ n: String(counts('PriceChanged')), v2: '0' });
  });

  it('gives the same content checksums whatever the batching and order', async () => {
    const sums = async (url: string) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return await tableChecksums(c);
      } finally {
        await c.end();
      }
    };
    expect(await sums(b.url)).toEqual(await sums(a.url));
  });
});
