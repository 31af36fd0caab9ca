// The web fallback's pure rules (services/scraper/README.md "Web fallback") against the REAL recorded
// Tavily answers (../shared/data/search_api) and the REAL xAI pricing capture. Expected values come
// from the README's rules and are copied by hand from the recordings (line numbers given).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import path from 'node:path';
import { repoRoot, sharedData } from '@llmpt/core/paths';
import { createLogger } from '@llmpt/runtime';
import type { ModelDiscovered, RawPriceObserved } from '@llmpt/schemas';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadScraperConfig } from '../config.ts';
import { loadProvidersConfig } from '../adapters/providers-file.ts';
import { parseProvidersConfig, type WebFallbackSite } from './providers-config.ts';
import {
  displayName,
  fallbackObservation,
  fallbackTarget,
  fetchUrlFor,
  modelNames,
  pageStatesUnit,
  parseTavilyAnswer,
  readFallbackPage,
  screenResults,
  braveParams,
  parseBraveAnswer,
  searchRequest,
  tavilyRequest,
} from './web-fallback.ts';

const config = loadProvidersConfig(path.join(repoRoot, 'configs', 'providers.yml'));
const XAI_CAPTURE = 'xai_docs-models-and-pricing_2026-05-08_jina-markdown.md';
const xaiPage = readFileSync(path.join(sharedData('pricing_pages'), XAI_CAPTURE), 'utf8');
const ctx = { url: 'https://docs.x.ai/docs/models', fetchedAt: 1_778_000_000_000, runId: 'run-1' };

interface Cassette {
  interactions: { request: { parsed_body: Record<string, unknown> }; response: { parsed_body: unknown } }[];
}
function cassette(name: string): Cassette['interactions'][number] {
  const doc = parseYaml(readFileSync(path.join(sharedData('search_api'), name), 'utf8')) as Cassette;
  return doc.interactions[0]!;
}
const basic = cassette('tavily-search-cassette_pydantic-ai_2026-03.yaml');
const withDomains = cassette('tavily-search-include-domains-cassette_pydantic-ai_2026-03.yaml');

function site(slug: string): WebFallbackSite {
  const s = config.webFallback.get(slug);
  if (!s) throw new Error(`no webFallback entry ${slug}`);
  return s;
}

function md(modelId: string, name: string, over: Partial<ModelDiscovered> = {}): ModelDiscovered {
  return {
    event_id: `md:${modelId}`,
    run_id: 'run-1',
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
    pricing: {},
    pricing_tiers: [],
    expiration_date: null,
    backfill: false,
    raw_entry: '{}',
    source_url: 'https://openrouter.ai/api/v1/models',
    fetched_at: 0,
    content_hash: 'h',
    ...over,
  };
}

function obs(
  provider: string | null,
  sourceType: RawPriceObserved['source_type'],
  status: 'ok' | 'unavailable',
) {
  return { provider, source_type: sourceType, status } as RawPriceObserved;
}

const grok43 = md('x-ai/grok-4.3', 'xAI: Grok 4.3');
// x-ai/grok-4.5 is listed by OpenRouter on 2026-08-01 (openrouter_models_token-tariff_2026-08-01.json);
// the 2026-05-08 xAI page does not name it.
const grok45 = md('x-ai/grok-4.5', 'xAI: Grok 4.5');

describe('the webFallback section of configs/providers.yml', () => {
  it('is parsed with its defaults, its page rules resolved by id', () => {
    const xai = site('x-ai');
    expect(xai.domains).toEqual(['docs.x.ai', 'x.ai']);
    expect(xai.pages.map((p) => p.id)).toEqual(['x-ai']);
    expect(xai.endpointSlugs).toEqual(['xai']);
    expect(xai.maxResults).toBe(5);
    expect(xai.enabled).toBe(true);
    expect(xai.query).toBe('{provider} {model} API pricing per million tokens');
  });

  it('refuses a page id no providers entry has, and a domain that is not a bare host', () => {
    const doc = (webFallback: unknown) => ({
      version: 1,
      userAgent: 'ua',
      politeness: {
        perHostConcurrency: 1,
        minIntervalMs: 0,
        timeoutMs: 1000,
        maxBytes: 4096,
        retries: 0,
        robots: true,
      },
      providers: [
        {
          slug: 'x-ai',
          name: 'xAI',
          url: 'https://docs.x.ai/docs/models',
          render: 'static',
          parser: { kind: 'table', format: 'markdown', headers: ['Model'], columns: { Input: 'prompt' } },
          models: {},
        },
      ],
      webFallback,
    });
    expect(() =>
      parseProvidersConfig(
        doc({ 'x-ai': { name: 'xAI', domains: ['docs.x.ai'], pages: ['nope'] } }),
        'p.yml',
      ),
    ).toThrow(/webFallback\.x-ai\.pages\.0: no providers entry has id "nope"/);
    expect(() =>
      parseProvidersConfig(
        doc({ 'x-ai': { name: 'xAI', domains: ['https://docs.x.ai/'], pages: ['x-ai'] } }),
        'p.yml',
      ),
    ).toThrow(/webFallback\.x-ai\.domains\.0: a bare lowercase host name/);
    // Absent section: no fallback anywhere (older providers files stay valid).
    const { webFallback: _none, ...without } = doc({});
    expect(parseProvidersConfig(without).webFallback.size).toBe(0);
  });
});

