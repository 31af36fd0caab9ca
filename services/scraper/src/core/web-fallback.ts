// source_type = web_fallback (README "Web fallback"), the pure half: which (model, provider) needs it,
// the search request and the reading of its answer, which result URLs may be fetched at all, and the
// RawPriceObserved a fetched page gives. No I/O, no clock: bytes, times and answers come in.
import { contentHash, eventId, priceKey, type ModelDiscovered, type RawPriceObserved } from '@llmpt/schemas';
import type { ProviderPage, ProvidersConfig, WebFallbackSite } from './providers-config.ts';
import { authorOf } from './pages/observations.ts';
import { parsePricingPage } from './pages/parse.ts';
import { normalizeModelName } from './pages/text.ts';
import type { PageComponent, PageContext } from './pages/types.ts';

export const WEB_FALLBACK = 'web_fallback' as const;

/**
 * The provider a model's web fallback searches for, or null when it needs none: the model's author has
 * an enabled `webFallback` entry, the model is not an OpenRouter variant ("x:free"), and no other
 * source of this scrape gave an `ok` price for that provider (its own page, or an OpenRouter endpoint
 * under the author's slug or one of its `endpointSlugs`). OpenRouter's routed price (provider null) is
 * OpenRouter's, not the provider's, and does not count.
 */
export function fallbackTarget(
  md: ModelDiscovered,
  observed: readonly RawPriceObserved[],
  config: Pick<ProvidersConfig, 'webFallback'>,
): WebFallbackSite | null {
  if (md.backfill || md.model_id.includes(':')) return null;
  const site = config.webFallback.get(authorOf(md.model_id));
  if (!site?.enabled) return null;
  const slugs = new Set([site.slug, ...site.endpointSlugs]);
  const priced = observed.some(
    (o) =>
      o.status === 'ok' &&
      o.provider !== null &&
      slugs.has(o.provider) &&
      (o.source_type === 'provider_site' || o.source_type === 'openrouter_endpoints'),
  );
  return priced ? null : site;
}

/** The model's name without OpenRouter's "Author: " prefix ("xAI: Grok 4.3" → "Grok 4.3"). */
export function displayName(md: Pick<ModelDiscovered, 'model_id' | 'name'>): string {
  const name = md.name.includes(': ') ? md.name.slice(md.name.indexOf(': ') + 2) : md.name;
  return name.trim() === '' ? (md.model_id.split('/')[1] ?? md.model_id) : name.trim();
}

export function searchQuery(md: ModelDiscovered, site: WebFallbackSite): string {
  return site.query.replaceAll('{provider}', site.name).replaceAll('{model}', displayName(md));
}

/** What the fallback asks a search API, whichever it is. */
export interface SearchRequest {
  readonly query: string;
  /** The provider's allow-listed hosts: passed to the API as a filter, and enforced here regardless. */
  readonly domains: readonly string[];
  readonly maxResults: number;
}

export function searchRequest(md: ModelDiscovered, site: WebFallbackSite): SearchRequest {
  return { query: searchQuery(md, site), domains: site.domains, maxResults: site.maxResults };
}

/** The Tavily `POST /search` body, in the shape of the recorded requests (shared/data/search_api). */
export interface TavilySearchRequest {
  readonly query: string;
  readonly search_depth: 'basic';
  readonly topic: 'general';
  readonly include_domains: readonly string[];
  readonly max_results: number;
}

export function tavilyRequest(req: SearchRequest): TavilySearchRequest {
  return {
    query: req.query,
    search_depth: 'basic',
    topic: 'general',
    include_domains: req.domains,
    max_results: req.maxResults,
  };
}

/**
 * Brave Web Search `GET /res/v1/web/search` parameters: the query restricted with `site:` operators
 * (Brave has no domain filter parameter), `count` at most 20 as documented.
 */
export function braveParams(req: SearchRequest): { q: string; count: string } {
  const sites = req.domains.map((d) => `site:${d}`).join(' OR ');
  return {
    q: sites === '' ? req.query : `${req.query} (${sites})`,
    count: String(Math.min(req.maxResults, 20)),
  };
}

export interface SearchResult {
  readonly url: string;
  readonly title: string;
}

/**
 * The result list of a Tavily answer (`{results: [{title, url, content, score, raw_content}], ...}`),
 * or why it is not one. Results without a string `url` are dropped; nothing else is read: the snippet
 * (`content`) and the generated `answer` are never taken as prices.
 */
