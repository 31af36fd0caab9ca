// The web fallback through the whole pipeline (services/scraper/README.md "Web fallback"): the real
// scraper process with WEB_FALLBACK on, its Tavily calls answered by a local stand-in in the shape of
// the REAL recorded answer (../shared/data/search_api), the allow-listed result page served by the
// fixture server from the REAL xAI capture, then the real normalizer and sink. Endpoints and the
// providers' own pages are off, so every model of a provider with a webFallback entry needs it.
// Expected values: which models (the README's rule 1 over the sample catalog and the config), the
// reasons (rule 6), the capture's bytes hashed here, its prices copied by hand (capture lines 265, 267).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { sampleCatalog, startFixtureServer, type FixtureServer } from '@llmpt/fixture-server';
import { loadProvidersConfig } from '@llmpt/scraper';
import { repoRoot, sharedDataDir } from '@llmpt/testkit';
import { startPipeline, type E2EPipeline } from './harness.ts';

const KEY = 'tvly-e2e-0123456789abcdef';
const config = loadProvidersConfig(path.join(repoRoot, 'configs', 'providers.yml'));
const XAI_CAPTURE = path.join(
  sharedDataDir,
  'pricing_pages',
  'xai_docs-models-and-pricing_2026-05-08_jina-markdown.md',
);
const recorded = (
  parseYaml(
    readFileSync(
      path.join(sharedDataDir, 'search_api', 'tavily-search-cassette_pydantic-ai_2026-03.yaml'),
      'utf8',
    ),
  ) as { interactions: { response: { parsed_body: { results: Record<string, unknown>[] } } }[] }
).interactions[0]!.response.parsed_body;

describe('web fallback end to end', () => {
  let server: FixtureServer;
  let tavily: Server;
  let p: E2EPipeline;
  const searches: { authorization: string | undefined; includeDomains: string[] }[] = [];
  const catalog = sampleCatalog();

  beforeAll(async () => {
    server = await startFixtureServer({
      ...catalog,
      pages: { '/docs.x.ai/docs/models': { path: XAI_CAPTURE, contentType: 'text/markdown; charset=utf-8' } },
    });
    // Tavily: the recorded answer; a search limited to xAI's hosts also finds xAI's pricing page.
    tavily = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          query: string;
          include_domains: string[];
        };
        searches.push({ authorization: req.headers.authorization, includeDomains: body.include_domains });
        const xai = body.include_domains.includes('docs.x.ai')
          ? [
              {
                ...recorded.results[0],
                url: 'https://docs.x.ai/docs/models',
                title: 'Models and Pricing | xAI Docs',
              },
            ]
          : [];
        const answer = { ...recorded, query: body.query, results: [...xai, ...recorded.results] };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((r) => tavily.listen(0, '127.0.0.1', r));
    p = await startPipeline({
      name: 'web-fallback',
      store: 'postgres',
      openRouterBaseUrl: server.url,
      scraperEnv: {
        SCRAPE_ENDPOINTS: 'false',
        SCRAPE_PROVIDER_SITES: 'false',
        PROVIDER_PAGES_BASE_URL: server.url,
        WEB_FALLBACK: 'true',
        TAVILY_API_KEY: KEY,
        TAVILY_BASE_URL: `http://127.0.0.1:${(tavily.address() as AddressInfo).port}`,
        LOG_LEVEL: 'debug',
      },
    });
  });
  afterAll(async () => {
    await p?.stop();
    await server?.close();
    await new Promise((r) => tavily?.close(r));
  });

  it('writes one web_fallback price per model that needs it: found on the allow-listed page, else why not', async () => {
    const res = await p.runDay('e2e-web-fallback');
    expect(res.code).toBe(0);
    const rows = await p.db.query<{
      model_id: string;
      provider: string;
      status: string;
      reason: string | null;
      prompt: string | null;
      completion: string | null;
      source_url: string;
      content_hash: string | null;
    }>(
      `select model_id, provider, status, unavailable_reason reason, prompt::text, completion::text,
              source_url, content_hash
         from price_observations where source_type = 'web_fallback' order by model_id`,
    );
    // Rule 1: every model whose author has an enabled entry (no other source ran), variants aside.
    const json = JSON.parse(await readFile(catalog.models[0], 'utf8')) as { data: { id: string }[] };
    const expected = json.data
      .map((m) => m.id)
      .filter((id) => config.webFallback.get(id.split('/')[0]!)?.enabled && !id.includes(':'))
      .sort();
    expect(expected.length).toBeGreaterThan(2);
    expect(rows.rows.map((r) => r.model_id)).toEqual(expected);

    const hash = createHash('sha256').update(readFileSync(XAI_CAPTURE)).digest('hex');
    const byModel = new Map(rows.rows.map((r) => [r.model_id, r]));
    // Capture line 265 "| grok-4.3 | 1M | $1.25 | $2.50 |" and 267 "| grok-4.20-0309-reasoning | 2M |
    // $1.25 | $2.50 |", under "Prices shown per million tokens": USD per 1M as published.
    for (const id of ['x-ai/grok-4.3', 'x-ai/grok-4.20'])
      expect(byModel.get(id), id).toEqual({
        model_id: id,
        provider: 'x-ai',
        status: 'ok',
        reason: null,
        prompt: '1.25000000',
        completion: '2.50000000',
        source_url: `${server.url}/docs.x.ai/docs/models`,
        content_hash: hash,
      });
    // Rule 6: the recorded answer's 5 results are on none of these providers' domains.
    for (const r of rows.rows.filter((x) => !x.model_id.startsWith('x-ai/'))) {
      const site = config.webFallback.get(r.provider)!;
      expect(r, r.model_id).toMatchObject({
        status: 'unavailable',
        prompt: null,
        reason: `no search result on an allow-listed domain (${site.domains.join(', ')}): 5 results`,
      });
    }

    // One search per model, key as a bearer token, limited to the author's domains.
    expect(searches).toHaveLength(expected.length);
    for (const s of searches) expect(s.authorization).toBe(`Bearer ${KEY}`);
    expect(new Set(searches.map((s) => s.includeDomains.join(',')))).toEqual(
      new Set(expected.map((id) => config.webFallback.get(id.split('/')[0]!)!.domains.join(','))),
    );
    // The page once for the run; no off-list result was ever requested (it would arrive as /<host>/...).
    const requested = server.requests();
    expect(requested.filter((r) => r === '/docs.x.ai/docs/models')).toHaveLength(1);
    for (const host of ['medium.com', 'ai.pydantic.dev', 'www.youtube.com', 'www.reddit.com'])
      expect(
        requested.filter((r) => r.startsWith(`/${host}`)),
        host,
      ).toEqual([]);
    // The key is in no log line of the scraper (debug level: the dropped results are logged).
    const log = readFileSync(path.join(p.settings.logDir, 'scraper.log'), 'utf8');
    expect(log).toContain('web fallback configured');
    expect(log).not.toContain(KEY);
  });
});
