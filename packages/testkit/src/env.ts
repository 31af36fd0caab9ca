import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@llmpt/core';
import { stackDir } from './paths.ts';

/**
 * KEY=VALUE lines of $STACK_DIR/env (merged by scripts/stack.sh) over $STACK_DIR/env.d/*.env (written by
 * each component script, so a component started on its own is found too). {} when there is none.
 */
export function readStackEnvFile(dir = stackDir()): Record<string, string> {
  const envD = path.join(dir, 'env.d');
  const parts = existsSync(envD)
    ? readdirSync(envD)
        .filter((f) => f.endsWith('.env'))
        .sort()
        .map((f) => path.join(envD, f))
    : [];
  return Object.assign({}, ...[...parts, path.join(dir, 'env')].map(parseEnvFile)) as Record<string, string>;
}

function parseEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2].trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

export interface StackEnv {
  readonly kafkaBrokers: string[];
  readonly databaseUrl: string;
  readonly supabaseUrl: string;
  readonly supabaseServiceRoleKey: string;
  readonly supabaseAnonKey: string;
  /** Every variable, file merged under process.env. */
  readonly vars: Readonly<Record<string, string>>;
}

function required(vars: Record<string, string>, name: string): string {
  const v = vars[name];
  if (!v)
    throw new ConfigError(
      `${name} is not set: run \`bash scripts/stack.sh up\` (it writes ${path.join(stackDir(), 'env')}) or export ${name}`,
    );
  return v;
}

/**
 * The local stack's addresses: $STACK_DIR/env merged under process.env (process.env wins). A field
 * throws when read if its variable is missing, so a Kafka-only test runs without Postgres.
 */
export function stackEnv(): StackEnv {
  const vars: Record<string, string> = { ...readStackEnvFile() };
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && v !== '') vars[k] = v;
  return Object.freeze({
    get kafkaBrokers() {
      return required(vars, 'KAFKA_BROKERS')
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean);
    },
    get databaseUrl() {
      return required(vars, 'DATABASE_URL');
    },
    get supabaseUrl() {
      return required(vars, 'SUPABASE_URL');
    },
    get supabaseServiceRoleKey() {
      return required(vars, 'SUPABASE_SERVICE_ROLE_KEY');
    },
    get supabaseAnonKey() {
      return required(vars, 'SUPABASE_ANON_KEY');
    },
    vars: Object.freeze(vars),
  });
}