describe('the scraper config', () => {
  it('has the fallback off by default and refuses it on without a key, naming the variable', () => {
    expect(loadScraperConfig({ KAFKA_BROKERS: 'k:9092' }).WEB_FALLBACK).toBe(false);
    expect(() => loadScraperConfig({ KAFKA_BROKERS: 'k:9092', WEB_FALLBACK: 'true' })).toThrow(
      /TAVILY_API_KEY/,
    );
    const on = loadScraperConfig({ KAFKA_BROKERS: 'k:9092', WEB_FALLBACK: 'true', TAVILY_API_KEY: 'tvly-x' });
    expect(on.TAVILY_BASE_URL).toBe('https://api.tavily.com');
    expect(on.WEB_SEARCH_API).toBe('tavily');
    expect(() =>
      loadScraperConfig({
        KAFKA_BROKERS: 'k:9092',
        WEB_FALLBACK: 'true',
        WEB_SEARCH_API: 'brave',
        TAVILY_API_KEY: 'tvly-x',
      }),
    ).toThrow(/BRAVE_API_KEY: required when WEB_FALLBACK is on with WEB_SEARCH_API=brave/);
    // compose passes an unset key as an empty string: the same as unset
    expect(() =>
      loadScraperConfig({ KAFKA_BROKERS: 'k:9092', WEB_FALLBACK: 'true', TAVILY_API_KEY: '' }),
    ).toThrow(/TAVILY_API_KEY/);
  });
});

describe('the Tavily key in logs', () => {
  it('never appears: not as the config variable, not inside a message', () => {
    const key = 'tvly-dev-0123456789abcdefABCDEF';
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = createLogger({ service: 'scraper', destination: sink });
    const config = loadScraperConfig({ KAFKA_BROKERS: 'k:9092', WEB_FALLBACK: 'true', TAVILY_API_KEY: key });
    log.info({ config }, 'config');
    log.warn({ err: new Error(`search with ${key} refused`) }, `search failed for ${key}`);
    const brave = 'BSAbraveKey0123456789xyz';
    log.info(
      {
        config: loadScraperConfig({
          KAFKA_BROKERS: 'k:9092',
          WEB_FALLBACK: 'true',
          WEB_SEARCH_API: 'brave',
          BRAVE_API_KEY: brave,
        }),
        req: { headers: { 'x-subscription-token': brave } },
      },
      'brave config',
    );
    expect(lines.join('')).not.toContain(brave);
    const out = lines.join('');
    expect(out).toContain('[redacted');
    expect(out).not.toContain(key);
    expect(out).not.toContain('0123456789abcdef');
  });
});

describe('when the fallback runs (README rule 1)', () => {
  it('runs for an author with an entry and no ok price for that provider from the other sources', () => {
    // The routed price (provider null) is OpenRouter's and does not count; an unavailable page does not either.
    const seen = [obs(null, 'openrouter_api', 'ok'), obs('x-ai', 'provider_site', 'unavailable')];
    expect(fallbackTarget(grok43, seen, config)?.slug).toBe('x-ai');
  });

  it('does not run when the page, or an endpoint under the slug or an endpointSlug, priced it', () => {
    expect(fallbackTarget(grok43, [obs('x-ai', 'provider_site', 'ok')], config)).toBeNull();
    expect(fallbackTarget(grok43, [obs('xai', 'openrouter_endpoints', 'ok')], config)).toBeNull();
    // another host's endpoint price is not the provider's
    expect(fallbackTarget(grok43, [obs('novita', 'openrouter_endpoints', 'ok')], config)?.slug).toBe('x-ai');
  });

  it('never runs for variants, backfill events, or authors without an entry', () => {
    expect(fallbackTarget(md('x-ai/grok-4.3:free', 'xAI: Grok 4.3 (free)'), [], config)).toBeNull();
    expect(fallbackTarget(md('x-ai/grok-4.3', 'xAI: Grok 4.3', { backfill: true }), [], config)).toBeNull();
    expect(fallbackTarget(md('qwen/qwen3-14b', 'Qwen: Qwen3 14B'), [], config)).toBeNull();
  });
});

