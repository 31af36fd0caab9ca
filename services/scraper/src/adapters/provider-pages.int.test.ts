// The provider_site path end to end against a real HTTP server on 127.0.0.1 serving the recorded
// captures (read from ../shared/data) and our own script-rendered fixture, and a real Chromium.
import { existsSync, readFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import { repoRoot, sharedData } from '@llmpt/core/paths';
import type { ModelDiscovered, RawPriceObserved } from '@llmpt/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  enabledProviders,
  parseProvidersConfig,
  withBaseUrl,
  type ProviderPage,
  type ProvidersConfig,
} from '../core/providers-config.ts';
import { loadProvidersConfig } from './providers-file.ts';
import { parsePricingPage } from '../core/pages/parse.ts';
import { internalAddressReason, isInternalAddress } from '@llmpt/runtime/http';
import { createBrowserRenderer, DEFAULT_CHROMIUM_ARGS, type BrowserRenderer } from './browser.ts';
import { createPageCache } from './page-cache.ts';
import { createPageFetcher, type PageFetcher } from './page-fetcher.ts';
import { observeProviderSite, type LoadedPage, type ProviderSiteDeps } from './provider-site.ts';

const pagesDir = sharedData('pricing_pages');
const fixturesDir = path.resolve(repoRoot, 'services', 'scraper', 'test-fixtures');
const CHROMIUM = '/usr/bin/chromium';

const capture = (name: string) => readFileSync(path.join(pagesDir, name));

let server: Server;
let base = '';
let port = 0;
const hits = new Map<string, number>();
const stalled: ServerResponse[] = [];
const robotsTxt = 'User-agent: *\nDisallow: /private/\n';
let config: ProvidersConfig;
const routes = new Map<
  string,
  () => { status: number; body?: Buffer | string; headers?: Record<string, string> }
>();

function hitCount(p: string): number {
  return hits.get(p) ?? 0;
}

function md(modelId: string, runId = 'run-int'): ModelDiscovered {
  return {
    event_id: `md:${modelId}`,
    run_id: runId,
    caused_by: null,
    occurred_at: 0,
    model_id: modelId,
    canonical_slug: null,
    name: modelId,
    description: null,
    created: null,
    context_length: null,
    architecture: null,
    supported_parameters: [],
    top_provider: null,
    pricing: {},
    pricing_tiers: [],
    expiration_date: null,
    backfill: false,
    raw_entry: '{}',
    source_url: 'http://127.0.0.1/models',
    fetched_at: 0,
    content_hash: 'h',
  };
}

function fetcher(over: Partial<Parameters<typeof createPageFetcher>[0]> = {}): PageFetcher {
  return createPageFetcher({
    allowHosts: ['127.0.0.1'],
    perHostConcurrency: 1,
    minIntervalMs: 0,
    timeoutMs: 10_000,
    maxBytes: 5 * 1024 * 1024,
    retries: 2,
    userAgent: 'llm-price-tracker/0.1 (test)',
    robots: true,
    allowPrivateAddresses: true,
    backoffBaseMs: 5,
    ...over,
  });
}

function deps(f: PageFetcher, renderer?: BrowserRenderer): ProviderSiteDeps {
  return { fetcher: f, cache: createPageCache<LoadedPage>(), renderer, runId: 'run-int' };
}

function component(
  obs: RawPriceObserved | null,
  dimension: string,
  tier: string | null = null,
): string | undefined {
  return obs?.components.find((c) => c.dimension === dimension && c.tier === tier)?.raw_value;
}

