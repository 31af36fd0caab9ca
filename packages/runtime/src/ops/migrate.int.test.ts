// The migrations and their runner against the real PostgreSQL 15 of the local stack, in a database
// of this file's own (created here, dropped at the end) so other test files are not disturbed.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@llmpt/core/paths';
import { migrate, MigrationError } from './migrate.ts';

const migrationsDir = path.join(repoRoot, 'migrations');
const PG_BIN = '/usr/lib/postgresql/15/bin';

function stackDatabaseUrl(): string {
  if (process.env['DATABASE_URL']) return process.env['DATABASE_URL'];
  const file = path.join(process.env['STACK_DIR'] ?? path.join(repoRoot, '.stack'), 'env.d', 'postgres.env');
  const line = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .find((l) => l.startsWith('DATABASE_URL='))
    : undefined;
  if (!line) throw new Error('DATABASE_URL unset and no .stack/env.d/postgres.env: run scripts/stack.sh up');
  return line.slice('DATABASE_URL='.length);
}

const adminUrl = stackDatabaseUrl();
const suffix = randomBytes(4).toString('hex');
/** Built by the runner; the history tests below use it. */
const dbName = `llmpt_migrate_${suffix}`;
/** Built by hand with psql, file by file. */
const handDbName = `llmpt_migrate_hand_${suffix}`;
const urlOf = (name: string): string => {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
};
const dbUrl = urlOf(dbName);
const handDbUrl = urlOf(handDbName);

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const migrationFiles = async (): Promise<string[]> =>
  (await import('node:fs/promises')).readdir(migrationsDir).then((names) =>
    names
      .filter((n) => n.endsWith('.sql'))
      .sort()
      .map((n) => path.join(migrationsDir, n)),
  );

/** Applies one file with psql, as a person would by hand, outside the runner's bookkeeping. */
function applyByHand(url: string, file: string): void {
  execFileSync('psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', file], { stdio: 'pipe' });
}

/** The schema as pg_dump prints it. */
function schemaDump(url: string): string {
  const dump = execFileSync(
    path.join(PG_BIN, 'pg_dump'),
    ['--schema-only', '--exclude-table=public.schema_migrations', url],
    { encoding: 'utf8' },
  );
  // The header and the random \restrict key belong to the pg_dump run, not to the schema.
  return dump.replace(/^(-- Dumped (from|by)|\\(un)?restrict ).*$/gm, '');
}

/** The schema plus object identities (a re-created object gets a new oid). */
async function snapshot(url = dbUrl): Promise<string> {
  const dump = schemaDump(url);
  const identities = await withClient(url, async (c) => {
    const { rows } = await c.query(`
      select 'rel' as kind, c.oid::bigint as oid, c.relname as name from pg_class c
        where c.relnamespace = 'public'::regnamespace and c.relname not like 'schema_migrations%'
      union all select 'policy', p.oid::bigint, p.polname from pg_policy p
      union all select 'trigger', t.oid::bigint, t.tgname from pg_trigger t where not t.tgisinternal
      union all select 'function', p.oid::bigint, p.proname from pg_proc p
        where p.pronamespace = 'public'::regnamespace
      union all select 'role', r.oid::bigint,
        concat_ws(',', r.rolname, r.rolinherit, r.rolcanlogin, r.rolbypassrls) from pg_roles r
        where r.rolname in ('anon', 'authenticated', 'service_role', 'authenticator')
      union all select 'member', m.roleid::bigint, m.member::regrole::text from pg_auth_members m
        where m.member = 'authenticator'::regrole
      order by 1, 3`);
    return JSON.stringify(rows);
  });
  return `${dump}\n${identities}`;
}

const observation = (eventId: string, over: Record<string, string | null> = {}) => ({
  event_id: eventId,
  run_id: 'run-1',
  caused_by: null,
  price_key: 'openai/gpt-4o|OpenAI|openrouter_endpoints',
  model_id: 'openai/gpt-4o',
  provider: 'OpenAI',
  source_type: 'openrouter_endpoints',
  source_url: 'https://openrouter.ai/api/v1/models/openai/gpt-4o/endpoints',
  snapshot_date: '2026-05-07',
  observed_at: '2026-05-07T10:00:00Z',
  status: 'ok',
  prompt: '2.50000000',
  completion: '10.00000000',
  ...over,
});

async function insertObservation(c: pg.Client, o: ReturnType<typeof observation>): Promise<number> {
  const res = await c.query(
    `insert into price_observations (event_id, run_id, caused_by, price_key, model_id, provider,
       source_type, source_url, snapshot_date, observed_at, status, prompt, completion)
     values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) on conflict (event_id) do nothing`,
    [
      o.event_id,
      o.run_id,
      o.caused_by,
      o.price_key,
      o.model_id,
      o.provider,
      o.source_type,
      o.source_url,
      o.snapshot_date,
      o.observed_at,
      o.status,
      o.prompt,
      o.completion,
    ],
  );
  return res.rowCount ?? 0;
}

