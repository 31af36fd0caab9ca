import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverModels, emptyBlocklist, parseModelsResponse } from '@llmpt/discovery';
import { sampleCatalog, startFixtureServer, type FixtureServer } from '@llmpt/fixture-server';
import { createLogger } from '@llmpt/runtime';
import { parseTierLabel, tierLabel, type ModelDiscovered } from '@llmpt/schemas';
import { createHostLimiter } from '@llmpt/runtime/http';
import { scrapeModel } from '@llmpt/scraper';

// The scraper's OpenRouter sources against the local OpenRouter-compatible server: real HTTP, the
// project's sample catalog, and injected faults.
const logger = createLogger({ service: 'test', level: 'silent' });
let server: FixtureServer;
let models: ModelDiscovered[];

beforeAll(async () => {
  const catalog = sampleCatalog();
  server = await startFixtureServer(catalog);
  const body: unknown = JSON.parse(readFileSync(catalog.models[0], 'utf8'));
  models = discoverModels(parseModelsResponse(body).entries, {
    runId: 'run-t',
    fetchedAt: Date.UTC(2026, 7, 1),
    sourceUrl: `${server.url}/api/v1/models`,
    blocklist: emptyBlocklist,
  }).events;
});
afterAll(() => server.close());

const opts = () => ({
  openRouterBaseUrl: server.url,
  scrapeEndpoints: true,
  timeoutMs: 5000,
  logger,
  limiter: createHostLimiter({ concurrency: 2, minIntervalMs: 0 }),
});

describe('scrapeModel', () => {
  it('emits the routed price and one observation per hosting provider', async () => {
    const gpt4o = models.find((m) => m.model_id === 'openai/gpt-4o')!;
    const { observations, problems } = await scrapeModel(gpt4o, opts());
    expect(problems).toEqual([]);
    const routed = observations.filter((o) => o.source_type === 'openrouter_api');
    expect(routed).toHaveLength(1);
    expect(routed[0]!.components).toContainEqual(
      expect.objectContaining({ dimension: 'prompt', raw_value: gpt4o.pricing.prompt, unit: 'per_token' }),
    );
    const endpoints = observations.filter((o) => o.source_type === 'openrouter_endpoints');
    expect(endpoints.length).toBeGreaterThan(0);
    expect(
      endpoints.every((o) => o.status === 'ok' && o.provider !== null && o.content_hash.length === 64),
    ).toBe(true);
    expect(server.requests()).toContain('/api/v1/models/openai/gpt-4o/endpoints');
  });

  it('labels tiers in the one grammar: override thresholds inclusive, endpoint variants by tag', async () => {
    const gpt55 = models.find((m) => m.model_id === 'openai/gpt-5.5')!;
    const opus = models.find((m) => m.model_id === 'anthropic/claude-opus-4.7')!;
    const scraped = [
      ...(await scrapeModel(gpt55, opts())).observations,
      ...(await scrapeModel(opus, opts())).observations,
    ];
    const tiersOf = (source: string, provider: string | null) =>
      new Set(
        scraped
          .filter((o) => o.source_type === source && o.provider === provider)
          .flatMap((o) => o.components.map((c) => c.tier)),
      );
    const threshold = gpt55.pricing_tiers[0]?.conditions.min_prompt_tokens;
    expect(tiersOf('openrouter_api', null)).toEqual(new Set([null, `prompt_tokens>=${threshold}`]));
    // Two google-vertex endpoints with unknown quantization: one observation, a variant per tag.
    expect(tiersOf('openrouter_endpoints', 'google-vertex')).toEqual(
      new Set(['variant=google-vertex/europe', 'variant=google-vertex/global']),
    );
    const labels = scraped.flatMap((o) => o.components.flatMap((c) => (c.tier === null ? [] : [c.tier])));
    expect(labels.every((l) => tierLabel(parseTierLabel(l)) === l)).toBe(true);
  });

  it('records an unavailable observation, with the reason, when the endpoints API keeps failing', async () => {
    const m = models[0]!;
    const path = `/api/v1/models/${m.canonical_slug ?? m.model_id}/endpoints`;
    server.setFault(path, { status: 503 });
    try {
      const { observations } = await scrapeModel(m, opts());
      const failed = observations.find((o) => o.source_type === 'openrouter_endpoints');
      expect(failed).toMatchObject({ status: 'unavailable', provider: null, components: [] });
      expect(failed!.unavailable_reason).toMatch(/SOURCE_UNREACHABLE: .*503/);
      expect(observations.filter((o) => o.source_type === 'openrouter_api')).toHaveLength(1);
    } finally {
      server.setFault(path, null);
    }
  });

  it('observes nothing from the endpoints API for a model it does not know (404), and still the routed price', async () => {
    const ghost: ModelDiscovered = { ...models[0]!, model_id: 'nobody/ghost-model', canonical_slug: null };
    const { observations } = await scrapeModel(ghost, opts());
    expect(observations.map((o) => o.source_type)).toEqual(['openrouter_api']);
  });

  it('sends every endpoints request through the per-host politeness limiter', async () => {
    const hosts: string[] = [];
    const limiter = createHostLimiter({ concurrency: 1, minIntervalMs: 0 });
    const recording = {
      run: <T>(host: string, fn: () => Promise<T>) => {
        hosts.push(host);
        return limiter.run(host, fn);
      },
    };
    await Promise.all(models.slice(0, 3).map((m) => scrapeModel(m, { ...opts(), limiter: recording })));
    expect(hosts).toEqual(Array(3).fill(new URL(server.url).host));
  });

  it("hands the page source the providers the endpoints list, so host pages match OpenRouter's hosts", async () => {
    const gpt4o = models.find((m) => m.model_id === 'openai/gpt-4o')!;
    const seen: (ReadonlySet<string> | null | undefined)[] = [];
    const pages = (_md: ModelDiscovered, hostedBy?: ReadonlySet<string> | null) => {
      seen.push(hostedBy);
      return Promise.resolve([]);
    };
    const { observations } = await scrapeModel(gpt4o, { ...opts(), pages });
    // The oracle: the provider of every endpoint observation this same call produced.
    const hosts = observations
      .filter((o) => o.source_type === 'openrouter_endpoints')
      .map((o) => o.provider!)
      .sort();
    expect(hosts.length).toBeGreaterThan(0);
    expect([...(seen[0] ?? [])].sort()).toEqual(hosts);
    // Endpoints not read (failing): hosts unknown, null, not an empty set that would silence host pages.
    const path = `/api/v1/models/${gpt4o.canonical_slug ?? gpt4o.model_id}/endpoints`;
    server.setFault(path, { status: 503 });
    try {
      await scrapeModel(gpt4o, { ...opts(), pages });
      expect(seen[1]).toBeNull();
    } finally {
      server.setFault(path, null);
    }
    await scrapeModel(gpt4o, { ...opts(), scrapeEndpoints: false, pages });
    expect(seen[2]).toBeNull();
  });
});
