import { z } from 'zod';
import { commonEnv, env, loadConfig } from '@llmpt/runtime';

const schema = z.object({
  ...commonEnv,
  OPENROUTER_BASE_URL: env.baseUrl().default('https://openrouter.ai'),
  OPENROUTER_API_KEY: z.string().optional(),
  PROVIDERS_CONFIG: z.string().default('configs/providers.yml'),
  /** Serves every pricing page from this base instead of the provider's host (tests, offline runs). */
  PROVIDER_PAGES_BASE_URL: env.baseUrl().optional(),
  SCRAPE_PROVIDER_SITES: env.bool(true),
  SCRAPE_ENDPOINTS: env.bool(true),
  CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),
  /** Loopback and private addresses are refused unless this is set (local stack and tests only). */
  ALLOW_PRIVATE_ADDRESSES: env.bool(false),
  ENDPOINTS_CONCURRENCY: env.positiveInt(4),
  /** Minimum spacing of request starts to OpenRouter's API (politeness); 0 in local runs is fine. */
  OPENROUTER_MIN_INTERVAL_MS: env.nonNegativeInt(100),
  HTTP_TIMEOUT_MS: env.positiveInt(20_000),
  GROUP_ID: z.string().default('pricing-scraper'),
});

export type ScraperConfig = z.infer<typeof schema>;
export const loadScraperConfig = (e?: Record<string, string | undefined>) => loadConfig(schema, e);

/** The environment this service accepts (deploy/tests check compose and k8s env against it). */
export const scraperEnvSchema = schema;
