// What other packages and tests use of the scraper: the pure mapping of OpenRouter's published
// prices to RawPriceObserved (an oracle harness runs the real stage over recorded JSON), and the
// providers config (configs/providers.yml) that tests driving the pricing pages read.
export * from './core/openrouter.ts';
export {
  enabledProviders,
  parseProvidersConfig,
  withBaseUrl,
  type ProviderPage,
  type ProvidersConfig,
} from './core/providers-config.ts';
export { loadProvidersConfig } from './adapters/providers-file.ts';
// One discovered model scraped from every source (tests/ drive it against the fixture server).
export { scrapeModel, type ScrapeOptions, type ScrapeResult } from './adapters/scrape-model.ts';

// used by tests/ and bench/ (and deploy/tests: the env each deployable accepts)
export { scraperEnvSchema } from './config.ts';
