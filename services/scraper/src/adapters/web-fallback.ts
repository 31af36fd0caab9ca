// source_type = web_fallback, the shell (README "Web fallback"): for a model whose provider no other
// source priced, one search limited to the provider's allow-listed hosts, then each allow-listed
// result fetched through the scraper's page fetcher (allow-list again, address guard, robots.txt,
// politeness; each page once per discovery run) and read with the page rules; the first page that
// names the model with a price and its unit gives the observation, else one `unavailable`
// observation says why.
import type { ModelDiscovered, RawPriceObserved } from '@llmpt/schemas';
import type { Logger } from '@llmpt/runtime';
import type { ScraperConfig } from '../config.ts';
import { fallbackFetcherOptionsFrom, type ProvidersConfig } from '../core/providers-config.ts';
import {
  fallbackObservation,
  fallbackTarget,
  fetchUrlFor,
  readFallbackPage,
  screenResults,
  searchRequest,
} from '../core/web-fallback.ts';
import { createPageCache, type PageCache } from './page-cache.ts';
import {
  createPageFetcher,
  type FetchLogger,
  type PageFetcher,
  type PageFetchResult,
} from './page-fetcher.ts';
import { loadProvidersConfig } from './providers-file.ts';
import { createBraveSearch, createTavilySearch, type WebSearch } from './search-api.ts';

export interface WebFallbackDeps {
  readonly config: Pick<ProvidersConfig, 'webFallback'>;
  readonly search: WebSearch;
  /** Its allow-list is the fallback's domains (fallbackFetcherOptionsFrom), or the local base's host. */
  readonly fetcher: PageFetcher;
  /** Tests and offline runs: allow-listed results are fetched from `<base>/<host><path>` instead. */
  readonly pagesBaseUrl?: string;
  /** Reported as the URL of an observation that fetched no page. */
  readonly searchUrl: string;
  readonly now?: () => number;
  readonly logger?: FetchLogger;
}

/** Fetched pages shared within a discovery run: a page found for two models is fetched once. */
function runPages(fetcher: PageFetcher): (runId: string, url: string) => Promise<PageFetchResult> {
  const caches = new Map<string, PageCache<PageFetchResult>>();
  return (runId, url) => {
    let c = caches.get(runId);
    if (!c) {
      c = createPageCache<PageFetchResult>();
      caches.set(runId, c);
      // Only the latest few runs keep their pages (as pages-source does).
      while (caches.size > 3) caches.delete(caches.keys().next().value!);
    }
    return c.get(url, () => fetcher.fetchPage(url));
  };
}

/** Observations of a model that the other sources (`observed`) left without its provider's price. */
export type WebFallback = (
  md: ModelDiscovered,
  observed: readonly RawPriceObserved[],
) => Promise<RawPriceObserved[]>;

export function createWebFallback(deps: WebFallbackDeps): WebFallback {
  const now = deps.now ?? Date.now;
  const fetchPage = runPages(deps.fetcher);
  return async (md, observed) => {
    const site = fallbackTarget(md, observed, deps.config);
    if (!site) return [];
    const unavailable = (reason: string, url = deps.searchUrl, fetchedAt = now()) => [
      fallbackObservation(md, site, { url, fetchedAt, unavailableReason: reason }),
    ];
    const searchedAt = now();
    const answer = await deps.search(searchRequest(md, site));
    if (answer.status !== 'ok') return unavailable(answer.reason, deps.searchUrl, searchedAt);
    const { allowed, dropped } = screenResults(answer.results, site.domains, site.maxResults);
    if (dropped.length > 0)
      deps.logger?.debug({ model: md.model_id, dropped }, 'web fallback: results not fetched');
    if (allowed.length === 0)
      return unavailable(
        `no search result on an allow-listed domain (${site.domains.join(', ')}): ${answer.results.length} results`,
        deps.searchUrl,
        searchedAt,
      );
    const reasons: string[] = [];
    let last = searchedAt;
    for (const resultUrl of allowed) {
      const url = fetchUrlFor(resultUrl, deps.pagesBaseUrl);
      const r = await fetchPage(md.run_id, url);
      last = r.fetchedAt;
      if (r.status !== 'ok') {
        reasons.push(`${resultUrl}: ${r.status} (${r.reason})`);
        continue;
      }
      const ctx = { url, fetchedAt: r.fetchedAt, runId: md.run_id, contentHash: r.contentHash };
      const reading = readFallbackPage(md, site, r.body, ctx);
      if (reading.found)
        return [
          fallbackObservation(md, site, {
            url,
            fetchedAt: r.fetchedAt,
            contentHash: r.contentHash,
            components: reading.components,
          }),
        ];
      reasons.push(`${resultUrl}: ${reading.reason}`);
    }
    return unavailable(
      `no allow-listed page names the model with a price and its unit: ${reasons.join(' | ')}`,
      deps.searchUrl,
      last,
    );
  };
}

/**
 * The web fallback for the long-running scraper, from its config: the providers file's `webFallback`
 * section, Tavily with the configured key, one polite fetcher whose allow-list is the fallback's
 * domains (or the local base's host when pages are served locally).
 */
export function createWebFallbackSource(
  config: Pick<
    ScraperConfig,
    | 'PROVIDERS_CONFIG'
    | 'PROVIDER_PAGES_BASE_URL'
    | 'ALLOW_PRIVATE_ADDRESSES'
    | 'WEB_SEARCH_API'
    | 'TAVILY_API_KEY'
    | 'TAVILY_BASE_URL'
    | 'BRAVE_API_KEY'
    | 'BRAVE_BASE_URL'
    | 'HTTP_TIMEOUT_MS'
  >,
  logger: Logger,
): WebFallback | undefined {
  const providers = loadProvidersConfig(config.PROVIDERS_CONFIG);
  const options = fallbackFetcherOptionsFrom(providers);
  if (options.allowHosts.length === 0) {
    logger.warn({}, 'WEB_FALLBACK is on but configs/providers.yml has no enabled webFallback entry');
    return undefined;
  }
  const base = config.PROVIDER_PAGES_BASE_URL;
  const fetcher = createPageFetcher({
    ...options,
    allowHosts: base ? [new URL(base).hostname] : options.allowHosts,
    allowPrivateAddresses: config.ALLOW_PRIVATE_ADDRESSES,
    logger,
  });
  const brave = config.WEB_SEARCH_API === 'brave';
  const searchBase = brave ? config.BRAVE_BASE_URL : config.TAVILY_BASE_URL;
  const apiOptions = {
    baseUrl: searchBase,
    apiKey: (brave ? config.BRAVE_API_KEY : config.TAVILY_API_KEY) ?? '',
    timeoutMs: config.HTTP_TIMEOUT_MS,
  };
  const search = brave ? createBraveSearch(apiOptions) : createTavilySearch(apiOptions);
  const searchUrl = new URL(
    brave ? 'res/v1/web/search' : 'search',
    `${searchBase.replace(/\/$/, '')}/`,
  ).toString();
  logger.info(
    { providers: [...providers.webFallback.keys()], search: config.WEB_SEARCH_API, searchUrl },
    'web fallback configured',
  );
  return createWebFallback({ config: providers, search, fetcher, pagesBaseUrl: base, searchUrl, logger });
}
