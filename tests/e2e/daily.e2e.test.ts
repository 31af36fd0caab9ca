// The main job, `npm run daily` (scripts/daily.ts), as a user runs it, on topics and a database of its
// own. Offline it loads the bundled sample through the backfill command with the sample's real dates
// (README "The daily run", docs/design.md "Backfill"): the history it leaves is the sample's, 2026-08-01
// then 2026-08-19, routed and per-provider prices, and a second run adds nothing. Live (an
// OpenRouter it can reach: here the fixture server serving the sample's day 1) it is a run stamped now.
// Offline it also reads the provider pricing pages from the recorded captures in ../shared (served
// locally, observed now, run daily-pages-<last day>); their prices are checked against the captures by
// hand below, the sample's own history (every other source) stays on its two days.
// Expected prices come from the e2e oracle over the sample's files (expected.ts), not from the code.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCatalog, startFixtureServer, type FixtureServer } from '@llmpt/fixture-server';
import {
  createTestTopics,
  deleteTestTopics,
  freshDatabase,
  runProcess,
  stackEnv,
  testKafka,
  uniquePrefix,
  type FreshDatabase,
  type ProcessRun,
} from '@llmpt/testkit';
import { count } from './checks.ts';
import {
  DIMENSIONS,
  expectedEndpoints,
  expectedRoutedDay,
  readModels,
  routedKey,
  type ExpectedObservation,
} from './expected.ts';

const catalog = sampleCatalog();
const [DAY1, DAY2] = ['2026-08-01', '2026-08-19'] as const;
const midnight = (day: string) => new Date(`${day}T00:00:00.000Z`).getTime();

/** Price key → expected observation of one sample day: routed prices and per-provider endpoints. */
function expectedDay(day: 0 | 1): {
  routed: Map<string, ExpectedObservation>;
  perProvider: Map<string, ExpectedObservation>;
} {
  const models = readModels(catalog.models[day]);
  const endpoints = JSON.parse(readFileSync(catalog.endpoints[day], 'utf8')) as Record<string, unknown[]>;
  const perProvider = new Map<string, ExpectedObservation>();
  for (const m of models)
    for (const [k, v] of expectedEndpoints(m.id, endpoints[m.id] ?? [])) perProvider.set(k, v);
  return { routed: expectedRoutedDay(models), perProvider };
}
const expected = [expectedDay(0), expectedDay(1)] as const;

interface Setup {
  readonly prefix: string;
  readonly fresh: FreshDatabase;
  readonly db: pg.Client;
}

async function setUp(name: string): Promise<Setup> {
  const prefix = uniquePrefix(`e2e-${name}`);
  await createTestTopics(prefix, { kafka: testKafka(`e2e-${name}`) });
  const fresh = await freshDatabase(name);
  const db = new pg.Client({ connectionString: fresh.url });
  await db.connect();
  return { prefix, fresh, db };
}

async function tearDown(s: Setup | undefined): Promise<void> {
  if (!s) return;
  await s.db.end().catch(() => undefined);
  await s.fresh.drop();
  await deleteTestTopics(s.prefix, { kafka: testKafka('e2e-daily-teardown') });
}

/** `npm run daily` with the given flags, its topics and database the test's own. */
function daily(s: Setup, args: string[], vars: Record<string, string> = {}): Promise<ProcessRun> {
  return runProcess(process.execPath, ['--import', 'tsx', 'scripts/daily.ts', ...args], {
    KAFKA_BROKERS: stackEnv().kafkaBrokers.join(','),
    DATABASE_URL: s.fresh.url,
    TOPIC_PREFIX: s.prefix,
    ...vars,
  });
}

/** The money of a row (price_observations or price_at) as the oracle's `values`. */
const valuesOf = (row: Record<string, string | null>) =>
  Object.fromEntries(DIMENSIONS.map((d) => [d, row[d] ?? null]));
const textColumns = DIMENSIONS.map((d) => `${d}::text as ${d}`).join(', ');

async function priceAt(
  db: pg.Client,
  key: string,
  at: string,
): Promise<Record<string, string | null> | undefined> {
  const [model, provider, source] = key.split('|') as [string, string, string];
  const res = await db.query(`select effective_from, ${textColumns} from price_at($1, $2, $3, $4)`, [
    model,
    at,
    provider === '' ? null : provider,
    source,
  ]);
  return res.rows[0] as Record<string, string | null> | undefined;
}

