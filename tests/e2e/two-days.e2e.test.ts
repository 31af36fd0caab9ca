// The whole pipeline over two real snapshots (the sample catalog: 2026-08-01, then 2026-08-19, with
// per-provider endpoints), for both store adapters. Every published price, observation row and
// change is checked against the test's own computation from the files (expected.ts), then day 2 is
// run again and must add nothing.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import {
  sampleCatalog,
  startFixtureServer,
  type FixtureServer,
  type FixtureServerOptions,
} from '@llmpt/fixture-server';
import type { NormalizedPrice, PriceChanged } from '@llmpt/schemas';
import { sharedDataDir, uniquePrefix } from '@llmpt/testkit';
import {
  bySource,
  changeRows,
  changeShapes,
  count,
  eventsOf,
  fetchedAtOf,
  observationRows,
  observed,
  runEvents,
  slotsOf,
  valuesOf,
  type ObservationRow,
} from './checks.ts';
import {
  DIMENSIONS,
  ExpectedState,
  catalogOf,
  expectedChanges,
  expectedEndpoints,
  expectedRoutedDay,
  readModels,
  type ExpectedObservation,
} from './expected.ts';
import { startPipeline, type E2EPipeline } from './harness.ts';
import { drainedMetrics, expectMetricsEqualTopics } from './metrics-checks.ts';

type Day = ReturnType<typeof dayOf>;

function dayOf(modelsFile: string, endpointsFile?: string) {
  const models = readModels(modelsFile);
  const endpoints = endpointsFile
    ? (JSON.parse(readFileSync(endpointsFile, 'utf8')) as Record<string, unknown[]>)
    : {};
  const routed = expectedRoutedDay(models);
  const perProvider = new Map<string, ExpectedObservation>();
  for (const m of models)
    for (const [k, v] of expectedEndpoints(m.id, endpoints[m.id] ?? [])) perProvider.set(k, v);
  return {
    entries: models.length,
    ids: [...new Set(models.map((m) => m.id))],
    routed,
    perProvider,
    all: new Map([...routed, ...perProvider]),
    catalog: catalogOf(models),
  };
}

interface Dataset {
  readonly name: 'sample' | 'skissue';
  readonly server: FixtureServerOptions;
  readonly days: readonly [Day, Day];
  readonly scraperEnv?: Record<string, string>;
}

