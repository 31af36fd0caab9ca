import { z } from 'zod';
import { commonEnv, env, loadConfig } from '@llmpt/runtime';

const schema = z.object({
  ...commonEnv,
  OPENROUTER_BASE_URL: env.baseUrl().default('https://openrouter.ai'),
  OPENROUTER_API_KEY: z.string().optional(),
  MODELS_BLOCKLIST_PATH: z.string().default('configs/models_blocklist.yml'),
  RUN_ID: z.string().min(1).optional(),
  HTTP_TIMEOUT_MS: env.positiveInt(30_000),
  HTTP_ATTEMPTS: env.positiveInt(4),
  // docs/metrics.md "Jobs": the run's figures are pushed there when set.
  PUSHGATEWAY_URL: env.baseUrl().optional(),
});

export type DiscoveryConfig = z.infer<typeof schema>;
export const loadDiscoveryConfig = (e?: Record<string, string | undefined>) => loadConfig(schema, e);

/** The environment this service accepts (deploy/tests check compose and k8s env against it). */
export const discoveryEnvSchema = schema;
