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
  // The URL clients reach the API at (README "Environment"): the links the API writes start with it.
  PUBLIC_BASE_URL: z
    .string()
    .optional()
    .transform((s) => (s === undefined || s.trim() === '' ? undefined : s.trim()))
    .refine((s) => s === undefined || publicBaseUrlOk(s), {
      message: 'an absolute http(s) URL with an optional path, no query, fragment or credentials',
    })
    .transform((s) => (s === undefined ? undefined : s.replace(/\/+$/, ''))),
});

function publicBaseUrlOk(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.hash === '' &&
    !/[?#]/.test(text)
  );
}

export type ApiConfig = z.infer<typeof schema>;
export const loadApiConfig = (e?: Record<string, string | undefined>) => loadConfig(schema, e);

/** The environment this service accepts (deploy/tests check compose and k8s env against it). */
export const apiEnvSchema = schema;
