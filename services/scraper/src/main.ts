import { runConsumerService } from '@llmpt/runtime/kafka';
import { topics } from '@llmpt/runtime';
import { loadScraperConfig } from './config.ts';
import { createHostLimiter } from '@llmpt/runtime/http';
import { createScraperHandler, type ScraperCounters } from './adapters/handler.ts';
import { createPageSource, type PageSourceHandle } from './adapters/pages-source.ts';
import { createWebFallbackSource } from './adapters/web-fallback.ts';

const config = loadScraperConfig();
const counters: ScraperCounters = { models: 0, observations: 0, unavailable: 0 };
let pages: PageSourceHandle | undefined;

await runConsumerService({
  service: 'scraper',
  config,
  inputTopics: [topics.modelDiscovered.name],
  prepare: async ({ logger, prefix }) => {
    pages = config.SCRAPE_PROVIDER_SITES ? await createPageSource(config, logger) : undefined;
    const handle = createScraperHandler(
      prefix + topics.rawPriceObserved.name,
      {
        openRouterBaseUrl: config.OPENROUTER_BASE_URL,
        apiKey: config.OPENROUTER_API_KEY,
        scrapeEndpoints: config.SCRAPE_ENDPOINTS,
        pages: pages?.observe,
        fallback: config.WEB_FALLBACK ? createWebFallbackSource(config, logger) : undefined,
        timeoutMs: config.HTTP_TIMEOUT_MS,
        logger,
        concurrency: config.ENDPOINTS_CONCURRENCY,
        limiter: createHostLimiter({
          concurrency: config.ENDPOINTS_CONCURRENCY,
          minIntervalMs: config.OPENROUTER_MIN_INTERVAL_MS,
        }),
      },
      counters,
    );
    return { handle };
  },
  details: () => ({
    providerSites: config.SCRAPE_PROVIDER_SITES,
    webFallback: config.WEB_FALLBACK,
    ...counters,
  }),
  close: async () => pages?.close(),
});
