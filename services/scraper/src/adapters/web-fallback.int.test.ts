// The web fallback end to end over real HTTP on this machine (services/scraper/README.md "Web fallback"):
// a local Tavily stand-in answering in the shape of the REAL recorded answer
// (../shared/data/search_api: the recorded body, its results kept or extended with result entries of
// the same fields), the result pages served by a local server from the REAL xAI capture, a third local
// server standing for a host no provider allow-lists, and the real configs/providers.yml. Expected
// values: the capture's bytes hashed here, its prices copied by hand (capture line 265).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { repoRoot, sharedData } from '@llmpt/core/paths';
import { createLogger } from '@llmpt/runtime';
import type { ModelDiscovered, RawPriceObserved } from '@llmpt/schemas';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { fallbackFetcherOptionsFrom } from '../core/providers-config.ts';
import { createPageFetcher } from './page-fetcher.ts';
import { loadProvidersConfig } from './providers-file.ts';
import { scrapeModel } from './scrape-model.ts';
import { createBraveSearch, createTavilySearch, type WebSearch } from './search-api.ts';
import { createWebFallback, type WebFallback } from './web-fallback.ts';

const KEY = 'tvly-test-0123456789abcdef';
const config = loadProvidersConfig(path.join(repoRoot, 'configs', 'providers.yml'));
const xaiBytes = readFileSync(
  path.join(sharedData('pricing_pages'), 'xai_docs-models-and-pricing_2026-05-08_jina-markdown.md'),
);
const recorded = (
  parseYaml(
    readFileSync(
      path.join(sharedData('search_api'), 'tavily-search-cassette_pydantic-ai_2026-03.yaml'),
      'utf8',
    ),
  ) as {
    interactions: {
      response: { parsed_body: { results: Record<string, unknown>[] } & Record<string, unknown> };
    }[];
  }
).interactions[0]!.response.parsed_body;

/** Every request a server saw, by path. */
class Hits {
  readonly paths: string[] = [];
  count(p?: string): number {
    return p === undefined ? this.paths.length : this.paths.filter((x) => x === p).length;
  }
}

async function listen(server: Server, host: string): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const pageHits = new Hits();
const elsewhereHits = new Hits();
const searches: { authorization: string | undefined; body: Record<string, unknown> }[] = [];
const braveSearches: { token: string | string[] | undefined; params: Record<string, string> }[] = [];
let searchStatus = 200;
let extraResults: { url: string; title: string }[] = [];
let pageServer: Server;
let elsewhere: Server;
let tavily: Server;
let pageBase = '';
let elsewhereUrl = '';
let tavilyBase = '';

/** A result entry of the recorded shape (title, url, content, score, raw_content) for another URL. */
function resultLike(url: string, title: string): Record<string, unknown> {
  const template = recorded.results[0]!;
  expect(Object.keys(template).sort()).toEqual(['content', 'raw_content', 'score', 'title', 'url']);
  return { ...template, url, title };
}

