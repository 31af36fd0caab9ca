import path from 'node:path';
import { z } from 'zod';
import { env, loadConfig } from '@llmpt/runtime';

const SHA256_HEX = /^[0-9a-f]{64}$/;

const schema = z
  .object({
    LOG_LEVEL: env.logLevel,
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL of a login that has the api_reader role'),
    PORT: env.nonNegativeInt(8080),
    HOST: z.string().min(1).default('0.0.0.0'),
    // GET /metrics (and /livez, /readyz) on a port of its own, off the public surface (docs/metrics.md).
    METRICS_PORT: env.nonNegativeInt(9464),
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
    // README "Webhook subscriptions": the SHA-256 hex of each key, never a key.
    API_KEYS: z
      .string()
      .default('')
      .transform((s) =>
        s
          .split(',')
          .map((k) => k.trim().toLowerCase())
          .filter(Boolean),
      )
      .refine(
        (list) => list.every((k) => SHA256_HEX.test(k)),
        'comma-separated SHA-256 hashes of the keys (64 hex digits each), never the keys themselves',
      ),
    WEBHOOK_ADMIN_DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL of a login that has the webhook_admin role')
      .optional(),
    WEBHOOK_ALLOW_LOOPBACK: env.bool(false),
    NODE_ENV: z.string().optional(),
    // The URL clients reach the API at (README "Environment"): the links the API writes start with it.
    PUBLIC_BASE_URL: z
      .string()
      .optional()
      .transform((s) => (s === undefined || s.trim() === '' ? undefined : s.trim()))
      .refine((s) => s === undefined || publicBaseUrlOk(s), {
        message: 'an absolute http(s) URL with an optional path, no query, fragment or credentials',
      })
      .transform((s) => (s === undefined ? undefined : s.replace(/\/+$/, ''))),
    // The web explorer's build (README "The web explorer"); unset or empty: not served. Whether it
    // holds index.html is checked when the app is built (adapters/explorer.ts), naming WEB_DIST.
    WEB_DIST: z
      .string()
      .optional()
      .transform((s) => (s === undefined || s.trim() === '' ? undefined : path.resolve(s.trim()))),
  })
  .refine((c) => !(c.WEBHOOK_ALLOW_LOOPBACK && c.NODE_ENV === 'production'), {
    path: ['WEBHOOK_ALLOW_LOOPBACK'],
    message: 'must not be set when NODE_ENV=production',
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
