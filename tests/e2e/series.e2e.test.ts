// The pipeline over consecutive real daily captures (skissue's /models series, 2026-02-27 on), one
// discovery run per capture: after each run, the routed prices published and the PriceChanged events
// of that run equal the independent oracle's computation from the files (docs/price-model.md §3): a
// slot missing once publishes nothing, twice is removed, and its return is compared with the last
// known value; a model gone from two snapshots is removed and `returned` when back; "-1" (variable)
// never overwrites a price; a new expiration date is `expiring`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriesDays, startFixtureServer, type FixtureServer } from '@llmpt/fixture-server';
import { uniquePrefix } from '@llmpt/testkit';
import { changeShapes, count, observed, runEvents } from './checks.ts';
import { catalogOf, expectedChanges, expectedRoutedDay, ExpectedState, readModels } from './expected.ts';
import { startPipeline, type E2EPipeline } from './harness.ts';

// Captures in time order; several on one date (2026-02-27) are simply consecutive runs.
const CAPTURES = 12;
const captures = seriesDays().slice(0, CAPTURES);

describe(`${CAPTURES} consecutive daily captures of the skissue series (routed prices only)`, () => {
  let server: FixtureServer;
  let p: E2EPipeline;
  const run = uniquePrefix('series').slice(2, -1);
  const state = new ExpectedState();
  const figures: Record<string, unknown>[] = [];

  beforeAll(async () => {
    server = await startFixtureServer({ models: { series: true } });
    expect(server.dayCount).toBeGreaterThanOrEqual(CAPTURES);
    p = await startPipeline({
      name: 'series',
      store: 'postgres',
      openRouterBaseUrl: server.url,
      scraperEnv: { SCRAPE_ENDPOINTS: 'false' },
    });
  });
  afterAll(async () => {
    await p?.stop();
    await server?.close();
    console.info('[e2e series] per capture', figures);
  });

  it('publishes exactly the expected changes after every capture', async () => {
    let rows = 0;
    let listedBefore = new Set<string>();
    const everListed = new Set<string>();
    const returned: string[] = [];
    let lastListing = '';
    for (const [i, capture] of captures.entries()) {
      const models = readModels(capture.file);
      const expected = expectedRoutedDay(models);
      server.setDay(i);
      const runId = `e2e-${run}-${capture.stamp}`;
      const res = await p.runDay(runId);
      expect(res.stdout).toMatch(new RegExp(`models=${models.length} sent=${expected.size} `));

      const normalized = await runEvents(p, 'NormalizedPrice', runId);
      expect(observed(normalized), capture.stamp).toEqual(expected);
      // Models back after a gap: never `new` again, compared with their last known price.
      const back = models.map((m) => m.id).filter((id) => everListed.has(id) && !listedBefore.has(id));
      returned.push(...back.map((id) => `${capture.stamp} ${id}`));
      listedBefore = new Set(models.map((m) => m.id));
      for (const id of listedBefore) everListed.add(id);
      const changes = await runEvents(p, 'PriceChanged', runId);
      expect(changes.filter((c) => back.includes(c.model_id) && c.kind === 'new')).toEqual([]);
      // Every capture runs on today's UTC date here, and a CatalogSnapshot is identified by its source,
      // day and ids: a capture listing exactly the ids of the one before is the same snapshot again
      // (a same-day re-run, docs/price-model.md §3 rule 5) and counts nothing.
      const catalog = catalogOf(models);
      const listing = [...catalog.modelIds].sort().join('\n');
      const want = expectedChanges(state, expected, listing === lastListing ? undefined : catalog);
      lastListing = listing;
      expect(changeShapes(changes), capture.stamp).toEqual(want);

      const total = await count(p.db, 'select count(*) n from price_changes');
      expect(total - rows, `${capture.stamp}: price_changes rows`).toBe(changes.length);
      rows = total;
      figures.push({
        capture: capture.stamp,
        models: models.length,
        observations: normalized.length,
        changes: changes.length,
        new: changes.filter((c) => c.kind === 'new').length,
        changed: changes.filter((c) => c.kind === 'changed').length,
        removed: changes.filter((c) => c.kind === 'removed').length,
        returned: changes.filter((c) => c.kind === 'returned').length,
        expiring: changes.filter((c) => c.kind === 'expiring').length,
        ms: res.ms,
      });
    }
    expect(returned.length, 'the captures include models that come back after a gap').toBeGreaterThan(0);
    console.info('[e2e series] back after a gap', returned);
    // The first run makes every priced model new; later runs change a few prices and add new models.
    expect(figures.slice(1).some((f) => (f.changed as number) > 0)).toBe(true);
  });
});
