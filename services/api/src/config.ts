import { z } from 'zod';
import { env, loadConfig } from '@llmpt/runtime';

const schema = z.object({
  LOG_LEVEL: env.logLevel,
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL of a login that has the api_reader role'),
  PORT: env.nonNegativeInt(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DB_POOL_SIZE: env.positiveInt(10),
  RATE_LIMIT_MAX: env.positiveInt(300),
  RATE_LIMIT_WINDOW_MS: env.positiveInt(60_000),
  // The answer cache (README "Caching"): 0 turns it off.
  CACHE_TTL_MS: env.nonNegativeInt(10_000),
  CACHE_MAX_BYTES: env.nonNegativeInt(64 * 1024 * 1024),
  // `*`, or origins such as https://a.example,https://b.example
  CORS_ORIGINS: z
    .string()
    .default('*')
    .transform((s) =>
      s
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .refine(
      (list) => list.length > 0 && list.every((o) => o === '*' || /^https?:\/\/[^/]+$/.test(o)),
      '`*` or a comma-separated list of origins (scheme://host[:port], no path)',
    ),
});

export type ApiConfig = z.infer<typeof schema>;
export const loadApiConfig = (e?: Record<string, string | undefined>) => loadConfig(schema, e);

/** The environment this service accepts (deploy/tests check compose and k8s env against it). */
export const apiEnvSchema = schema;