// The project's sample catalog (2026-08-01 → 2026-08-19) with per-provider endpoints.
const catalog = sampleCatalog();
const sample: Dataset = {
  name: 'sample',
  server: catalog,
  days: [dayOf(catalog.models[0], catalog.endpoints[0]), dayOf(catalog.models[1], catalog.endpoints[1])],
};
// Two consecutive real daily snapshots (2026-03-03 → 2026-03-04), routed prices only.
const skissueFiles = ['2026-03-03', '2026-03-04'].map((d) =>
  path.join(sharedDataDir, 'openrouter', 'models', `openrouter_models_skissue_${d}_data-array.json`),
);
const skissue: Dataset = {
  name: 'skissue',
  server: { models: skissueFiles },
  days: [dayOf(skissueFiles[0]!), dayOf(skissueFiles[1]!)],
  scraperEnv: { SCRAPE_ENDPOINTS: 'false' },
};

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe.each([
  { dataset: sample, store: 'postgres' as const },
  { dataset: sample, store: 'supabase' as const },
  { dataset: skissue, store: 'postgres' as const },
])('two days over the $dataset.name snapshots, $store store', ({ dataset, store }) => {
  const [day1, day2] = dataset.days;
  const days = dataset.days;
  const label = `${dataset.name} ${store}`;
  let server: FixtureServer;
  let p: E2EPipeline;
  const run = uniquePrefix(`${dataset.name}-${store}`).slice(2, -1);
  const last = new ExpectedState();
  const seenObservationIds = new Set<string>();
  const seenChangeIds = new Set<string>();
  const fetched: number[] = [];
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    server = await startFixtureServer(dataset.server);
    p = await startPipeline({
      name: `two-days-${dataset.name}-${store}`,
      store,
      openRouterBaseUrl: server.url,
      ...(dataset.scraperEnv ? { scraperEnv: dataset.scraperEnv } : {}),
    });
  });
  afterAll(async () => {
    await p?.stop();
    await server?.close();
    console.info(`[e2e two-days ${label}] timings ms`, timings);
  });

  /** Runs one day and checks topics and database against the files; returns the day's figures. */
  async function checkDay(index: number, runId: string) {
    const day = days[index]!;
    server.setDay(index);
    const res = await p.runDay(runId);
    timings[runId] = res.ms;
    expect(res.stdout).toMatch(
      new RegExp(
        `^discovery run=${runId} models=${day.entries} sent=${day.ids.length} rejected=${day.entries - day.ids.length} .*seconds=\\d+\\.\\d{2}$`,
        'm',
      ),
    );

    // Catalog: every listed model discovered once by this run, one fetch time.
    const discovered = await runEvents(p, 'ModelDiscovered', runId);
    expect(discovered.map((e) => e.model_id).sort()).toEqual([...day.ids].sort());
    const at = fetchedAtOf(discovered);
    fetched[index] = at;

    // Published prices (topic): exactly the expected observations, for both sources.
    const normalized = await runEvents(p, 'NormalizedPrice', runId);
    const got = observed(normalized);
    expect(got.size).toBe(normalized.length); // one per key per run
    expect(bySource(got, 'openrouter_api')).toEqual(day.routed);
    expect(bySource(got, 'openrouter_endpoints')).toEqual(day.perProvider);
    for (const e of normalized) expect(e.snapshot_date).toBe(utcDay(at));

    // Changes (topic, read committed): exactly the expected ones for both sources.
    const changes = await runEvents(p, 'PriceChanged', runId);
    const expectedDay = expectedChanges(last, day.all, day.catalog);
    expect(changeShapes(changes)).toEqual(expectedDay);

    // Rows: one observation per distinct fact, with the published values as text.
    const obsRows = await observationRows(
      p.db,
      normalized.map((e) => e.event_id),
    );
    const byId = new Map<string, NormalizedPrice>(normalized.map((e) => [e.event_id, e]));
    expect(obsRows.map((r) => r.event_id).sort()).toEqual([...byId.keys()].sort());
    for (const r of obsRows) {
      const exp = day.all.get(r.price_key);
      expect({ key: r.price_key, status: r.status, values: valuesOf(r) }).toEqual({
        key: r.price_key,
        status: exp?.status,
        values: exp?.values,
      });
      expect(r.snapshot_date).toBe(utcDay(at));
    }
    const chRows = await changeRows(
      p.db,
      changes.map((e) => e.event_id),
    );
    const chById = new Map<string, PriceChanged>(changes.map((e) => [e.event_id, e]));
    expect(chRows.length).toBe(changes.length);
    for (const r of chRows) {
      const e = chById.get(r.event_id)!;
      expect({ ...r, run_id: undefined }).toEqual({
        event_id: e.event_id,
        run_id: undefined,
        price_key: e.price_key,
        model_id: e.model_id,
        provider: e.provider,
        source_type: e.source_type,
        kind: e.kind,
        changes: e.changes,
        alert: e.alert,
      });
    }
    const newFacts = normalized.filter((e) => !seenObservationIds.has(e.event_id));
    for (const e of normalized) seenObservationIds.add(e.event_id);
    for (const e of changes) seenChangeIds.add(e.event_id);

    // The fresh database holds exactly the facts seen so far; the shared one at least those.
    if (store === 'postgres') {
      expect(await count(p.db, 'select count(*) n from price_observations')).toBe(seenObservationIds.size);
      expect(await count(p.db, 'select count(*) n from price_changes')).toBe(seenChangeIds.size);
    }

    // Catalog rows: first seen on day 1, last seen moves with each run that lists the model.
    const catalogRows = (
      await p.db.query<{ model_id: string; first_seen_at: Date; last_seen_at: Date }>(
        'select model_id, first_seen_at, last_seen_at from models_catalog where model_id = any($1::text[])',
        [[...new Set([...day1.ids, ...day2.ids])]],
      )
    ).rows;
    const rowOf = new Map(catalogRows.map((r) => [r.model_id, r]));
    for (const id of day.ids) {
      const r = rowOf.get(id);
      expect(r, id).toBeDefined();
      const firstSeen = day1.ids.includes(id) ? fetched[0]! : at;
      if (store === 'postgres') {
        expect([id, r!.first_seen_at.getTime(), r!.last_seen_at.getTime()]).toEqual([id, firstSeen, at]);
      } else {
        // Shared database: other runs may have seen these real models before or after.
        expect(r!.first_seen_at.getTime()).toBeLessThanOrEqual(firstSeen);
        expect(r!.last_seen_at.getTime()).toBeGreaterThanOrEqual(at);
      }
    }
    if (store === 'postgres') {
      expect(catalogRows.map((r) => r.model_id).sort()).toEqual(
        (await p.db.query<{ model_id: string }>('select model_id from models_catalog')).rows
          .map((r) => r.model_id)
          .sort(),
      );
      for (const id of day1.ids.filter((i) => !day.ids.includes(i))) {
        expect(rowOf.get(id)?.last_seen_at.getTime(), `${id} not listed: last seen stays`).toBe(fetched[0]);
      }
    }

    // The daily view: the latest routed observation per model and day.
    const view = (
      await p.db.query<ObservationRow & Pick<NormalizedPrice, 'base' | 'tiers'>>(
        `select model_id, event_id, status, ${DIMENSIONS.map((d) => `${d}::text as ${d}`).join(', ')}, base, tiers
             from model_pricing_daily
            where source_type = 'openrouter_api' and provider is null and snapshot_date = $1::date
              and model_id = any($2::text[])`,
        [utcDay(at), day.ids],
      )
    ).rows;
    expect(view.map((r) => r.model_id).sort()).toEqual([...day.ids].sort());
    for (const r of view) {
      const exp = day.routed.get(`${r.model_id}||openrouter_api`)!;
      // The shared database's view also holds other runs' rows of today; ours are the latest only in
      // a fresh database, so there the view must show exactly today's published prices.
      if (store === 'postgres' || byId.has(r.event_id)) {
        expect({ id: r.model_id, status: r.status, values: valuesOf(r), slots: slotsOf(r) }).toEqual({
          id: r.model_id,
          ...exp,
        });
      }
    }

    const figures = {
      models: day.ids.length,
      observations: normalized.length,
      newFacts: newFacts.length,
      changes: changes.length,
      changed: changes.filter((c) => c.kind === 'changed').length,
      alerts: changes.filter((c) => c.alert).length,
    };
    console.info(`[e2e two-days ${label}] ${runId}`, figures);
    return { changes, normalized };
  }

  it('day 1: every model is new, every price as published', async () => {
    const { changes } = await checkDay(0, `e2e-${run}-day1`);
    const all = changes.filter((c) => c.source_type === 'openrouter_api');
    // A model listed with an expiration_date is also announced (kind expiring, an alert, no price).
    const expiring = all.filter((c) => c.kind === 'expiring');
    expect(
      Object.fromEntries(expiring.map((c) => [c.model_id, [c.expiration_date, c.alert, c.changes.length]])),
    ).toEqual(Object.fromEntries([...day1.catalog.expirations].map(([id, date]) => [id, [date, true, 0]])));
    expect(expiring).toHaveLength(day1.catalog.expirations.size);
    const routed = all.filter((c) => c.kind !== 'expiring');
    // Every model with an available routed price is new; openrouter/auto ("-1") has none.
    expect(routed.every((c) => c.kind === 'new')).toBe(true);
    expect(routed.map((c) => c.model_id).sort()).toEqual(
      day1.ids.filter((id) => day1.routed.get(`${id}||openrouter_api`)?.status === 'ok').sort(),
    );
    expect(day1.routed.get('openrouter/auto||openrouter_api')?.status).toBe('unavailable');
    if (dataset.name !== 'sample') return;
    // Hand-checked: "0.000003" per token is $3 per 1M; o1-pro $150/$600; web search $0.01 per search.
    expect(day1.routed.get('anthropic/claude-sonnet-4.6||openrouter_api')?.values).toMatchObject({
      prompt: '3.00000000',
      completion: '15.00000000',
      input_cache_read: '0.30000000',
      input_cache_write: '3.75000000',
      web_search: '0.01000000',
    });
    expect(day1.routed.get('openai/o1-pro||openrouter_api')?.values).toMatchObject({
      prompt: '150.00000000',
      completion: '600.00000000',
    });
    // Endpoints: gpt-4o's real /endpoints response, OpenAI with a cache price, Azure without.
    expect(day1.perProvider.get('openai/gpt-4o|openai|openrouter_endpoints')?.values).toMatchObject({
      prompt: '2.50000000',
      completion: '10.00000000',
      input_cache_read: '1.25000000',
    });
    expect(day1.perProvider.get('openai/gpt-4o|azure|openrouter_endpoints')?.values).toMatchObject({
      prompt: '2.50000000',
      completion: '10.00000000',
      input_cache_read: null,
    });
    expect(day1.perProvider.size).toBe(83);
    if (store !== 'postgres') return;
    // The providers catalog (/api/v1/providers): every provider with its details; name != slug kept.
    const providers = await p.db.query<{
      slug: string;
      name: string;
      headquarters: string | null;
      terms: string | null;
    }>(
      `select slug, name, headquarters, terms_of_service_url terms from providers where catalog_seen_at is not null order by slug`,
    );
    expect(providers.rows).toHaveLength(29);
    expect(providers.rows.find((r) => r.slug === 'google-vertex')).toEqual({
      slug: 'google-vertex',
      name: 'Google',
      headquarters: 'US',
      terms: 'https://cloud.google.com/terms/',
    });
    expect(providers.rows.find((r) => r.slug === 'deepinfra')?.name).toBe('DeepInfra');
  });

  it('day 2: the real price moves are the changes, nothing else', async () => {
    const { changes } = await checkDay(1, `e2e-${run}-day2`);
    if (dataset.name !== 'sample') return;
    const routed = changes.filter((c) => c.source_type === 'openrouter_api');
    // Hand-checked from the files: qwen3-14b cut, the float-artifact cache write is no change.
    const qwen = routed.find((c) => c.model_id === 'qwen/qwen3-14b');
    expect(qwen?.kind).toBe('changed');
    expect(qwen?.changes).toEqual([
      {
        dimension: 'prompt',
        previous: '0.22750000',
        current: '0.12000000',
        relative_change: '-0.47252747',
        tier: null,
        change: 'changed',
      },
      {
        dimension: 'completion',
        previous: '0.91000000',
        current: '0.24000000',
        relative_change: '-0.73626374',
        tier: null,
        change: 'changed',
      },
    ]);
    expect(routed.find((c) => c.model_id === 'google/gemini-2.5-flash')).toBeUndefined();
    expect(routed.find((c) => c.model_id === 'google/gemini-3.7-flash')?.kind).toBe('new');
    expect(routed.filter((c) => c.kind === 'new').map((c) => c.model_id)).toEqual([
      'google/gemini-3.7-flash',
    ]);
    expect(day2.perProvider.size).toBe(81);
  });

  it('day 2 again: a new run adds no rows and no changes', async () => {
    const changesBefore = await eventsOf(p, 'PriceChanged');
    const runId = `e2e-${run}-day2-again`;
    const totalsBefore =
      store === 'postgres'
        ? [
            await count(p.db, 'select count(*) n from price_observations'),
            await count(p.db, 'select count(*) n from price_changes'),
          ]
        : undefined;
    server.setDay(1);
    const res = await p.runDay(runId);
    timings[runId] = res.ms;
    const normalized = await runEvents(p, 'NormalizedPrice', runId);
    expect(normalized.length).toBe(day2.all.size);
    // Same facts, same ids: nothing new for the database to write.
    expect(normalized.filter((e) => !seenObservationIds.has(e.event_id))).toEqual([]);
    expect(await runEvents(p, 'PriceChanged', runId)).toEqual([]);
    expect((await eventsOf(p, 'PriceChanged')).length).toBe(changesBefore.length);
    expect(await count(p.db, 'select count(*) n from price_observations where run_id = $1', [runId])).toBe(0);
    expect(await count(p.db, 'select count(*) n from price_changes where run_id = $1', [runId])).toBe(0);
    if (totalsBefore) {
      expect([
        await count(p.db, 'select count(*) n from price_observations'),
        await count(p.db, 'select count(*) n from price_changes'),
      ]).toEqual(totalsBefore);
    }
    console.info(`[e2e two-days ${label}] ${runId}`, { observations: normalized.length, changes: 0 });
  });

  // docs/metrics.md: scraped after the three runs, each stage's counters equal the topics (once: the
  // other two pipelines run the same code).
  it.runIf(dataset.name === 'sample' && store === 'postgres')(
    "metrics: each stage's counters equal what the three runs left on the topics",
    async () => {
      const compared = await expectMetricsEqualTopics(p, await drainedMetrics(p));
      console.info(`[e2e two-days ${label}] metrics equal the topics`, JSON.stringify(compared));
    },
  );
});