async function tableCounts(db: pg.Client): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of [
    'price_observations',
    'price_changes',
    'models_catalog',
    'providers',
    'model_providers',
    'byok_verifications',
    'price_discrepancies',
  ])
    out[t] = await count(db, `select count(*) as n from ${t}`);
  return out;
}

describe('npm run daily, offline: the bundled sample with its real dates', () => {
  let s: Setup;
  let first: ProcessRun;
  const qwen = routedKey('qwen/qwen3-14b');

  beforeAll(async () => {
    s = await setUp('daily-offline');
    first = await daily(s, ['--offline']);
  });
  afterAll(() => tearDown(s));

  it('loads both days through the backfill command and says so', () => {
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('--offline: running on the bundled sample catalog');
    expect(first.stdout).toMatch(
      /^\[1\/2\] 2026-08-01\/models\.json captured 2026-08-01T00:00:00\.000Z run=backfill-/m,
    );
    expect(first.stdout).toMatch(/^\[2\/2\] 2026-08-19\/models\.json captured 2026-08-19T00:00:00\.000Z /m);
    expect(first.stdout).toMatch(/ days +2026-08-01, 2026-08-19: published by this run \(2 of 2\)/);
  });

  it('every observation carries its sample day, at the capture time, from a backfill run of that day', async () => {
    const rows = (
      await s.db.query(
        `select price_key, source_type, run_id, observed_at, ${textColumns} from price_observations
          where source_type <> 'provider_site' order by price_key, observed_at`,
      )
    ).rows as (Record<string, string | null> & { observed_at: Date; run_id: string; price_key: string })[];
    const byDay = new Map<string, typeof rows>();
    for (const r of rows) {
      const day = r.observed_at.toISOString().slice(0, 10);
      expect([DAY1, DAY2]).toContain(day);
      expect(r.observed_at.getTime()).toBe(midnight(day));
      expect(r.run_id).toMatch(new RegExp(`^backfill-${day}T00:00:00Z-[0-9a-f]{8}$`));
      byDay.set(day, [...(byDay.get(day) ?? []), r]);
    }
    for (const [i, day] of [DAY1, DAY2].entries()) {
      const got = new Map((byDay.get(day) ?? []).map((r) => [r.price_key, valuesOf(r)]));
      const want = new Map(
        [...expected[i]!.routed, ...expected[i]!.perProvider].map(([k, v]) => [
          k,
          v.values as Record<string, string | null>,
        ]),
      );
      // Every routed and per-provider price of the day, each as published.
      expect(Object.fromEntries(got)).toEqual(Object.fromEntries(want));
    }
    expect(rows.some((r) => r.source_type === 'openrouter_endpoints')).toBe(true);
  });

  it('price_at answers with day 1 between the days and day 2 after, from the real dates', async () => {
    const [d1, d2] = [expected[0].routed.get(qwen)!, expected[1].routed.get(qwen)!];
    expect(d1.values.prompt).not.toBe(d2.values.prompt);
    const before = await priceAt(s.db, qwen, '2026-07-31T23:59:59Z');
    expect(before).toBeUndefined();
    const between = await priceAt(s.db, qwen, '2026-08-10T00:00:00Z');
    expect(valuesOf(between!)).toEqual(d1.values);
    expect(new Date(between!.effective_from!).toISOString()).toBe('2026-08-01T00:00:00.000Z');
    const after = await priceAt(s.db, qwen, '2026-08-20T00:00:00Z');
    expect(valuesOf(after!)).toEqual(d2.values);
    expect(new Date(after!.effective_from!).toISOString()).toBe('2026-08-19T00:00:00.000Z');
    // Per-provider prices too: every endpoint key of each day, in force at the same two moments.
    for (const [key, obs] of expected[0].perProvider)
      expect(valuesOf((await priceAt(s.db, key, '2026-08-10T00:00:00Z'))!), key).toEqual(obs.values);
    for (const [key, obs] of expected[1].perProvider)
      expect(valuesOf((await priceAt(s.db, key, '2026-08-20T00:00:00Z'))!), key).toEqual(obs.values);
  });

  it('the changes are dated on the sample days, and the summary counts those between them', async () => {
    const days = (
      await s.db.query(
        `select distinct snapshot_date::text d from price_changes where price_key not like '%|provider_site' order by d`,
      )
    ).rows;
    expect(days.map((r: { d: string }) => r.d)).toEqual([DAY1, DAY2]);
    const between = await count(s.db, `select count(*) as n from price_changes where snapshot_date = $1`, [
      DAY2,
    ]);
    expect(between).toBeGreaterThan(0);
    expect(first.stdout).toMatch(new RegExp(`price changes +2026-08-01 -> 2026-08-19: ${between} \\(`));
    const qwenChange = (
      await s.db.query(
        `select c->>'previous' previous, c->>'current' current from price_changes, jsonb_array_elements(changes) c
          where price_key = $1 and kind = 'changed' and c->>'dimension' = 'prompt' and c->>'tier' is null`,
        [qwen],
      )
    ).rows;
    expect(qwenChange).toEqual([
      {
        previous: expected[0].routed.get(qwen)!.values.prompt,
        current: expected[1].routed.get(qwen)!.values.prompt,
      },
    ]);
    // Among the largest moves: qwen3-14b's completion price cut (0.91 -> 0.24 per 1M, the README's).
    const [c1, c2] = [expected[0].routed.get(qwen)!, expected[1].routed.get(qwen)!].map(
      (o) => o.values.completion,
    );
    expect(first.stdout).toContain(`qwen/qwen3-14b [- openrouter_api] completion (base): ${c1} -> ${c2} (`);
  });

  it('runs the verifier on the sample pairs that have a recorded answer, and flags what differs', async () => {
    // scripts/daily-verify.ts answers with ../shared/data/openrouter/chat; the price in force is the
    // sample's endpoint price of 2026-08-19 (fixtures/sample-catalog/endpoints/day2.json), which lists
    // prompt and completion only, so cache tokens fall back to the prompt rate (the cost of a call's
    // documented fallback) while OpenRouter billed its cache rates: both probes are discrepancies.
    // Sonnet 4.6 @ anthropic ($3 / $15): 3 × 3/M + 3211 written × 3/M + 100 × 15/M
    //   = 0.000009 + 0.009633 + 0.0015 = 0.011142, charged 0.01355025.
    // Gemini 2.5 Flash @ google-ai-studio ($0.30 / $2.50): (7 + 2161 read + 2161 written) × 0.30/M
    //   + 100 × 2.50/M = 0.0012987 + 0.00025 = 0.0015487, charged 0.0004970133333333333.
    expect(first.stdout).toMatch(/^verifier: 2 of 2 sampled pairs probed \(charged 2\), 2 discrepancies, /m);
    const { rows } = await s.db.query(
      `select model_id, provider, expected_cost::text e, charged_cost::text c, discrepancy
         from byok_verifications order by model_id`,
    );
    expect(rows).toEqual([
      {
        model_id: 'anthropic/claude-sonnet-4.6',
        provider: 'anthropic',
        e: '0.011142',
        c: '0.01355025',
        discrepancy: true,
      },
      {
        model_id: 'google/gemini-2.5-flash',
        provider: 'google-ai-studio',
        e: '0.0015487',
        c: '0.0004970133333333333',
        discrepancy: true,
      },
    ]);
    expect(await count(s.db, 'select count(*) as n from price_discrepancies')).toBe(2);
  });

  it('reads the provider pages from the shared captures: provider_site prices as the pages print them', async () => {
    expect(first.stdout).toMatch(
      /^ {2}provider pages {9}the recorded captures in \.\.\/shared\/data\/pricing_pages, served locally/m,
    );
    const rows = (
      await s.db.query(
        `select price_key, run_id, status, ${textColumns} from price_observations where source_type = 'provider_site'`,
      )
    ).rows as (Record<string, string | null> & { price_key: string; run_id: string; status: string })[];
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.run_id))).toEqual(new Set([`daily-pages-${DAY2}`]));
    const byKey = new Map(rows.map((r) => [r.price_key, r]));
    const ok = (key: string) => {
      const r = byKey.get(key);
      expect(r?.status, key).toBe('ok');
      return r!;
    };
    // Values per 1M tokens, as the captures print them (read by hand):
    // novita_pricing...md line 40: "| [deepseek/deepseek-v4-pro](...) | 1,048,576 | $1.69 /Mt· Cache Read $0.13 /Mt | $3.38 /Mt |"
    const novita = ok('deepseek/deepseek-v4-pro|novita|provider_site');
    expect([novita.prompt, novita.input_cache_read, novita.completion]).toEqual([
      '1.69000000',
      '0.13000000',
      '3.38000000',
    ]);
    // kimi ...k2.6...md line 43: ["kimi-k2.6", "1M tokens", <>{"$"}0.16</>, <>{"$"}0.95</>, <>{"$"}4.00</>, ...]
    const kimi = ok('moonshotai/kimi-k2.6|moonshotai|provider_site');
    expect([kimi.prompt, kimi.input_cache_read, kimi.completion]).toEqual([
      '0.95000000',
      '0.16000000',
      '4.00000000',
    ]);
    // claude.com card "Opus 4.7": Input $5, Output $25, Write $6.25, Read $0.50
    const opus = ok('anthropic/claude-opus-4.7|anthropic|provider_site');
    expect([opus.prompt, opus.completion, opus.input_cache_write, opus.input_cache_read]).toEqual([
      '5.00000000',
      '25.00000000',
      '6.25000000',
      '0.50000000',
    ]);
    // Host pages only for models whose endpoints (sample day 2) list the host: Novita serves
    // deepseek-v4-pro that day; a model it does not serve has no novita provider_site row.
    const endpoints = JSON.parse(readFileSync(catalog.endpoints[1], 'utf8')) as Record<
      string,
      { tag?: string | null; provider_name?: string }[]
    >;
    for (const key of byKey.keys()) {
      const [model, provider] = key.split('|') as [string, string];
      if (!['novita', 'siliconflow', 'venice', 'cerebras', 'google-vertex'].includes(provider)) continue;
      const hosts = (endpoints[model] ?? []).map((e) =>
        (e.tag ?? e.provider_name ?? '').split('/')[0]!.toLowerCase(),
      );
      expect(hosts, key).toContain(provider);
    }
  });

  it('a second run publishes nothing and adds no row', async () => {
    const before = await tableCounts(s.db);
    const again = await daily(s, ['--offline']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already loaded by an earlier run: nothing published \(2 of 2 skipped\)/);
    expect(again.stdout).toMatch(/written by this run +0 price observations, 0 price changes/);
    expect(await tableCounts(s.db)).toEqual(before);
  });
});