export function parseTavilyAnswer(body: unknown): { results: SearchResult[] } | { error: string } {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { results?: unknown }).results))
    return { error: 'search answer has no results list' };
  const results: SearchResult[] = [];
  for (const r of (body as { results: unknown[] }).results) {
    if (typeof r !== 'object' || r === null) continue;
    const { url, title } = r as { url?: unknown; title?: unknown };
    if (typeof url === 'string') results.push({ url, title: typeof title === 'string' ? title : '' });
  }
  return { results };
}

/**
 * The result list of a Brave Web Search answer (`{type: "search", web: {results: [{title, url,
 * description, ...}]}, ...}`, the documented WebSearchApiResponse; no real answer is recorded). An
 * answer without `web` has no web results. Only `url` (and `title`) are read, never `description`.
 */
export function parseBraveAnswer(body: unknown): { results: SearchResult[] } | { error: string } {
  if (typeof body !== 'object' || body === null || (body as { type?: unknown }).type !== 'search')
    return { error: 'search answer is not a Brave web search response' };
  const web = (body as { web?: unknown }).web;
  if (web === undefined) return { results: [] };
  return parseTavilyAnswer(web);
}

/**
 * Splits result URLs into those that may be fetched (http(s), host exactly one of the provider's
 * allow-listed domains; duplicates dropped; at most `limit`) and the rest, each with why.
 */
export function screenResults(
  results: readonly SearchResult[],
  domains: readonly string[],
  limit: number,
): { allowed: string[]; dropped: { url: string; reason: string }[] } {
  const allow = new Set(domains);
  const allowed: string[] = [];
  const dropped: { url: string; reason: string }[] = [];
  for (const { url } of results) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      dropped.push({ url, reason: 'not a URL' });
      continue;
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') dropped.push({ url, reason: 'not http(s)' });
    else if (!allow.has(u.hostname.toLowerCase()))
      dropped.push({ url, reason: `host ${u.hostname} not allow-listed` });
    else if (u.username !== '' || u.password !== '') dropped.push({ url, reason: 'carries credentials' });
    else if (allowed.includes(u.href)) continue;
    else if (allowed.length >= limit) dropped.push({ url, reason: `beyond the first ${limit}` });
    else allowed.push(u.href);
  }
  return { allowed, dropped };
}

/**
 * Where an allow-listed result is fetched from: itself, or, with a local base (tests and offline
 * runs, PROVIDER_PAGES_BASE_URL), `<base>/<host><path>?<query>`, the layout withBaseUrl gives pages.
 */
export function fetchUrlFor(url: string, localBase?: string): string {
  if (!localBase) return url;
  const u = new URL(url);
  const base = new URL(localBase);
  const prefix = base.pathname.replace(/\/$/, '');
  return new URL(`${prefix}/${u.hostname}${u.pathname}${u.search}`, base).toString();
}

/** Names under which a page names the model: the page rules' own names for it, its id's slug, its display name. */
export function modelNames(md: ModelDiscovered, pages: readonly ProviderPage[]): string[] {
  const names = new Set<string>();
  for (const page of pages)
    for (const [name, id] of Object.entries(page.models)) if (id === md.model_id) names.add(name);
  names.add(md.model_id.slice(md.model_id.indexOf('/') + 1));
  names.add(displayName(md));
  return [...names].filter((n) => normalizeModelName(n) !== '');
}

// How a page states each unit a layout rule assigns; a price is kept only when its page states its unit.
const MILLION = String.raw`(?:1\s?M|1 million|one million|1,000,000|a million|million|M)`;
const THOUSAND = String.raw`(?:1\s?K|1 thousand|one thousand|1,000|a thousand|thousand|K)`;
const TOKENS = String.raw`\s*(?:input\s+|output\s+|cached\s+|prompt\s+|completion\s+)?tokens?\b`;
const UNIT_TEXT: Readonly<Record<string, RegExp>> = {
  // "per million tokens", "per 1M input tokens", "/ 1M tokens", "$/M tokens", "MTok", novita's "/Mt"
  per_1m_tokens: new RegExp(
    String.raw`(?:\b(?:per|for)\s+|\/\s*)${MILLION}${TOKENS}|\bMTok\b|\/\s*Mt\b`,
    'i',
  ),
  per_1k_tokens: new RegExp(String.raw`(?:\b(?:per|for)\s+|\/\s*)${THOUSAND}${TOKENS}|\bKTok\b`, 'i'),
  per_token: /(?:\bper\s+|\/\s*)tokens?\b/i,
  per_request: /(?:\bper\s+(?:1K\s+|1,000\s+)?|\/\s*)requests?\b/i,
  per_image: /(?:\bper\s+|\/\s*)images?\b/i,
  per_web_search: /(?:\bper\s+(?:1K\s+|1,000\s+)?|\/\s*)(?:web\s+)?search(?:es)?\b/i,
  per_second: /(?:\bper\s+|\/\s*)(?:second|sec|s)\b/i,
  per_minute: /(?:\bper\s+|\/\s*)(?:minute|min)\b/i,
};