/** A copy of a provider entry at another local path (same parser and mapping). */
function moved(p: ProviderPage, pathname: string, over: Partial<ProviderPage> = {}): ProviderPage {
  return { ...p, url: `${base}${pathname}`, ...over };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(p, hitCount(p) + 1);
    // A stalled upstream: no answer at all, or headers and a first chunk and then nothing.
    if (p === '/hang/silent') {
      stalled.push(res);
      return;
    }
    if (p === '/hang/trickle') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<html><body>first chunk');
      stalled.push(res);
      return;
    }
    if (p === '/robots.txt') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(robotsTxt);
      return;
    }
    const route = routes.get(p);
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    const r = route();
    const body = Buffer.from(r.body ?? '');
    const headers: Record<string, string> = {
      'content-type': 'text/html; charset=utf-8',
      ...(r.headers ?? {}),
    };
    if (!headers['transfer-encoding']) headers['content-length'] = String(body.byteLength);
    res.writeHead(r.status, headers);
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  config = withBaseUrl(loadProvidersConfig(path.join(repoRoot, 'configs', 'providers.yml')), base);
  // Each enabled page is served at its real path, from the capture its config entry names.
  for (const p of config.providers) {
    const file = (p.capture ?? '').split(' ')[0] ?? '';
    const body = capture(file);
    routes.set(new URL(p.url).pathname, () => ({ status: 200, body }));
  }
  routes.set('/rendered/pricing', () => ({
    status: 200,
    body: readFileSync(path.join(fixturesDir, 'rendered-pricing.html')),
  }));
  const anthropic = capture('anthropic_claude-com-pricing_2026-05-08_raw.html').toString('utf8');
  routes.set('/changed/pricing', () => ({
    status: 200,
    body: anthropic.replaceAll('tokens_main_val_number', 'tokens_price_amount'),
  }));
  routes.set('/challenge', () => ({
    status: 200,
    body: capture('openai_platform-docs-pricing_2026-05-08_BOT-CHALLENGE-no-prices.html'),
  }));
  routes.set('/redirect-out', () => ({
    status: 302,
    headers: { location: `http://localhost:${port}/api-docs.deepseek.com/quick_start/pricing` },
  }));
  routes.set('/redirect-in', () => ({
    status: 301,
    headers: { location: '/api-docs.deepseek.com/quick_start/pricing' },
  }));
  routes.set('/private/pricing', () => ({
    status: 200,
    body: capture('deepseek_api-docs-pricing_2026-05-08_raw.html'),
  }));
  let flaky = 0;
  routes.set('/flaky/pricing', () =>
    ++flaky === 1
      ? { status: 503, headers: { 'retry-after': '0' }, body: 'busy' }
      : { status: 200, body: capture('deepseek_api-docs-pricing_2026-05-08_raw.html') },
  );
});