describe('npm run daily, live: a run stamped now', () => {
  let s: Setup;
  let server: FixtureServer;
  let run: ProcessRun;
  let t0: number;

  beforeAll(async () => {
    s = await setUp('daily-live');
    server = await startFixtureServer(catalog);
    t0 = Date.now();
    // The official pricing pages are on the internet: left out, as the other e2e tests do.
    run = await daily(s, [], { OPENROUTER_BASE_URL: server.url, SCRAPE_PROVIDER_SITES: 'false' });
  });
  afterAll(async () => {
    await server?.close();
    await tearDown(s);
  });

  it('observes the reachable OpenRouter now, endpoints fetched live, and prints the live summary', async () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain('OFFLINE');
    expect(run.stdout).toMatch(/^daily run daily-live: summary$/m);
    const rows = (
      await s.db.query(`select price_key, run_id, observed_at, ${textColumns} from price_observations`)
    ).rows as (Record<string, string | null> & { observed_at: Date; run_id: string; price_key: string })[];
    expect(rows.every((r) => r.run_id === 'daily-live' && r.observed_at.getTime() >= t0)).toBe(true);
    const got = Object.fromEntries(rows.map((r) => [r.price_key, valuesOf(r)]));
    const want = Object.fromEntries(
      [...expected[0].routed, ...expected[0].perProvider].map(([k, v]) => [k, v.values]),
    );
    expect(got).toEqual(want);
    expect(server.requests()).toContain('/api/v1/models/openai/gpt-4o/endpoints');
  });
});