describe('the search request and answer (README rule 2)', () => {
  it('sends the recorded request shape plus the allow-list and result count', () => {
    const req = tavilyRequest(searchRequest(grok43, site('x-ai')));
    expect(req.query).toBe('xAI Grok 4.3 API pricing per million tokens');
    // Every key of the recorded requests, with the recorded values for depth and topic.
    for (const recorded of [basic.request.parsed_body, withDomains.request.parsed_body]) {
      expect(Object.keys(req)).toEqual(expect.arrayContaining(Object.keys(recorded)));
      expect(req.search_depth).toBe(recorded.search_depth);
      expect(req.topic).toBe(recorded.topic);
    }
    expect(Array.isArray(withDomains.request.parsed_body.include_domains)).toBe(true);
    expect(req.include_domains).toEqual(['docs.x.ai', 'x.ai']);
    expect(req.max_results).toBe(5);
  });

  it('reads the result URLs of both recorded answers, and nothing of their snippets', () => {
    const a = parseTavilyAnswer(basic.response.parsed_body);
    expect('results' in a && a.results.map((r) => r.url)).toEqual([
      'https://medium.com/ai-agent-insider/pydantic-ai-agent-framework-02b138e8db71',
      'https://ai.pydantic.dev/',
      'https://www.youtube.com/watch?v=-WB0T0XmDrY',
      'https://medium.com/@tahirbalarabe2/what-is-pydantic-ai-15cc81dea3c3',
      'https://www.reddit.com/r/LLMDevs/comments/1iih8az/pydantic_ai/',
    ]);
    const b = parseTavilyAnswer(withDomains.response.parsed_body);
    expect('results' in b && b.results.length).toBe(5);
    expect(parseTavilyAnswer({ answer: 'GPT costs $1' })).toEqual({
      error: 'search answer has no results list',
    });
  });

  it('asks Brave with site: operators for the allow-list and reads web.results', () => {
    expect(braveParams(searchRequest(grok43, site('x-ai')))).toEqual({
      q: 'xAI Grok 4.3 API pricing per million tokens (site:docs.x.ai OR site:x.ai)',
      count: '5',
    });
    // No Brave answer is recorded (shared/data/SOURCES.md: only synthetic fixtures exist): this one is
    // built from the documented WebSearchApiResponse fields (type, query, web.type, web.results[].title,
    // url, description), and says so.
    const documented = {
      type: 'search',
      query: { original: 'xAI Grok 4.3 API pricing per million tokens' },
      web: {
        type: 'search',
        results: [
          {
            title: 'Models and Pricing | xAI Docs',
            url: 'https://docs.x.ai/docs/models',
            description: '$1.25 input',
          },
          { title: 'xAI', url: 'https://x.ai/api', description: 'API' },
        ],
      },
    };
    expect(parseBraveAnswer(documented)).toEqual({
      results: [
        { url: 'https://docs.x.ai/docs/models', title: 'Models and Pricing | xAI Docs' },
        { url: 'https://x.ai/api', title: 'xAI' },
      ],
    });
    expect(parseBraveAnswer({ type: 'search', query: { original: 'q' } })).toEqual({ results: [] });
    expect(
      parseBraveAnswer({ type: 'ErrorResponse', error: { code: 'SUBSCRIPTION_TOKEN_INVALID' } }),
    ).toEqual({
      error: 'search answer is not a Brave web search response',
    });
  });

  it('names the model without OpenRouter\'s "Author: " prefix', () => {
    expect(displayName(grok43)).toBe('Grok 4.3');
    expect(displayName(md('x-ai/grok-4.3', ''))).toBe('grok-4.3');
  });
});

