// What other packages and tests use of the scraper: the pure mapping of OpenRouter's published
// prices to RawPriceObserved (an oracle harness runs the real stage over recorded JSON).
export * from './openrouter.ts';

// used by tests/ and bench/
export { enabledProviders, loadProvidersConfig } from './providers-config.ts';
export { scraperEnvSchema } from './config.ts';
