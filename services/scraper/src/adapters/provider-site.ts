// Shell glue for source_type = provider_site: fetch (or render) each provider page once per run through
// the cache, parse it, and build each discovered model's observation from the shared result.
import { contentHash, type ModelDiscovered, type RawPriceObserved } from '@llmpt/schemas';
import type { ProviderPage } from '../core/providers-config.ts';
import { pageObservations, authorOf, hostPagesFor } from '../core/pages/observations.ts';
import { failedPage, parsePricingPage } from '../core/pages/parse.ts';
import type { PageContext, ParsedPage } from '../core/pages/types.ts';
import { RenderError, type BrowserRenderer } from './browser.ts';
import type { PageCache } from './page-cache.ts';
import type { FetchLogger, PageFetchResult, PageFetcher } from './page-fetcher.ts';

export interface LoadedPage {
  readonly page: ParsedPage;
  readonly ctx: PageContext;
  /** ok, or why there are no bytes: refused, robots_disallowed, failed, too_large, timeout, render_failed. */
  readonly fetchStatus: string;
}

export interface ProviderSiteDeps {
  readonly fetcher: PageFetcher;
  readonly cache: PageCache<LoadedPage>;
  /** Needed only for providers with render: browser. */
  readonly renderer?: BrowserRenderer;
  readonly runId: string;
  readonly now?: () => number;
  readonly logger?: FetchLogger;
}

function failureReason(
  r: Extract<PageFetchResult, { status: Exclude<PageFetchResult['status'], 'ok'> }>,
): string {
  switch (r.status) {
    case 'robots_disallowed':
      return r.reason; // "robots.txt disallows /path"
    case 'refused':
      return `fetch refused: ${r.reason}`;
    case 'too_large':
      return `page too large: ${r.reason}`;
    case 'timeout':
      return `fetch timed out: ${r.reason}`;
    case 'failed':
      return `fetch failed: ${r.reason}`;
    default: {
      const never: never = r.status;
      return String(never);
    }
  }
}

async function load(provider: ProviderPage, deps: ProviderSiteDeps): Promise<LoadedPage> {
  const now = deps.now ?? Date.now;
  const failed = (reason: string, status: string, fetchedAt = now()): LoadedPage => ({
    page: failedPage(reason),
    ctx: { url: provider.url, fetchedAt, runId: deps.runId, contentHash: contentHash('') },
    fetchStatus: status,
  });
  if (provider.render === 'browser') {
    const refusal = await deps.fetcher.checkUrl(provider.url);
    if (refusal) return failed(failureReason(refusal), refusal.status, refusal.fetchedAt);
    if (!deps.renderer) return failed('no browser renderer configured', 'render_failed');
    const fetchedAt = now();
    try {
      const rendered = await deps.renderer.render(provider.url, {
        waitForSelector: provider.waitForSelector ?? 'body',
      });
      const ctx: PageContext = {
        url: provider.url,
        fetchedAt,
        runId: deps.runId,
        contentHash: contentHash(rendered.html),
      };
      return { page: parsePricingPage(provider, rendered.html, ctx), ctx, fetchStatus: 'ok' };
    } catch (err) {
      if (!(err instanceof RenderError)) throw err;
      deps.logger?.warn(
        { provider: provider.id, code: err.code, error: err.message },
        'pricing page render failed',
      );
      return failed(`render failed: ${err.message}`, 'render_failed', fetchedAt);
    }
  }
  const r = await deps.fetcher.fetchPage(provider.url);
  if (r.status !== 'ok') {
    deps.logger?.warn(
      { provider: provider.id, status: r.status, reason: r.reason },
      'pricing page not fetched',
    );
    return failed(failureReason(r), r.status, r.fetchedAt);
  }
  const ctx: PageContext = {
    url: provider.url,
    fetchedAt: r.fetchedAt,
    runId: deps.runId,
    contentHash: r.contentHash,
  };
  return { page: parsePricingPage(provider, r.body, ctx), ctx, fetchStatus: 'ok' };
}

/** The provider's page for this run: fetched and parsed once, shared by every caller. */
export function loadProviderPage(provider: ProviderPage, deps: ProviderSiteDeps): Promise<LoadedPage> {
  return deps.cache.get(provider.id, () => load(provider, deps));
}

/**
 * The provider_site observation for one ModelDiscovered, or null when no enabled page covers its author.
 * `providers` is enabledProviders(config): OpenRouter slug → page.
 */
export async function observeProviderSite(
  md: ModelDiscovered,
  providers: ReadonlyMap<string, ProviderPage>,
  deps: ProviderSiteDeps,
): Promise<RawPriceObserved | null> {
  const provider = providers.get(authorOf(md.model_id));
  if (!provider || md.model_id.includes(':')) return null;
  const { page, ctx } = await loadProviderPage(provider, deps);
  return pageObservations(md, provider, page, ctx);
}

/**
 * The provider_site observations of the host pages (role: host) that price this model: one per page
 * whose mapping names it and, when `hostedBy` is known (the providers OpenRouter's endpoints list for
 * the model in this run), whose provider is among them.
 */
export async function observeHostPages(
  md: ModelDiscovered,
  hosts: readonly ProviderPage[],
  hostedBy: ReadonlySet<string> | null,
  deps: ProviderSiteDeps,
): Promise<RawPriceObserved[]> {
  const out: RawPriceObserved[] = [];
  for (const provider of hostPagesFor(hosts, md.model_id, hostedBy)) {
    const { page, ctx } = await loadProviderPage(provider, deps);
    const obs = pageObservations(md, provider, page, ctx);
    if (obs) out.push(obs);
  }
  return out;
}