describe('the allow-list (README rule 3)', () => {
  it('drops every result of the recorded answers for a provider whose domains they are not on', () => {
    const a = parseTavilyAnswer(basic.response.parsed_body);
    if (!('results' in a)) throw new Error('no results');
    const s = screenResults(a.results, site('x-ai').domains, 5);
    expect(s.allowed).toEqual([]);
    expect(s.dropped.map((d) => d.reason)).toEqual([
      'host medium.com not allow-listed',
      'host ai.pydantic.dev not allow-listed',
      'host www.youtube.com not allow-listed',
      'host medium.com not allow-listed',
      'host www.reddit.com not allow-listed',
    ]);
  });

  it('is exact hosts: Tavily answered www.arxiv.org to include_domains [arxiv.org]; that result is dropped', () => {
    const b = parseTavilyAnswer(withDomains.response.parsed_body);
    if (!('results' in b)) throw new Error('no results');
    const s = screenResults(b.results, ['arxiv.org'], 5);
    expect(s.allowed).toEqual([
      'https://arxiv.org/abs/2507.13043',
      'https://arxiv.org/abs/2505.13499',
      'https://arxiv.org/html/2507.13043v1',
      'https://arxiv.org/abs/2505.21057',
    ]);
    expect(s.dropped).toEqual([
      { url: 'https://www.arxiv.org/abs/2601.03290', reason: 'host www.arxiv.org not allow-listed' },
    ]);
  });

  it('drops look-alike hosts, credentials, other schemes and duplicates, and keeps at most the limit', () => {
    const urls = [
      'https://docs.x.ai/docs/models',
      'https://docs.x.ai/docs/models', // duplicate
      'https://docs.x.ai.evil.example/docs/models',
      'https://docs.x.ai@evil.example/docs/models',
      'https://user:pw@docs.x.ai/docs/models',
      'https://api.docs.x.ai/pricing',
      'ftp://docs.x.ai/pricing',
      'not a url',
      'https://x.ai/api',
      'https://docs.x.ai/developers/models/grok-4.3',
    ].map((url) => ({ url, title: '' }));
    const s = screenResults(urls, site('x-ai').domains, 2);
    expect(s.allowed).toEqual(['https://docs.x.ai/docs/models', 'https://x.ai/api']);
    expect(s.dropped.map((d) => d.reason)).toEqual([
      'host docs.x.ai.evil.example not allow-listed',
      'host evil.example not allow-listed',
      'carries credentials',
      'host api.docs.x.ai not allow-listed',
      'not http(s)',
      'not a URL',
      'beyond the first 2',
    ]);
  });

  it('moves an allow-listed URL under a local base the way withBaseUrl moves pages', () => {
    expect(fetchUrlFor('https://docs.x.ai/docs/models?x=1', 'http://127.0.0.1:9/pages/')).toBe(
      'http://127.0.0.1:9/pages/docs.x.ai/docs/models?x=1',
    );
    expect(fetchUrlFor('https://docs.x.ai/docs/models')).toBe('https://docs.x.ai/docs/models');
  });
});