let tmp = '';

beforeAll(async () => {
  await withClient(adminUrl, async (c) => {
    await c.query(`create database ${dbName}`);
    await c.query(`create database ${handDbName}`);
  });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'llmpt-migrations-'));
});

afterAll(async () => {
  await withClient(adminUrl, async (c) => {
    await c.query(`drop database if exists ${dbName} with (force)`);
    await c.query(`drop database if exists ${handDbName} with (force)`);
  });
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('migration files', () => {
  // Each file is proven a no-op on the schema it made. Not the whole folder again over the finished
  // schema: a later file that grows a view or a function's row type (0010 does both) makes an earlier
  // file's re-run fail, since Postgres cannot drop a view's columns nor return fewer columns than the
  // type. The runner never re-runs a file, so that is no loss.
  it('each applies twice in a row by hand (psql): no error, and the second run changes nothing', async () => {
    for (const file of await migrationFiles()) {
      applyByHand(handDbUrl, file);
      const first = await snapshot(handDbUrl);
      applyByHand(handDbUrl, file);
      expect(await snapshot(handDbUrl), path.basename(file)).toBe(first);
    }
    const dump = schemaDump(handDbUrl);
    expect(dump).toContain('CREATE TABLE public.price_observations');
    expect(dump).toContain('CREATE VIEW public.model_pricing_daily');
  });
});

describe('migrate()', () => {
  it('applies every file in order, then skips them all; the schema is the one built by hand', async () => {
    const names = (await migrationFiles()).map((f) => path.basename(f));
    const first = await migrate({ databaseUrl: dbUrl, dir: migrationsDir });
    expect(first).toEqual({ applied: names, skipped: [] });
    const before = await snapshot();
    const second = await migrate({ databaseUrl: dbUrl, dir: migrationsDir });
    expect(second).toEqual({ applied: [], skipped: names });
    expect(await snapshot()).toBe(before);
    expect(schemaDump(dbUrl)).toBe(schemaDump(handDbUrl));
    const recorded = await withClient(dbUrl, (c) =>
      c.query<{ name: string; checksum: string }>(
        'select name, checksum from schema_migrations order by name',
      ),
    );
    expect(recorded.rows.map((r) => r.name)).toEqual(names);
    expect(recorded.rows[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses to run when an applied file was edited', async () => {
    const dir = path.join(tmp, 'edited');
    await cp(migrationsDir, dir, { recursive: true });
    const edited = path.join(dir, '0002-catalog-projections.sql');
    await writeFile(edited, `${await readFile(edited, 'utf8')}\n-- edited after the fact\n`);
    const err = await migrate({ databaseUrl: dbUrl, dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).code).toBe('MIGRATION_CHECKSUM_MISMATCH');
    expect((err as MigrationError).message).toContain('0002-catalog-projections.sql');
  });

  it('rolls back a failing file and records nothing for it', async () => {
    const dir = path.join(tmp, 'broken');
    await cp(migrationsDir, dir, { recursive: true });
    await writeFile(
      path.join(dir, '9998-fine.sql'),
      'create table if not exists public.fine_table (id int);\n',
    );
    await writeFile(
      path.join(dir, '9999-broken.sql'),
      'create table public.half_done (id int);\nselect 1 / 0;\n',
    );
    const err = await migrate({ databaseUrl: dbUrl, dir }).catch((e: unknown) => e);
    expect((err as MigrationError).code).toBe('MIGRATION_FAILED');
    expect((err as MigrationError).message).toMatch(/9999-broken\.sql.*division by zero/);
    const state = await withClient(dbUrl, async (c) => ({
      tables: (
        await c.query<{ t: string }>(
          `select relname as t from pg_class where relname in ('fine_table', 'half_done') order by 1`,
        )
      ).rows.map((r) => r.t),
      recorded: (
        await c.query<{ name: string }>(
          `select name from schema_migrations where name like '999%' order by 1`,
        )
      ).rows.map((r) => r.name),
    }));
    expect(state).toEqual({ tables: ['fine_table'], recorded: ['9998-fine.sql'] });
    await withClient(dbUrl, async (c) => {
      await c.query('drop table public.fine_table');
      await c.query(`delete from schema_migrations where name = '9998-fine.sql'`);
    });
  });

  it('lets concurrent runners apply each file once (advisory lock)', async () => {
    const dir = path.join(tmp, 'concurrent');
    await cp(migrationsDir, dir, { recursive: true });
    // Not idempotent on purpose: a second application would fail.
    await writeFile(path.join(dir, '9997-once.sql'), 'create table public.applied_once (id int);\n');
    const results = await Promise.all([1, 2, 3].map(() => migrate({ databaseUrl: dbUrl, dir })));
    expect(results.flatMap((r) => r.applied)).toEqual(['9997-once.sql']);
    await withClient(dbUrl, async (c) => {
      await c.query('drop table public.applied_once');
      await c.query(`delete from schema_migrations where name = '9997-once.sql'`);
    });
  });
});

describe('append-only history', () => {
  it('accepts inserts and ignores a replayed event id (ON CONFLICT DO NOTHING)', async () => {
    await withClient(dbUrl, async (c) => {
      expect(await insertObservation(c, observation('ev-1'))).toBe(1);
      expect(await insertObservation(c, observation('ev-1', { prompt: '9.00000000' }))).toBe(0);
      const { rows } = await c.query<{ prompt: string }>(
        `select prompt::text as prompt from price_observations where event_id = 'ev-1'`,
      );
      expect(rows).toEqual([{ prompt: '2.50000000' }]);
    });
  });

  const forbidden = [
    `update price_observations set prompt = 0 where event_id = 'ev-1'`,
    // migrations/0017: a row guard (only an earlier sighting may move); a later sighting is refused.
    `update price_observations set observed_at = observed_at + interval '1 hour' where event_id = 'ev-1'`,
    `delete from price_observations where event_id = 'ev-1'`,
    `truncate price_observations`,
    `update price_changes set alert = true`,
    `delete from price_changes`,
    `truncate price_changes`,
    `insert into price_observations (event_id, run_id, price_key, model_id, source_type, source_url,
       snapshot_date, observed_at, status) values ('ev-1', 'r', 'k', 'm', 's', 'u', '2026-05-07', now(), 'ok')
     on conflict (event_id) do update set prompt = 0`,
  ];

  it.each(forbidden)('rejects for the superuser, the sink writer: %s', async (sql) => {
    await withClient(dbUrl, async (c) => {
      await expect(c.query(sql)).rejects.toThrow(/append-only/);
    });
  });

  it.each(forbidden)('rejects for service_role: %s', async (sql) => {
    await withClient(dbUrl, async (c) => {
      await c.query('set role service_role');
      await expect(c.query(sql)).rejects.toThrow(/append-only|permission denied/);
    });
  });

  it('keeps the row intact after all those attempts', async () => {
    const { rows } = await withClient(dbUrl, (c) =>
      c.query<{ n: string; prompt: string }>(
        `select count(*)::text as n, max(prompt)::text as prompt from price_observations`,
      ),
    );
    expect(rows).toEqual([{ n: '1', prompt: '2.50000000' }]);
  });
});

describe('model_pricing_daily', () => {
  it('holds the latest observation per model, provider, source and day', async () => {
    await withClient(dbUrl, async (c) => {
      await insertObservation(
        c,
        observation('ev-2', { observed_at: '2026-05-07T18:00:00Z', prompt: '2.00000000' }),
      );
      await insertObservation(
        c,
        observation('ev-3', { observed_at: '2026-05-07T06:00:00Z', prompt: '3.00000000' }),
      );
      await insertObservation(
        c,
        observation('ev-4', {
          snapshot_date: '2026-05-08',
          observed_at: '2026-05-08T01:00:00Z',
          prompt: '1.25000000',
        }),
      );
      await insertObservation(
        c,
        observation('ev-5', {
          provider: null,
          source_type: 'openrouter_api',
          price_key: 'openai/gpt-4o||openrouter_api',
        }),
      );
      const { rows } = await c.query(
        `select event_id, provider, source_type, snapshot_date::text as day, prompt::text as prompt
           from model_pricing_daily order by day, source_type`,
      );
      expect(rows).toEqual([
        {
          event_id: 'ev-5',
          provider: null,
          source_type: 'openrouter_api',
          day: '2026-05-07',
          prompt: '2.50000000',
        },
        {
          event_id: 'ev-2',
          provider: 'OpenAI',
          source_type: 'openrouter_endpoints',
          day: '2026-05-07',
          prompt: '2.00000000',
        },
        {
          event_id: 'ev-4',
          provider: 'OpenAI',
          source_type: 'openrouter_endpoints',
          day: '2026-05-08',
          prompt: '1.25000000',
        },
      ]);
    });
  });

  it('stores numeric(18,8) exactly', async () => {
    await withClient(dbUrl, async (c) => {
      await insertObservation(
        c,
        observation('ev-6', { prompt: '0.00000375', completion: '123456789.12345678' }),
      );
      const { rows } = await c.query(
        `select prompt::text as prompt, completion::text as completion from price_observations where event_id = 'ev-6'`,
      );
      expect(rows).toEqual([{ prompt: '0.00000375', completion: '123456789.12345678' }]);
    });
  });
});
