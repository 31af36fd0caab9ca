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
  /** source_type = web_fallback (README "Web fallback"): off unless set; needs the chosen API's key. */
  WEB_FALLBACK: env.bool(false),
  /** The fallback's search API: tavily (default) or brave. */
  WEB_SEARCH_API: z.enum(['tavily', 'brave']).default('tavily'),
  /** Tavily key (secret: redacted in logs, sent only in the Authorization header to TAVILY_BASE_URL). */
  TAVILY_API_KEY: z.string().optional(),
  TAVILY_BASE_URL: env.baseUrl().default('https://api.tavily.com'),
  /** Brave Search key (secret: redacted in logs, sent only in X-Subscription-Token to BRAVE_BASE_URL). */
  BRAVE_API_KEY: z.string().optional(),
  BRAVE_BASE_URL: env.baseUrl().default('https://api.search.brave.com'),
});

export type ScraperConfig = z.infer<typeof schema>;
export function loadScraperConfig(e?: Record<string, string | undefined>): Readonly<ScraperConfig> {
  const config = loadConfig(schema, e);
  const keyName = config.WEB_SEARCH_API === 'brave' ? 'BRAVE_API_KEY' : 'TAVILY_API_KEY';
  if (config.WEB_FALLBACK && !config[keyName])
    throw new ConfigError(
      `invalid configuration, fix these environment variables:\n  ${keyName}: required when WEB_FALLBACK is on with WEB_SEARCH_API=${config.WEB_SEARCH_API} (not set)`,
    );
  return config;
}

/** The environment this service accepts (deploy/tests check compose and k8s env against it). */
export const scraperEnvSchema = schema;