beforeAll(async () => {
  pageServer = createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    pageHits.paths.push(p);
    if (p === '/docs.x.ai/docs/models') {
      res.writeHead(200, { 'content-type': 'text/markdown; charset=utf-8' }).end(xaiBytes);
      return;
    }
    res.writeHead(404).end('not found'); // robots.txt too: absent = everything allowed
  });
  elsewhere = createServer((req, res) => {
    elsewhereHits.paths.push(new URL(req.url ?? '/', 'http://x').pathname);
    res
      .writeHead(200, { 'content-type': 'text/plain' })
      .end('| grok-4.3 | 1M | $0.01 | $0.01 | per million tokens');
  });
  tavily = createServer((req, res) => {
    void body(req).then((text) => {
      const u = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'GET' && u.pathname === '/res/v1/web/search') {
        // Brave Web Search: no answer is recorded; the documented WebSearchApiResponse fields.
        braveSearches.push({
          token: req.headers['x-subscription-token'],
          params: Object.fromEntries(u.searchParams),
        });
        const answer = {
          type: 'search',
          query: { original: u.searchParams.get('q') },
          web: {
            type: 'search',
            results: extraResults.map((r) => ({ title: r.title, url: r.url, description: '' })),
          },
        };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        return;
      }
      const parsed = JSON.parse(text) as Record<string, unknown>;
      searches.push({ authorization: req.headers.authorization, body: parsed });
      if (req.method !== 'POST' || u.pathname !== '/search') {
        res.writeHead(404).end();
        return;
      }
      if (searchStatus !== 200) {
        res
          .writeHead(searchStatus, { 'content-type': 'application/json' })
          .end('{"detail":{"error":"boom"}}');
        return;
      }
      const answer = {
        ...recorded,
        query: parsed.query,
        results: [...extraResults.map((r) => resultLike(r.url, r.title)), ...recorded.results],
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  pageBase = `http://127.0.0.1:${await listen(pageServer, '127.0.0.1')}`;
  // "localhost", a host name no fallback entry lists (and not the page server's 127.0.0.1).
  elsewhereUrl = `http://localhost:${await listen(elsewhere, '127.0.0.1')}/pricing`;
  tavilyBase = `http://127.0.0.1:${await listen(tavily, '127.0.0.1')}`;
});

afterAll(async () => {
  await Promise.all([pageServer, elsewhere, tavily].map((s) => new Promise((r) => s.close(r))));
});

beforeEach(() => {
  pageHits.paths.length = 0;
  elsewhereHits.paths.length = 0;
  searches.length = 0;
  braveSearches.length = 0;
  searchStatus = 200;
  extraResults = [];
});

function fallback(search?: WebSearch): WebFallback {
  return createWebFallback({
    config,
    search: search ?? createTavilySearch({ baseUrl: tavilyBase, apiKey: KEY, timeoutMs: 10_000 }),
    // The fallback's own fetcher options (robots.txt on, providers.yml politeness) with the local
    // page server's host as the allow-list, as PROVIDER_PAGES_BASE_URL sets it in the service.
    fetcher: createPageFetcher({
      ...fallbackFetcherOptionsFrom(config),
      allowHosts: ['127.0.0.1'],
      minIntervalMs: 0,
      retries: 0,
      allowPrivateAddresses: true,
    }),
    pagesBaseUrl: `${pageBase}/`,
    searchUrl: `${tavilyBase}/search`,
  });
}

function md(modelId: string, name: string): ModelDiscovered {
  return {
    event_id: `md:${modelId}`,
    run_id: 'run-fallback',
    caused_by: null,
    occurred_at: 0,
    model_id: modelId,
    canonical_slug: null,
    name,
    description: null,
    created: null,
    context_length: null,
    architecture: null,
    supported_parameters: [],
    top_provider: null,
    pricing: { prompt: '0.00000125', completion: '0.0000025' },
    pricing_tiers: [],
    expiration_date: null,
    backfill: false,
    raw_entry: '{}',
    source_url: 'https://openrouter.ai/api/v1/models',
    fetched_at: 1_785_000_000_000,
    content_hash: 'h',
  };
}

const grok43 = md('x-ai/grok-4.3', 'xAI: Grok 4.3');

describe('web fallback against a local Tavily stand-in and locally served pages', () => {
  it('keeps the price found on an allow-listed page with its URL, fetch time and content hash', async () => {
    extraResults = [
      { url: elsewhereUrl, title: 'Grok 4.3 pricing (not allow-listed)' },
      { url: 'https://docs.x.ai/docs/models', title: 'Models and Pricing | xAI Docs' },
    ];
    const before = Date.now();
    const [o, ...rest] = await fallback()(grok43, []);
    const after = Date.now();
    expect(rest).toEqual([]);
    expect(o).toMatchObject({
      source_type: 'web_fallback',
      status: 'ok',
      provider: 'x-ai',
      model_id: 'x-ai/grok-4.3',
      source_url: `${pageBase}/docs.x.ai/docs/models`,
      content_hash: createHash('sha256').update(xaiBytes).digest('hex'),
      unavailable_reason: null,
    });
    expect(o!.fetched_at).toBeGreaterThanOrEqual(before);
    expect(o!.fetched_at).toBeLessThanOrEqual(after);
    // Capture line 265: "| grok-4.3 | 1M | $1.25 | $2.50 |  |", line 272: "Prices shown per million tokens".
    expect(o!.components.map((c) => [c.dimension, c.raw_value, c.unit])).toEqual([
      ['prompt', '$1.25', 'per_1m_tokens'],
      ['completion', '$2.50', 'per_1m_tokens'],
    ]);
    // One search, key in the header only, limited to the provider's domains.
    expect(searches).toHaveLength(1);
    expect(searches[0]!.authorization).toBe(`Bearer ${KEY}`);
    expect(searches[0]!.body).toEqual({
      query: 'xAI Grok 4.3 API pricing per million tokens',
      search_depth: 'basic',
      topic: 'general',
      include_domains: ['docs.x.ai', 'x.ai'],
      max_results: 5,
    });
    expect(JSON.stringify(o)).not.toContain(KEY);
  });

  it('never fetches a result on a domain that is not allow-listed', async () => {
    // Same answer as above: the first result (localhost) and the recorded medium/youtube/reddit ones.
    extraResults = [
      { url: elsewhereUrl, title: 'Grok 4.3 pricing (not allow-listed)' },
      { url: 'https://docs.x.ai/docs/models', title: 'Models and Pricing | xAI Docs' },
    ];
    await fallback()(grok43, []);
    expect(elsewhereHits.count()).toBe(0);
    // The page server saw robots.txt and the allow-listed page only, no rebased off-list host.
    expect([...new Set(pageHits.paths)].sort()).toEqual(['/docs.x.ai/docs/models', '/robots.txt']);
  });

  it('never fetches it even when the fetcher itself would: the provider allow-list alone stops it', async () => {
    // No local base (result URLs fetched as they are) and a fetcher that may reach "localhost": only
    // the x-ai entry's domains stand between the off-list result and a request.
    extraResults = [{ url: elsewhereUrl, title: 'Grok 4.3 pricing (not allow-listed)' }];
    const open = createWebFallback({
      config,
      search: createTavilySearch({ baseUrl: tavilyBase, apiKey: KEY, timeoutMs: 10_000 }),
      fetcher: createPageFetcher({
        ...fallbackFetcherOptionsFrom(config),
        allowHosts: ['localhost', '127.0.0.1'],
        minIntervalMs: 0,
        retries: 0,
        allowPrivateAddresses: true,
      }),
      searchUrl: `${tavilyBase}/search`,
    });
    const [o] = await open(grok43, []);
    expect(o).toMatchObject({
      status: 'unavailable',
      unavailable_reason: 'no search result on an allow-listed domain (docs.x.ai, x.ai): 6 results',
    });
    expect(elsewhereHits.count()).toBe(0);
    expect(pageHits.count()).toBe(0);
  });

  it('is unavailable, fetching nothing, when the recorded answer holds no allow-listed result', async () => {
    const [o] = await fallback()(grok43, []);
    expect(o).toMatchObject({
      status: 'unavailable',
      source_type: 'web_fallback',
      unavailable_reason: 'no search result on an allow-listed domain (docs.x.ai, x.ai): 5 results',
      source_url: `${tavilyBase}/search`,
      content_hash: '',
      components: [],
    });
    expect(pageHits.count()).toBe(0);
    expect(elsewhereHits.count()).toBe(0);
  });

  it('gives unavailable for a page that does not name the model', async () => {
    // x-ai/grok-4.5 is on OpenRouter's 2026-08-01 list; the 2026-05-08 page does not name it.
    extraResults = [{ url: 'https://docs.x.ai/docs/models', title: 'Models and Pricing | xAI Docs' }];
    const [o] = await fallback()(md('x-ai/grok-4.5', 'xAI: Grok 4.5'), []);
    expect(o).toMatchObject({
      status: 'unavailable',
      components: [],
      unavailable_reason:
        'no allow-listed page names the model with a price and its unit: ' +
        'https://docs.x.ai/docs/models: x-ai rules: the page does not name x-ai/grok-4.5',
    });
    expect(pageHits.count('/docs.x.ai/docs/models')).toBe(1);
  });

  it('fetches a page found for two models of one run once', async () => {
    extraResults = [{ url: 'https://docs.x.ai/docs/models', title: 'Models and Pricing | xAI Docs' }];
    const f = fallback();
    // x-ai/grok-4.20 is named by the x-ai rules' mapping ("grok-4.20-0309-reasoning", capture line 267).
    const [a] = await f(grok43, []);
    const [b] = await f(md('x-ai/grok-4.20', 'xAI: Grok 4.20'), []);
    expect([a?.status, b?.status]).toEqual(['ok', 'ok']);
    expect(b!.components.map((c) => c.raw_value)).toEqual(['$1.25', '$2.50']);
    expect(searches).toHaveLength(2);
    expect(pageHits.count('/docs.x.ai/docs/models')).toBe(1);
  });

  it('records a failed search as unavailable, without retrying and without the key', async () => {
    searchStatus = 500;
    const [o] = await fallback()(grok43, []);
    expect(o).toMatchObject({ status: 'unavailable', unavailable_reason: 'search answered HTTP 500' });
    expect(searches).toHaveLength(1);
    expect(JSON.stringify(o)).not.toContain(KEY);
  });

  it('works the same through Brave Search, the key in X-Subscription-Token only', async () => {
    extraResults = [
      { url: elsewhereUrl, title: 'Grok 4.3 pricing (not allow-listed)' },
      { url: 'https://docs.x.ai/docs/models', title: 'Models and Pricing | xAI Docs' },
    ];
    const brave = createBraveSearch({
      baseUrl: tavilyBase,
      apiKey: 'BSA-test-key-0123456789',
      timeoutMs: 10_000,
    });
    const [o] = await fallback(brave)(grok43, []);
    expect(o).toMatchObject({
      status: 'ok',
      source_type: 'web_fallback',
      source_url: `${pageBase}/docs.x.ai/docs/models`,
      content_hash: createHash('sha256').update(xaiBytes).digest('hex'),
    });
    expect(o!.components.map((c) => c.raw_value)).toEqual(['$1.25', '$2.50']);
    expect(braveSearches).toEqual([
      {
        token: 'BSA-test-key-0123456789',
        params: {
          q: 'xAI Grok 4.3 API pricing per million tokens (site:docs.x.ai OR site:x.ai)',
          count: '5',
        },
      },
    ]);
    expect(searches).toHaveLength(0);
    expect(elsewhereHits.count()).toBe(0);
  });

  it('runs last in scrapeModel, and only when no other source priced the provider', async () => {
    extraResults = [{ url: 'https://docs.x.ai/docs/models', title: 'Models and Pricing | xAI Docs' }];
    const logger = createLogger({ service: 'scraper-test', level: 'silent' });
    const base = {
      openRouterBaseUrl: 'http://127.0.0.1:9',
      scrapeEndpoints: false,
      timeoutMs: 5_000,
      logger,
    };
    const alone = await scrapeModel(grok43, { ...base, fallback: fallback() });
    expect(alone.observations.map((o) => `${o.source_type}:${o.status}`)).toEqual([
      'openrouter_api:ok',
      'web_fallback:ok',
    ]);
    // The provider's own page priced it: no search at all.
    searches.length = 0;
    const page = { ...alone.observations[1]!, source_type: 'provider_site' } as RawPriceObserved;
    const priced = await scrapeModel(grok43, { ...base, pages: async () => [page], fallback: fallback() });
    expect(priced.observations.map((o) => o.source_type)).toEqual(['openrouter_api', 'provider_site']);
    expect(searches).toHaveLength(0);
  });
});
