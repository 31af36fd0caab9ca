import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { PipelineError } from '../core/errors.ts';

/** Structural subset of a pino logger, so callers pass theirs and tests pass nothing. */
export interface MigrateLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface MigrateOptions {
  /** Connection string of a role that may create roles, tables and policies (postgres locally). */
  readonly databaseUrl: string;
  /** Folder holding `NNNN-kebab-name.sql` files. */
  readonly dir: string;
  readonly logger?: MigrateLogger;
}

export interface MigrateResult {
  /** Files applied by this call, in order. */
  readonly applied: string[];
  /** Files already applied before (same checksum). */
  readonly skipped: string[];
}

export type MigrationErrorCode = 'MIGRATION_BAD_NAME' | 'MIGRATION_CHECKSUM_MISMATCH' | 'MIGRATION_FAILED';

/** A migration problem is fixed by a person, never by retrying. */
export class MigrationError extends PipelineError {
  declare readonly code: MigrationErrorCode;
  constructor(code: MigrationErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { retriable: false, cause: options.cause });
  }
}

export interface MigrationFile {
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

const FILE_NAME = /^\d{4}-[a-z0-9]+(?:-[a-z0-9]+)*\.sql$/;
/** Any constant works as long as every runner uses the same one; this spells "llmpt mi". */
const LOCK_KEY = '7813883738467693929';

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The migration files of `dir` in apply order. Other files (tests, notes) are ignored. */
export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort();
  const bad = names.filter((n) => !FILE_NAME.test(n));
  if (bad.length > 0) {
    throw new MigrationError(
      'MIGRATION_BAD_NAME',
      `migration file names must look like 0001-kebab-name.sql: ${bad.join(', ')} in ${dir}`,
    );
  }
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name), 'utf8');
      return { name, sql, checksum: sha256(sql) };
    }),
  );
}

/** Which files still need applying; throws when an applied file was edited afterwards. */
export function planMigrations(
  files: readonly MigrationFile[],
  applied: ReadonlyMap<string, string>,
): { toApply: MigrationFile[]; skipped: string[] } {
  const changed = files.filter((f) => applied.has(f.name) && applied.get(f.name) !== f.checksum);
  if (changed.length > 0) {
    throw new MigrationError(
      'MIGRATION_CHECKSUM_MISMATCH',
      `applied migrations were edited since: ${changed.map((f) => f.name).join(', ')}. ` +
        'Migrations are append-only: restore the file and add a new migration for the change.',
    );
  }
  return {
    toApply: files.filter((f) => !applied.has(f.name)),
    skipped: files.filter((f) => applied.has(f.name)).map((f) => f.name),
  };
}

/**
 * Applies the pending migrations of `dir` in name order, each in its own transaction, under an
 * advisory lock so concurrent runners (several pods, parallel tests) apply each file once.
 * Ends with a PostgREST schema cache reload.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const { databaseUrl, dir, logger } = options;
  const files = await readMigrations(dir);
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'llmpt-migrate' });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1::bigint)', [LOCK_KEY]);
    await ensureBookkeeping(client);
    const rows = await client.query<{ name: string; checksum: string }>(
      'select name, checksum from public.schema_migrations',
    );
    const { toApply, skipped } = planMigrations(files, new Map(rows.rows.map((r) => [r.name, r.checksum])));
    const applied: string[] = [];
    for (const file of toApply) {
      await applyOne(client, file);
      applied.push(file.name);
      logger?.info({ migration: file.name }, 'migration applied');
    }
    // PostgREST caches the schema; tell it to look again (a no-op when nothing listens).
    await client.query(`notify pgrst, 'reload schema'`);
    logger?.info({ applied: applied.length, skipped: skipped.length }, 'migrations done');
    return { applied, skipped };
  } finally {
    await client.query('select pg_advisory_unlock($1::bigint)', [LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

async function ensureBookkeeping(client: pg.Client): Promise<void> {
  // RLS on with no policy: on Supabase the API roles get default grants on public tables, and this
  // table is nobody's business but the runner's.
  await client.query(`
    create table if not exists public.schema_migrations (
      name text primary key,
      checksum text not null,
      applied_at timestamptz not null default now()
    );
    alter table public.schema_migrations enable row level security;
  `);
  await client.query(`
    do $$
    begin
      if exists (select from pg_catalog.pg_roles where rolname = 'anon') then
        revoke all on public.schema_migrations from anon, authenticated, service_role;
      end if;
    end
    $$;
  `);
}

async function applyOne(client: pg.Client, file: MigrationFile): Promise<void> {
  try {
    await client.query('begin');
    await client.query(file.sql);
    await client.query('insert into public.schema_migrations (name, checksum) values ($1, $2)', [
      file.name,
      file.checksum,
    ]);
    await client.query('commit');
  } catch (cause) {
    await client.query('rollback').catch(() => undefined);
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new MigrationError('MIGRATION_FAILED', `migration ${file.name} failed: ${detail}`, {
      cause,
    });
  }
}
