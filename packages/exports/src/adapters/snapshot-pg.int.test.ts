// The export from a database filled by the pipeline's own sink projection (project() and the
// Postgres store, as the sink writes Kafka's events) with two recorded OpenRouter days run through
// the real discovery/scraper/normalizer cores: a past date is the same bytes on every call and after
// a replay into another fresh database, equals the export of the same events built in memory (names
// and context lengths as the last capture up to that date saw them, docs/design.md §3 "Model
// metadata history"), and a date between the two days answers with the first day's prices and names.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore, project, type DecodedEvent } from '@llmpt/sink';
import { freshDatabase, type FreshDatabase } from '@llmpt/testkit';
import { recordedSnapshotCaptures } from '@llmpt/testkit/oracle';
import { stableJson } from '../core/json.ts';
import { toGenaiPrices } from '../core/genai-prices.ts';
import { toLiteLLM } from '../core/litellm.ts';
import { toModelsDev } from '../core/models-dev.ts';
import { toCsv } from '../core/csv.ts';
import { normalizedOf, snapshotOf } from '../testing/recorded.ts';
import { loadSnapshot } from './snapshot-pg.ts';

const captures = recordedSnapshotCaptures().filter((c) => ['2026-08-01', '2026-08-19'].includes(c.label));

async function filled(label: string): Promise<FreshDatabase> {
  const fresh = await freshDatabase(label, { namePrefix: 'llmpt_exports' });
  const store = createPostgresStore({ databaseUrl: fresh.url });
  try {
    for (const c of captures) {
      const events: DecodedEvent[] = normalizedOf(c).flatMap((r) => [
        { name: 'ModelDiscovered' as const, event: r.discovered },
        { name: 'NormalizedPrice' as const, event: r.price },
      ]);
      await store.writeBatch(project(events));
    }
  } finally {
    await store.close();
  }
  return fresh;
}

async function exportAt(
  url: string,
  at: string,
  fallbackToLatest = false,
  format: 'genai-prices' | 'litellm' | 'models-dev' | 'csv' = 'genai-prices',
): Promise<string> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const snapshot = await loadSnapshot(db, { at, fallbackToLatest });
    if (format === 'litellm') return stableJson(toLiteLLM(snapshot).map);
    if (format === 'models-dev') return stableJson(toModelsDev(snapshot).api);
    if (format === 'csv') return toCsv(snapshot);
    return stableJson(toGenaiPrices(snapshot).providers);
  } finally {
    await db.end();
  }
}

const DAY_END = '2026-08-19T23:59:59.999Z';
let a: FreshDatabase;
let b: FreshDatabase;

beforeAll(async () => {
  a = await filled('a');
  b = await filled('b');
});
afterAll(async () => {
  await a?.drop();
  await b?.drop();
});

describe('exports of a past date from the database', () => {
  it('is byte-identical across two calls and across a replay into a fresh database', async () => {
    const first = await exportAt(a.url, DAY_END);
    expect(first.length).toBeGreaterThan(10_000);
    expect(await exportAt(a.url, DAY_END)).toBe(first);
    expect(await exportAt(b.url, DAY_END)).toBe(first);
    const litellm = await exportAt(a.url, DAY_END, false, 'litellm');
    expect(Object.keys(JSON.parse(litellm) as object).length).toBeGreaterThan(300);
    expect(await exportAt(b.url, DAY_END, false, 'litellm')).toBe(litellm);
    const modelsDev = await exportAt(a.url, DAY_END, false, 'models-dev');
    expect(await exportAt(b.url, DAY_END, false, 'models-dev')).toBe(modelsDev);
    const csv = await exportAt(a.url, DAY_END, false, 'csv');
    expect(await exportAt(b.url, DAY_END, false, 'csv')).toBe(csv);
  });

  it('equals the export of the same events built in memory (names as the last capture saw them)', async () => {
    const expected = toGenaiPrices(snapshotOf(captures, true));
    expect(await exportAt(a.url, DAY_END)).toBe(stableJson(expected.providers));
  });

  it("a date between the two days gives the first day's prices and names; the current export carries names", async () => {
    const expected = toGenaiPrices(snapshotOf(captures.slice(0, 1), true));
    expect(await exportAt(a.url, '2026-08-10T00:00:00Z')).toBe(stableJson(expected.providers));
    const now = JSON.parse(await exportAt(a.url, DAY_END, true)) as { models: { name?: string }[] }[];
    expect(now[0]!.models.filter((m) => m.name).length).toBeGreaterThan(100);
  });
});