afterAll(async () => {
  for (const res of stalled) res.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('static pages through the polite fetcher', () => {
  it('every enabled provider page yields its prices', async () => {
    const providers = enabledProviders(config);
    const d = deps(fetcher());
    const cases: [string, string, string][] = [
      ['openai/gpt-5.5', 'prompt', '$5.00'],
      ['anthropic/claude-opus-4.7', 'completion', '$25'],
      ['google/gemini-2.5-pro', 'prompt', '$1.25'],
      ['mistralai/mistral-large-2512', 'prompt', '$0.5'],
      ['deepseek/deepseek-v4-pro', 'prompt', '$1.74'],
      ['x-ai/grok-4.3', 'completion', '$2.50'],
      ['z-ai/glm-5.1', 'input_cache_read', '$0.26'],
    ];
    for (const [id, dim, value] of cases) {
      const obs = await observeProviderSite(md(id), providers, d);
      expect(obs?.status, `${id}: ${obs?.unavailable_reason}`).toBe('ok');
      expect(component(obs, dim), id).toBe(value);
      expect(obs?.source_url).toBe(providers.get(id.split('/')[0]!)?.url);
      expect(obs?.content_hash).toMatch(/^[0-9a-f]{64}$/);
    }
    const gemini = await observeProviderSite(md('google/gemini-2.5-pro'), providers, d);
    expect(component(gemini, 'prompt', 'prompt_tokens>200000')).toBe('$2.50');
    const unlisted = await observeProviderSite(md('openai/gpt-3.5-turbo'), providers, d);
    expect(unlisted).toMatchObject({
      status: 'unavailable',
      unavailable_reason: 'model not listed on page',
      components: [],
    });
  });

  it('the page cache fetches a page once for N models of its provider', async () => {
    const providers = enabledProviders(config);
    const d = deps(fetcher());
    const p = new URL(providers.get('anthropic')!.url).pathname;
    const before = hitCount(p);
    const ids = [
      'anthropic/claude-opus-4.7',
      'anthropic/claude-sonnet-4.6',
      'anthropic/claude-haiku-4.5',
      'anthropic/claude-opus-4.1',
      'anthropic/claude-opus-4.8',
    ];
    const obs = await Promise.all(ids.map((id) => observeProviderSite(md(id), providers, d)));
    expect(hitCount(p) - before).toBe(1);
    expect(obs.map((o) => o?.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'unavailable']);
    expect(new Set(obs.map((o) => o?.content_hash)).size).toBe(1);
  });

  it('a page whose layout changed: unavailable with the selector that matched nothing', async () => {
    const anthropic = config.providers.find((p) => p.id === 'anthropic')!;
    const providers = new Map([['anthropic', moved(anthropic, '/changed/pricing')]]);
    const obs = await observeProviderSite(md('anthropic/claude-opus-4.7'), providers, deps(fetcher()));
    expect(obs).toMatchObject({
      status: 'unavailable',
      unavailable_reason: 'page layout changed: selector ".tokens_main_val_number" matched nothing',
      components: [],
    });
  });

  it('the bot-challenge page: unavailable, "bot challenge / no prices"', async () => {
    const openai = config.providers.find((p) => p.id === 'openai')!;
    const providers = new Map([['openai', moved(openai, '/challenge')]]);
    const obs = await observeProviderSite(md('openai/gpt-5.5'), providers, deps(fetcher()));
    expect(obs).toMatchObject({ status: 'unavailable', unavailable_reason: 'bot challenge / no prices' });
  });
});

describe('politeness and safety', () => {
  it('a redirect to a host that is not allow-listed is refused (never fetched)', async () => {
    const before = hitCount('/api-docs.deepseek.com/quick_start/pricing');
    const r = await fetcher().fetchPage(`${base}/redirect-out`);
    expect(r.status).toBe('refused');
    expect(r.status !== 'ok' && r.reason).toBe('redirect refused: host localhost is not allow-listed');
    expect(hitCount('/api-docs.deepseek.com/quick_start/pricing')).toBe(before);
    const ok = await fetcher().fetchPage(`${base}/redirect-in`);
    expect(ok.status === 'ok' && ok.finalUrl).toBe(`${base}/api-docs.deepseek.com/quick_start/pricing`);
  });

  it('a host outside the allow-list is refused before any request', async () => {
    const r = await fetcher().fetchPage(`http://localhost:${port}/api-docs.deepseek.com/quick_start/pricing`);
    expect(r).toMatchObject({ status: 'refused', reason: 'host localhost is not allow-listed' });
    const guarded = await fetcher({ allowPrivateAddresses: false }).fetchPage(
      `${base}/api-docs.deepseek.com/quick_start/pricing`,
    );
    expect(guarded).toMatchObject({ status: 'refused', reason: 'address 127.0.0.1 is internal' });
  });

  it('robots.txt disallow: skipped and recorded as unavailable', async () => {
    const deepseek = config.providers.find((p) => p.id === 'deepseek')!;
    const providers = new Map([['deepseek', moved(deepseek, '/private/pricing')]]);
    const before = hitCount('/private/pricing');
    const f = fetcher();
    const obs = await observeProviderSite(md('deepseek/deepseek-v4-pro'), providers, deps(f));
    expect(obs).toMatchObject({
      status: 'unavailable',
      unavailable_reason: 'robots.txt disallows /private/pricing',
      components: [],
    });
    expect(hitCount('/private/pricing')).toBe(before);
    // robots.txt is read once per host for the fetcher's life.
    const robotsBefore = hitCount('/robots.txt');
    await f.fetchPage(`${base}/api-docs.deepseek.com/quick_start/pricing`);
    await f.fetchPage(`${base}/api-docs.deepseek.com/quick_start/pricing`);
    expect(hitCount('/robots.txt')).toBe(robotsBefore);
  });

  it('retries a 503 (Retry-After: 0) and then succeeds', async () => {
    const before = hitCount('/flaky/pricing');
    const r = await fetcher().fetchPage(`${base}/flaky/pricing`);
    expect(r.status).toBe('ok');
    expect(hitCount('/flaky/pricing') - before).toBe(2);
  });

  it('the time cap ends a stalled response: no answer, or a body that stops coming', async () => {
    const f = fetcher({ timeoutMs: 300, retries: 1, backoffBaseMs: 1 });
    for (const route of ['/hang/silent', '/hang/trickle']) {
      const before = hitCount(route);
      const r = await f.fetchPage(`${base}${route}`);
      expect(r, route).toMatchObject({ status: 'timeout', reason: 'no complete response within 300 ms' });
      // A timeout is retried (transient), then given up: two attempts in all.
      expect(hitCount(route) - before, route).toBe(2);
    }
  });

  it('the size cap stops the download: declared and streamed', async () => {
    const claude = new URL(config.providers.find((p) => p.id === 'anthropic')!.url).pathname;
    const capped = await fetcher({ maxBytes: 100_000 }).fetchPage(`${base}${claude}`);
    expect(capped).toMatchObject({
      status: 'too_large',
      reason: 'content-length 1327586 exceeds the 100000-byte cap',
    });
    routes.set('/stream', () => ({
      status: 200,
      body: 'x'.repeat(300_000),
      headers: { 'transfer-encoding': 'chunked' },
    }));
    const streamed = await fetcher({ maxBytes: 100_000 }).fetchPage(`${base}/stream`);
    expect(streamed).toMatchObject({ status: 'too_large', reason: 'body exceeds the 100000-byte cap' });
  });
});

describe('production mode (ALLOW_PRIVATE_ADDRESSES=false): loopback and private targets are never fetched', () => {
  // An "internal service" on loopback that no request may ever reach, with its own hit counter.
  let internal: Server;
  let internalPort = 0;
  let internalHits = 0;
  const production = (over: Partial<Parameters<typeof createPageFetcher>[0]> = {}) =>
    fetcher({ allowPrivateAddresses: false, ...over });

  beforeAll(async () => {
    internal = createServer((_req, res) => {
      internalHits++;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('internal secrets');
    });
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
    internalPort = (internal.address() as AddressInfo).port;
    routes.set('/prod/to-loopback', () => ({
      status: 302,
      headers: { location: `http://127.0.0.1:${internalPort}/admin` },
    }));
    routes.set('/prod/to-ipv6-loopback', () => ({
      status: 307,
      headers: { location: `http://[::1]:${internalPort}/admin` },
    }));
    routes.set('/prod/to-unlisted', () => ({
      status: 301,
      headers: { location: `http://metadata.internal.invalid:${internalPort}/latest/meta-data/` },
    }));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => internal.close(() => resolve()));
  });

  it('an allow-listed IP literal on loopback: refused before any request', async () => {
    const before = hitCount('/prod/page');
    const robots = hitCount('/robots.txt');
    const r = await production({ allowHosts: ['127.0.0.1'] }).fetchPage(
      `http://127.0.0.1:${internalPort}/admin`,
    );
    expect(r).toMatchObject({ status: 'refused', reason: 'address 127.0.0.1 is internal' });
    const direct = await production().fetchPage(`${base}/prod/page`);
    expect(direct).toMatchObject({ status: 'refused', reason: 'address 127.0.0.1 is internal' });
    expect(hitCount('/prod/page')).toBe(before);
    expect(hitCount('/robots.txt')).toBe(robots);
    expect(internalHits).toBe(0);
  });

  it('an allow-listed host name that resolves to loopback: refused, by name or by its address', async () => {
    const viaName = await production({ allowHosts: ['localhost'] }).fetchPage(
      `http://localhost:${internalPort}/admin`,
    );
    expect(viaName).toMatchObject({ status: 'refused', reason: 'host localhost is local' });
    // The machine's own name resolves (through /etc/hosts, i.e. real DNS resolution) to loopback.
    const own = hostname().toLowerCase();
    const addresses = (await lookup(own, { all: true })).map((a) => a.address);
    const r = await production({ allowHosts: [own] }).fetchPage(`http://${own}:${internalPort}/admin`);
    expect(r.status).toBe('refused');
    if (addresses.every((a) => a.startsWith('127.') || a === '::1'))
      expect(r.status !== 'ok' && r.reason).toBe(`host ${own} resolves to internal address ${addresses[0]}`);
    expect(internalHits).toBe(0);
  });

  it('a redirect from an allowed public host to 127.0.0.1, [::1] or an unlisted host: refused, never fetched', async () => {
    // `localhost` plays the public pricing host (the only substitution: a loopback test has no public
    // address); every other host goes through the real guard. The targets are allow-listed too, so
    // only the address check can refuse them.
    const f = production({
      allowHosts: ['localhost', '127.0.0.1', '::1', '[::1]'],
      addressRefusal: (h) => (h === 'localhost' ? Promise.resolve(null) : internalAddressReason(h)),
      isInternal: (a) => a !== '127.0.0.1' && isInternalAddress(a),
      robots: false,
    });
    for (const [route, reason] of [
      ['/prod/to-loopback', 'redirect refused: address 127.0.0.1 is internal'],
      ['/prod/to-ipv6-loopback', 'redirect refused: address ::1 is internal'],
      ['/prod/to-unlisted', 'redirect refused: host metadata.internal.invalid is not allow-listed'],
    ] as const) {
      const before = hitCount(route);
      const r = await f.fetchPage(`http://localhost:${port}${route}`);
      expect(r, route).toMatchObject({ status: 'refused', reason });
      // The allowed hop was fetched once (no retry of a refusal); the target never.
      expect(hitCount(route) - before, route).toBe(1);
    }
    expect(internalHits).toBe(0);
    // The same fetcher does fetch the public stand-in itself: the refusals above are the redirects'.
    const ok = await f.fetchPage(`http://localhost:${port}/api-docs.deepseek.com/quick_start/pricing`);
    expect(ok.status).toBe('ok');
  });
  it('DNS rebinding: a name that passed the check but resolves to loopback at connect is refused there', async () => {
    // The check before the request is told the name is public (as a rebinding DNS answers first);
    // the connection's own lookup then gets 127.0.0.1 and refuses it: the request never leaves.
    const f = production({
      allowHosts: ['localhost'],
      addressRefusal: () => Promise.resolve(null),
      robots: false,
    });
    const r = await f.fetchPage(`http://localhost:${internalPort}/admin`);
    expect(r.status).toBe('refused');
    expect(r.status !== 'ok' && r.reason).toMatch(
      /^host localhost resolves to internal address (127\.0\.0\.1|::1) \(at connect\)$/,
    );
    expect(internalHits).toBe(0);
  });
});

describe.runIf(existsSync(CHROMIUM))('script-rendered page through real Chromium', () => {
  let renderer: BrowserRenderer;
  let acme: ProviderPage;

  beforeAll(() => {
    const cfg = parseProvidersConfig({
      version: 1,
      userAgent: 'llm-price-tracker/0.1 (test)',
      politeness: {
        perHostConcurrency: 1,
        minIntervalMs: 0,
        timeoutMs: 20_000,
        maxBytes: 1_000_000,
        retries: 0,
        robots: true,
      },
      providers: [
        {
          slug: 'acme',
          name: 'Acme AI',
          url: `${base}/rendered/pricing`,
          render: 'browser',
          waitForSelector: 'table.price-table',
          capture: 'services/scraper/test-fixtures/rendered-pricing.html (html after rendering)',
          parser: {
            kind: 'table',
            format: 'html',
            tableSelector: 'table.price-table',
            headers: ['Model', 'Input', 'Output'],
            columns: { Input: 'prompt', 'Cached input': 'input_cache_read', Output: 'completion' },
          },
          models: { 'Acme Large': 'acme/large', 'Acme Small': 'acme/small' },
        },
      ],
    });
    acme = cfg.providers[0]!;
    renderer = createBrowserRenderer({
      executablePath: CHROMIUM,
      args: DEFAULT_CHROMIUM_ARGS,
      allowHosts: ['127.0.0.1'],
      timeoutMs: 30_000,
      userAgent: 'llm-price-tracker/0.1 (test)',
      maxBytes: 1_000_000,
    });
  });

  afterAll(async () => {
    await renderer.close();
  });

  it('redirects inside Chromium (navigation and sub-resource) never reach another host', async () => {
    let elsewhere = 0;
    const other = createServer((_req, res) => {
      elsewhere++;
      res.writeHead(200, { 'content-type': 'text/html' }).end('<table class="price-table"></table>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const otherPort = (other.address() as AddressInfo).port;
    try {
      routes.set('/rendered/redirecting', () => ({
        status: 200,
        body: '<html><body><img src="/rendered/pixel-out"><table class="price-table"></table></body></html>',
      }));
      routes.set('/rendered/pixel-out', () => ({
        status: 302,
        headers: { location: `http://localhost:${otherPort}/pixel.gif` },
      }));
      routes.set('/rendered/nav-out', () => ({
        status: 302,
        headers: { location: `http://localhost:${otherPort}/pricing` },
      }));
      const page = await renderer.render(`${base}/rendered/redirecting`, {
        waitForSelector: 'table.price-table',
      });
      expect(page.finalUrl).toBe(`${base}/rendered/redirecting`);
      expect(hitCount('/rendered/pixel-out')).toBe(1);
      await expect(
        renderer.render(`${base}/rendered/nav-out`, { waitForSelector: 'table.price-table' }),
      ).rejects.toThrow(/ERR_NAME_NOT_RESOLVED/);
      expect(hitCount('/rendered/nav-out')).toBe(1);
      expect(elsewhere).toBe(0);
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  it('the static path finds no prices: rendering is needed', async () => {
    const r = await fetcher().fetchPage(acme.url);
    expect(r.status).toBe('ok');
    const page = parsePricingPage(acme, r.status === 'ok' ? r.body : '', {
      url: acme.url,
      fetchedAt: 0,
      runId: 'r',
    });
    expect(page.prices).toEqual([]);
    expect(page.problems[0]).toBe('page layout changed: selector "table.price-table" matched nothing');
  });

  it('Chromium renders the table from the embedded JSON; other hosts are blocked', async () => {
    const rendered = await renderer.render(acme.url, { waitForSelector: 'table.price-table' });
    expect(rendered.blocked).toContain('http://tracker.invalid/pixel.gif');
    const providers = new Map([['acme', acme]]);
    const d = deps(fetcher(), renderer);
    const large = await observeProviderSite(md('acme/large'), providers, d);
    expect(large?.status).toBe('ok');
    expect(large?.components).toEqual([
      { dimension: 'prompt', raw_value: '$3.00', unit: 'per_1m_tokens', currency: 'USD', tier: null },
      {
        dimension: 'input_cache_read',
        raw_value: '$0.30',
        unit: 'per_1m_tokens',
        currency: 'USD',
        tier: null,
      },
      { dimension: 'completion', raw_value: '$15.00', unit: 'per_1m_tokens', currency: 'USD', tier: null },
    ]);
    const small = await observeProviderSite(md('acme/small'), providers, d);
    // "cached_input": null is rendered as "-": no cache price.
    expect(small?.components.map((c) => `${c.dimension}=${c.raw_value}`)).toEqual([
      'prompt=$0.25',
      'completion=$1.25',
    ]);
  });
});