describe('reading a fetched page (README rules 5-6) on the real xAI capture', () => {
  it('keeps the price of a model the page names, with the unit the page states', () => {
    // Capture line 265: "| grok-4.3 | 1M | $1.25 | $2.50 |  |"; line 272: "Prices shown per million tokens".
    const r = readFallbackPage(grok43, site('x-ai'), xaiPage, ctx);
    expect(r).toEqual({
      found: true,
      pageName: 'grok-4.3',
      components: [
        { dimension: 'prompt', raw_value: '$1.25', unit: 'per_1m_tokens', currency: 'USD', tier: null },
        { dimension: 'completion', raw_value: '$2.50', unit: 'per_1m_tokens', currency: 'USD', tier: null },
      ],
    });
  });

  it('finds a model the page rules do not map by its id slug', () => {
    // Line 269: "| grok-4-1-fast-non-reasoning | 2M | $0.20 | $0.50 |  |": not in the x-ai mapping.
    const m = md('x-ai/grok-4-1-fast-non-reasoning', 'xAI: Grok 4.1 Fast (non-reasoning)');
    expect(modelNames(m, site('x-ai').pages)).toContain('grok-4-1-fast-non-reasoning');
    const r = readFallbackPage(m, site('x-ai'), xaiPage, ctx);
    expect(r.found && r.components.map((c) => c.raw_value)).toEqual(['$0.20', '$0.50']);
  });

  it('gives a reason, not a price, for a model the page does not name', () => {
    const r = readFallbackPage(grok45, site('x-ai'), xaiPage, ctx);
    expect(r).toEqual({ found: false, reason: 'x-ai rules: the page does not name x-ai/grok-4.5' });
  });

  it('keeps nothing when the page does not state the unit', () => {
    // The same page with every per-million statement taken out (lines 211, 213, 272 among others).
    const unitless = xaiPage
      .replace(/Prices shown per million tokens/g, '')
      .replace(/\/ 1M tokens/g, '')
      .replace(/per (?:1M|million) tokens/gi, '');
    expect(pageStatesUnit(xaiPage, 'per_1m_tokens')).toBe(true);
    expect(pageStatesUnit(unitless, 'per_1m_tokens')).toBe(false);
    expect(readFallbackPage(grok43, site('x-ai'), unitless, ctx)).toEqual({
      found: false,
      reason: 'x-ai rules: grok-4.3 has prices but the page states no unit for them',
    });
  });

  it('reads no price from the bot-challenge capture', () => {
    const challenge = readFileSync(
      path.join(
        sharedData('pricing_pages'),
        'openai_platform-docs-pricing_2026-05-08_BOT-CHALLENGE-no-prices.html',
      ),
      'utf8',
    );
    const r = readFallbackPage(md('openai/gpt-4o', 'OpenAI: GPT-4o'), site('openai'), challenge, ctx);
    expect(r.found).toBe(false);
    expect(!r.found && r.reason).toContain('bot challenge / no prices');
  });

  it('states units as the README lists them and never for per_unit', () => {
    expect(pageStatesUnit('Input $3 / MTok', 'per_1m_tokens')).toBe(true);
    expect(pageStatesUnit('$0.50 per 1M input tokens', 'per_1m_tokens')).toBe(true);
    expect(pageStatesUnit('$0.04 per image', 'per_image')).toBe(true);
    expect(pageStatesUnit('$10 per 1K requests', 'per_request')).toBe(true);
    // siliconflow capture line 163, novita capture ("$0.269 /Mt"), xAI's TTS line 296
    expect(pageStatesUnit('Prices shown are per 1 million tokens.', 'per_1m_tokens')).toBe(true);
    expect(pageStatesUnit('| $0.269 /Mt· Cache Read $0.1345 /Mt |', 'per_1m_tokens')).toBe(true);
    expect(pageStatesUnit('| Text to Speech | $4.20 / 1M characters |', 'per_1m_tokens')).toBe(false);
    expect(pageStatesUnit('stored on the xAI platform are billed', 'per_1m_tokens')).toBe(false);
    expect(pageStatesUnit('Input $3 Output $15', 'per_1m_tokens')).toBe(false);
    expect(pageStatesUnit('$1 per unit', 'per_unit')).toBe(false);
  });
});

describe('the observation (README rule 6)', () => {
  const hash = createHash('sha256').update(xaiPage).digest('hex');

  it('carries URL, fetch time and content hash with the components as published', () => {
    const r = readFallbackPage(grok43, site('x-ai'), xaiPage, ctx);
    if (!r.found) throw new Error(r.reason);
    const o = fallbackObservation(grok43, site('x-ai'), {
      url: ctx.url,
      fetchedAt: ctx.fetchedAt,
      contentHash: hash,
      components: r.components,
    });
    expect(o).toMatchObject({
      source_type: 'web_fallback',
      provider: 'x-ai',
      provider_name: 'xAI',
      model_id: 'x-ai/grok-4.3',
      source_url: 'https://docs.x.ai/docs/models',
      fetched_at: ctx.fetchedAt,
      occurred_at: ctx.fetchedAt,
      content_hash: hash,
      status: 'ok',
      unavailable_reason: null,
      caused_by: 'md:x-ai/grok-4.3',
    });
    expect(o.components.map((c) => `${c.dimension}=${c.raw_value}`)).toEqual([
      'prompt=$1.25',
      'completion=$2.50',
    ]);
    // Deterministic: the same fact is the same event.
    expect(
      fallbackObservation(grok43, site('x-ai'), {
        url: ctx.url,
        fetchedAt: ctx.fetchedAt,
        contentHash: hash,
        components: r.components,
      }).event_id,
    ).toBe(o.event_id);
  });

  it('is unavailable with the reason, no components and no hash when nothing was kept', () => {
    const o = fallbackObservation(grok45, site('x-ai'), {
      url: 'https://api.tavily.com/search',
      fetchedAt: 5,
      unavailableReason: 'no search result on an allow-listed domain (docs.x.ai, x.ai): 5 results',
    });
    expect(o).toMatchObject({
      status: 'unavailable',
      unavailable_reason: 'no search result on an allow-listed domain (docs.x.ai, x.ai): 5 results',
      components: [],
      content_hash: '',
      source_type: 'web_fallback',
      provider: 'x-ai',
    });
  });
});
