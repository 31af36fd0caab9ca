import { z } from 'zod';
import { ConfigError } from './errors.ts';

/**
 * Parses the environment once with a zod object schema and returns a frozen, typed config. A bad or
 * missing variable fails fast with a message naming it, never later with an undefined deep inside.
 * Each service's config.ts calls this; nothing else reads process.env.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Readonly<z.infer<S>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const name = i.path.join('.') || '(environment)';
      const got = i.path.length ? env[String(i.path[0])] : undefined;
      const shown =
        got === undefined ? 'not set' : /KEY|SECRET|PASSWORD|URL/i.test(name) ? 'set' : JSON.stringify(got);
      return `  ${name}: ${i.message} (${shown})`;
    });
    throw new ConfigError(`invalid configuration, fix these environment variables:\n${lines.join('\n')}`);
  }
  return Object.freeze(result.data);
}

/** Reusable env fields. */
export const env = {
  brokers: z
    .string()
    .min(1)
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .describe('comma-separated host:port list'),
  url: z.url(),
  /**
   * An http(s) base URL without credentials: fetch refuses `user:password@` URLs anyway, and every
   * message that quotes the URL would carry the password. Keys go in their own (redacted) variable.
   */
  baseUrl: () =>
    z
      .url()
      .refine((u) => /^https?:$/.test(new URL(u).protocol), 'an http(s) URL')
      .refine((u) => {
        const parsed = new URL(u);
        return parsed.username === '' && parsed.password === '';
      }, 'must not carry credentials (user:password@): put the key in its own variable'),
  positiveInt: (def: number) => z.coerce.number().int().positive().default(def),
  nonNegativeInt: (def: number) => z.coerce.number().int().nonnegative().default(def),
  bool: (def: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(def ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};
