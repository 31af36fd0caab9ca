import { z } from 'zod';
import { commonEnv, ConfigError, env, loadConfig } from '@llmpt/runtime';

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
  /** source_type = web_fallback (README "Web fallback"): off unless set; needs TAVILY_API_KEY. */
  WEB_FALLBACK: env.bool(false),
  /** Tavily search API key (secret: redacted in logs, sent only in the Authorization header to TAVILY_BASE_URL). */
  TAVILY_API_KEY: z.string().optional(),
  TAVILY_BASE_URL: env.baseUrl().default('https://api.tavily.com'),
});

export type ScraperConfig = z.infer<typeof schema>;
export function loadScraperConfig(e?: Record<string, string | undefined>): Readonly<ScraperConfig> {
  const config = loadConfig(schema, e);
  if (config.WEB_FALLBACK && !config.TAVILY_API_KEY)
    throw new ConfigError(
      'invalid configuration, fix these environment variables:\n  TAVILY_API_KEY: required when WEB_FALLBACK is on (not set)',
    );
  return config;
}

/** The environment this service accepts (deploy/tests check compose and k8s env against it). */
export const scraperEnvSchema = schema;
