import { describe, expect, it } from 'vitest';
import { createLogger } from '@llmpt/runtime';
import { discoverModels, emptyBlocklist } from '@llmpt/discovery';
import { scrapeModel } from '@llmpt/scraper';

// docs/design.md "Backfill": a backfilled ModelDiscovered was captured on an old day, so the scraper
// observes only the routed price it carries, at its fetched_at, and fetches nothing live.
const logger = createLogger({ service: 'test', level: 'silent' });

function event(fetchedAt: number, backfill: boolean) {
  const entry = { id: 'a/x', name: 'A: X', pricing: { prompt: '0.000001', completion: '0.000002' } };
  const runId = backfill ? 'backfill-x' : 'run-x';
  const ctx = {
    runId,
    fetchedAt,
    sourceUrl: 'https://openrouter.ai/api/v1/models',
    blocklist: emptyBlocklist,
  };
  return discoverModels([entry], { ...ctx, backfill }).events[0]!;
}

describe('scrapeModel of a backfilled event', () => {
  it('observes the routed price only and fetches neither endpoints nor pages', async () => {
    const fetchedAt = Date.UTC(2026, 2, 3, 1, 5);
    const md = event(fetchedAt, true);
    expect(md.backfill).toBe(true);
    let pages = 0;
    const { observations, problems } = await scrapeModel(md, {
      // Nothing listens here: a fetch would add an `unavailable` observation.
      openRouterBaseUrl: 'http://127.0.0.1:9',
      scrapeEndpoints: true,
      timeoutMs: 1000,
      logger,
      pages: () => {
        pages++;
        return Promise.resolve([]);
      },
    });
    expect(problems).toEqual([]);
    expect(pages).toBe(0);
    expect(observations.map((o) => [o.source_type, o.provider, o.fetched_at, o.run_id, o.status])).toEqual([
      ['openrouter_api', null, fetchedAt, 'backfill-x', 'ok'],
    ]);
  });

  it('a live event still reaches its other sources', async () => {
    const md = event(Date.UTC(2026, 11, 6), false);
    let pages = 0;
    const { observations } = await scrapeModel(md, {
      openRouterBaseUrl: 'http://127.0.0.1:9',
      scrapeEndpoints: false,
      timeoutMs: 1000,
      logger,
      pages: () => {
        pages++;
        return Promise.resolve([]);
      },
    });
    expect(pages).toBe(1);
    expect(observations).toHaveLength(1);
  });
});