/** Whether the page's text states this unit (per_unit, which names none, never qualifies). */
export function pageStatesUnit(body: string, unit: string): boolean {
  const re = UNIT_TEXT[unit];
  return re !== undefined && re.test(body);
}

export type PageReading =
  | { readonly found: true; readonly pageName: string; readonly components: readonly PageComponent[] }
  | { readonly found: false; readonly reason: string };

/**
 * The model's price on one fetched page: each page rule in order is run with the model's names as its
 * only mapping, so only a row the page prints under one of those names counts; of its components only
 * those whose unit the page states are kept. Nothing found is a reason, never a guess.
 */
export function readFallbackPage(
  md: ModelDiscovered,
  site: WebFallbackSite,
  body: string,
  ctx: PageContext,
): PageReading {
  const names = modelNames(md, site.pages);
  const reasons: string[] = [];
  for (const page of site.pages) {
    const models = Object.fromEntries(names.map((n) => [n, md.model_id]));
    const parsed = parsePricingPage({ ...page, models }, body, ctx);
    const price = parsed.prices.find((p) => p.modelId === md.model_id);
    if (!price) {
      reasons.push(
        parsed.prices.length === 0 && parsed.unmapped.length === 0
          ? `${page.id} rules: ${parsed.problems[0] ?? 'no prices found'}`
          : `${page.id} rules: the page does not name ${md.model_id}`,
      );
      continue;
    }
    const components = price.components.filter((c) => pageStatesUnit(body, c.unit));
    if (components.length === 0) {
      reasons.push(`${page.id} rules: ${price.pageName} has prices but the page states no unit for them`);
      continue;
    }
    return { found: true, pageName: price.pageName, components };
  }
  return { found: false, reason: reasons.join('; ') };
}

export interface FallbackOutcome {
  /** The page the price came from (as fetched), or the search endpoint when nothing was fetched. */
  readonly url: string;
  readonly fetchedAt: number;
  /** sha256 of the page bytes the price came from; absent for unavailable. */
  readonly contentHash?: string;
  readonly components?: readonly PageComponent[];
  /** Set exactly when no price was kept. */
  readonly unavailableReason?: string;
}

/** The web_fallback RawPriceObserved of one model: a kept price with its page, or unavailable with why. */
export function fallbackObservation(
  md: ModelDiscovered,
  site: WebFallbackSite,
  outcome: FallbackOutcome,
): RawPriceObserved {
  const ok = outcome.unavailableReason === undefined && (outcome.components?.length ?? 0) > 0;
  const status = ok ? 'ok' : 'unavailable';
  const reason = ok ? null : (outcome.unavailableReason ?? 'no price found');
  const components = ok ? [...(outcome.components ?? [])] : [];
  const hash = ok ? (outcome.contentHash ?? contentHash('')) : '';
  const key = priceKey(md.model_id, site.slug, WEB_FALLBACK);
  return {
    event_id: eventId(
      'RawPriceObserved',
      key,
      md.event_id,
      outcome.url,
      hash,
      status,
      reason,
      JSON.stringify(components),
    ),
    run_id: md.run_id,
    caused_by: md.event_id,
    backfill: md.backfill,
    occurred_at: outcome.fetchedAt,
    model_id: md.model_id,
    provider: site.slug,
    provider_name: site.name,
    source_type: WEB_FALLBACK,
    source_url: outcome.url,
    fetched_at: outcome.fetchedAt,
    content_hash: hash,
    status,
    unavailable_reason: reason,
    components,
    endpoint: null,
  };
}
