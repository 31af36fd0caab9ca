// The export CLI's settings: DATABASE_URL from the environment, the rest from its arguments.
//   npm run export -- --format genai-prices|litellm|models-dev|csv [--at 2026-08-19 | --at 2026-08-19T12:00:00Z] [--out FILE]
import { z } from 'zod';

export const FORMATS = ['genai-prices', 'litellm', 'models-dev', 'csv'] as const;
export type ExportFormat = (typeof FORMATS)[number];

export const exportEnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(
      /^postgres(ql)?:\/\//,
      'set DATABASE_URL, e.g. postgres://postgres:postgres@127.0.0.1:54322/llmpt',
    ),
});

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A day stands for the catalog as it stood at its end (the last UTC millisecond of that day). */
const atSchema = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(DAY.test(s) ? `${s}T00:00:00Z` : s)), 'not a date or time')
  .refine((s) => !DAY.test(s) || new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a calendar day')
  .transform((s) => (DAY.test(s) ? new Date(`${s}T23:59:59.999Z`) : new Date(s)));

export const exportArgsSchema = z.object({
  format: z.enum(FORMATS),
  /** Absent: now, with the catalog's names (the current export). */
  at: atSchema.optional(),
  /** Absent: standard output. */
  out: z.string().min(1).optional(),
});
export type ExportArgs = z.infer<typeof exportArgsSchema>;

/** `--name value` pairs to an object; anything else is refused. */
export function parseArgs(argv: readonly string[]): ExportArgs {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (!/^--[a-z]+$/.test(flag) || value === undefined)
      throw new Error(
        `usage: --format genai-prices|litellm|models-dev|csv [--at DAY|TIME] [--out FILE] (at ${flag})`,
      );
    raw[flag.slice(2)] = value;
  }
  return exportArgsSchema.strict().parse(raw);
}
