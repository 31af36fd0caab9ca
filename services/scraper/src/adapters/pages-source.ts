import type { ModelDiscovered, RawPriceObserved } from '@llmpt/schemas';
import type { Logger } from '@llmpt/runtime';
import type { ScraperConfig } from '../config.ts';
import {
  enabledHostPages,
  enabledProviders,
  fetcherOptionsFrom,
  withBaseUrl,
} from '../core/providers-config.ts';
import { createBrowserRenderer, type BrowserRenderer } from './browser.ts';
import { createPageCache, type PageCache } from './page-cache.ts';
import { createPageFetcher } from './page-fetcher.ts';
import { observeHostPages, observeProviderSite, type LoadedPage } from './provider-site.ts';
import { loadProvidersConfig } from './providers-file.ts';

export interface PageSourceHandle {
  /** `hostedBy`: the providers OpenRouter's endpoints list for the model in this run, null when not read. */
  readonly observe: (
    md: ModelDiscovered,
    hostedBy?: ReadonlySet<string> | null,
  ) => Promise<RawPriceObserved[]>;
  readonly close: () => Promise<void>;
}

/**
 * The provider_site source for the long-running scraper: one polite fetcher for the process, one page
 * cache per discovery run (so each page is fetched once per run and shared by every model of that
 * provider), and Chromium started only when a page needs rendering.
 */
export async function createPageSource(config: ScraperConfig, logger: Logger): Promise<PageSourceHandle> {
  let providersConfig = loadProvidersConfig(config.PROVIDERS_CONFIG);
  if (config.PROVIDER_PAGES_BASE_URL)
    providersConfig = withBaseUrl(providersConfig, config.PROVIDER_PAGES_BASE_URL);
  const providers = enabledProviders(providersConfig);
  const hosts = enabledHostPages(providersConfig);
  const fetchOpts = fetcherOptionsFrom(providersConfig);
  const fetcher = createPageFetcher({
    ...fetchOpts,
    allowPrivateAddresses: config.ALLOW_PRIVATE_ADDRESSES,
    logger,
  });
  const needsBrowser = [...providers.values(), ...hosts].some((p) => p.render === 'browser');
  const renderer: BrowserRenderer | undefined = needsBrowser
    ? createBrowserRenderer({
        executablePath: config.CHROMIUM_PATH,
        allowHosts: fetchOpts.allowHosts,
        timeoutMs: fetchOpts.timeoutMs,
        userAgent: fetchOpts.userAgent,
        maxBytes: fetchOpts.maxBytes,
        logger,
      })
    : undefined;
  // Only the latest few runs keep their cache: a run's pages are not reused by the next run.
  const caches = new Map<string, PageCache<LoadedPage>>();
  const cacheFor = (runId: string) => {
    let c = caches.get(runId);
    if (!c) {
      c = createPageCache<LoadedPage>();
      caches.set(runId, c);
      while (caches.size > 3) caches.delete(caches.keys().next().value!);
    }
    return c;
  };
  logger.info(
    { providers: [...providers.keys()], hosts: hosts.map((h) => h.slug), browser: needsBrowser },
    'provider pricing pages configured',
  );
  return {
    observe: async (md, hostedBy = null) => {
      const deps = { fetcher, cache: cacheFor(md.run_id), renderer, runId: md.run_id, logger };
      const obs = await observeProviderSite(md, providers, deps);
      if (md.model_id.includes(':')) return obs ? [obs] : [];
      const hosted = await observeHostPages(md, hosts, hostedBy, deps);
      return obs ? [obs, ...hosted] : hosted;
    },
    close: async () => {
      await renderer?.close();
    },
  };
}
