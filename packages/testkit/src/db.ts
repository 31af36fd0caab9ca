// Databases for tests and benchmarks on the stack's Postgres: one fresh, migrated database per suite.
import path from 'node:path';
import pg from 'pg';
import { migrate } from '@llmpt/runtime/ops';
import { stackEnv } from './env.ts';
import { repoRoot } from './paths.ts';

/** The same connection string pointing at another database of the server. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs `fn` with a connected client, and always disconnects it. */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface FreshDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** A new database on the stack's Postgres with every migration applied; `drop()` removes it. */
export async function freshDatabase(
  label: string,
  opts: { readonly namePrefix?: string } = {},
): Promise<FreshDatabase> {
  const admin = withDatabase(stackEnv().databaseUrl, 'postgres');
  const name = `${opts.namePrefix ?? 'llmpt_e2e'}_${label.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}_${Date.now().toString(36)}_${process.pid}`;
  await withClient(admin, (c) => c.query(`create database ${name}`));
  const url = withDatabase(stackEnv().databaseUrl, name);
  await migrate({ databaseUrl: url, dir: path.join(repoRoot, 'migrations') });
  return {
    name,
    url,
    drop: () =>
      withClient(admin, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}
