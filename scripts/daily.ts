// The main job: one full daily cycle on the local stack. Starts the scraper, normalizer and sink as
// their own processes, then:
// - live (OpenRouter reachable, or OPENROUTER_BASE_URL given and reachable): kicks discovery (what the
//   CronJob runs), a run stamped now;
// - offline (not reachable, or `--offline`), said loudly: loads the bundled sample catalog
//   (fixtures/sample-catalog) through the backfill command, each day with its real date, so the
//   history it leaves is the sample's (2026-08-01, then 2026-08-19 where real prices changed), not
//   two runs of today;
// then, offline, reads the official provider pricing pages: the recorded captures in
// ../shared/data/pricing_pages (the project does not ship them) served by a local fixture server, one
// pages-only run of the scraper's `pages` command over the sample's latest day (observed now);
// then waits until the sink has written everything and prints a summary from the database.
// TOPIC_PREFIX (the services' own variable) runs it on topics of its own; KAFKA_BROKERS and
// DATABASE_URL override the stack's addresses (.stack/env); SCRAPE_PROVIDER_SITES=false skips the
// official pricing pages of a live run.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  sampleCatalog,
  sharedDataDir,
  startFixtureServer,
  writeSampleArchive,
  type FixtureServer,
} from '@llmpt/fixture-server';
import { loadProvidersConfig } from '@llmpt/scraper';
import {
  groupIds,
  repoRoot,
  runDiscoveryJob,
  stackEnv,
  startService,
  waitForDrain,
  type PipelineSettings,
  type ServiceProcess,
} from '@llmpt/testkit';
import { createKafka } from '@llmpt/runtime/kafka';
import { PLAINTEXT_SECURITY } from '@llmpt/runtime';
import {
  backfillOutcomeOf,
  formatLiveSummary,
  formatSampleSummary,
  type ChangeCounts,
  type LiveFigures,
  type PagesFigures,
  type SampleSummary,
  type TopMove,
} from './daily-summary.ts';
import { verifyOffline } from './daily-verify.ts';

type Row = Record<string, string>;

const TOP_MOVES = `select model_id, coalesce(provider, '-') provider, source_type, c->>'dimension' dimension,
        coalesce(c->>'tier', 'base') tier, c->>'previous' previous, c->>'current' current,
        (c->>'relative_change')::numeric::text rc
   from price_changes, jsonb_array_elements(changes) c
  where %WHERE% and kind in ('changed', 'returned') and c->>'relative_change' is not null
  order by abs((c->>'relative_change')::numeric) desc, model_id limit 10`;

const CHANGE_COUNTS = `select count(*)::text n, count(*) filter (where kind = 'new')::text as new,
        count(*) filter (where kind = 'changed')::text changed, count(*) filter (where kind = 'removed')::text removed,
        count(*) filter (where kind = 'returned')::text returned, count(*) filter (where kind = 'expiring')::text expiring,
        count(*) filter (where alert)::text alerts
   from price_changes where %WHERE%`;

const USAGE = 'usage: npm run daily [-- --offline]';
const args = process.argv.slice(2);
if (args.some((a) => a !== '--offline')) {
  console.error(USAGE);
  process.exit(2);
}
const started = Date.now();
const env = stackEnv();
const prefix = process.env.TOPIC_PREFIX ?? '';
const openRouter = process.env.OPENROUTER_BASE_URL ?? 'https://openrouter.ai';
const live = !args.includes('--offline') && (await openRouterReachable(openRouter));
if (!live) {
  console.log(
    args.includes('--offline')
      ? '!! --offline: running on the bundled sample catalog'
      : '!! OpenRouter is not reachable from this machine: running OFFLINE on the bundled sample catalog',
  );
  console.log(
    '!! (fixtures/sample-catalog: real published prices of two recorded days, loaded by the backfill command with their real dates)',
  );
}

const settings: PipelineSettings = {
  kafkaBrokers: env.kafkaBrokers.join(','),
  databaseUrl: env.databaseUrl,
  store: 'postgres',
  topicPrefix: prefix,
  // Offline every event is backfilled: the scraper fetches nothing, this address is never called.
  openRouterBaseUrl: openRouter,
  // Provider pages are fetched live in production; offline they are not available to fetch.
  // SCRAPE_PROVIDER_SITES=false (the scraper's own variable) leaves them out of a live run too.
  scrapeProviderSites: live && process.env.SCRAPE_PROVIDER_SITES !== 'false',
  logDir: path.join(repoRoot, '.stack', 'logs', prefix ? `daily-${prefix.replace(/\.+$/, '')}` : 'daily'),
};
const services: ServiceProcess[] = (['scraper', 'normalizer', 'sink'] as const).map((n) =>
  startService(n, settings),
);
// The local stack's plaintext listener, as the services this script starts (their env has no TLS/SASL).
const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'daily-run', security: PLAINTEXT_SECURITY });
let exitCode = 0;
try {
  if (live) {
    const runId = 'daily-live';
    const res = await runDiscoveryJob(settings, runId);
    process.stdout.write(res.stdout);
    if (res.code !== 0)
      throw new Error(`discovery exited with ${res.code}: ${res.stderr.trim().split('\n').pop()}`);
    await waitForDrain(kafka, prefix, { services, timeoutMs: 600_000 });
    console.log(formatLiveSummary(await liveFigures(started), runId, Date.now() - started));
  } else {
    const summary = await loadSample();
    const pages = await readProviderPages(summary.days[summary.days.length - 1]!);
    console.log(formatSampleSummary({ ...summary, pages }, Date.now() - started));
    // The verifier, answered by recorded chat completions (scripts/daily-verify.ts).
    const drain = async () => void (await waitForDrain(kafka, prefix, { services, timeoutMs: 120_000 }));
    for (const line of await verifyOffline({ kafka, prefix, databaseUrl: env.databaseUrl, drain }))
      console.log(line);
  }
  console.log(
    `  data left in ${env.databaseUrl.replace(/:[^:@/]+@/, ':***@')} (tables models_catalog, price_observations, price_changes; view model_pricing_daily)`,
  );
  // The explorer reads the same database through the API (README "The explorer").
  console.log('  explore it: npm run serve, then open http://127.0.0.1:8080/explorer/');
} catch (err) {
  console.error(`daily run failed: ${(err as Error).message} (service logs in ${settings.logDir})`);
  exitCode = 1;
} finally {
  await Promise.all(services.map((s) => s.stop()));
}
process.exit(exitCode);

/**
 * The sample's days as a dated archive, published by the backfill command (its own process, the
 * same code as `npm run backfill`), which waits for the scraper and normalizer after each day; then
 * waits for the sink and reads the summary's figures.
 */
async function loadSample(): Promise<SampleSummary> {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmpt-sample-'));
  try {
    const archive = writeSampleArchive(dir);
    const groups = groupIds(prefix);
    const res = await runStreaming(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join('services', 'discovery', 'src', 'cli', 'backfill.ts'),
        dir,
        '--scraper-group',
        groups.scraper,
        '--normalizer-group',
        groups.normalizer,
      ],
      { KAFKA_BROKERS: settings.kafkaBrokers, TOPIC_PREFIX: prefix, LOG_LEVEL: 'warn' },
    );
    if (res.code !== 0) throw new Error(`the backfill command exited with ${res.code}`);
    await waitForDrain(kafka, prefix, { services, timeoutMs: 600_000 });
    const days = archive.days.map((d) => d.date);
    return { days, backfill: backfillOutcomeOf(res.stdout), ...(await sampleFigures(days)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The official provider pricing pages, offline: every enabled page of configs/providers.yml whose
 * recorded capture is in ../shared/data/pricing_pages, served at its own path by a local fixture server
 * (the path withBaseUrl gives it), read once by the scraper's `pages` command for the models of the
 * sample's latest day (host pages matched against that day's endpoints), stamped now. null when the
 * captures are not on this machine (the project does not ship them).
 */
async function readProviderPages(lastDay: string): Promise<PagesFigures | null> {
  const capturesDir = path.join(sharedDataDir, 'pricing_pages');
  if (!existsSync(capturesDir)) return null;
  const pages: Record<string, { path: string; contentType: string }> = {};
  for (const p of loadProvidersConfig(path.join(repoRoot, 'configs', 'providers.yml')).providers) {
    const [file, format] = (p.capture ?? '').split(' ');
    if (!p.enabled || !file || !existsSync(path.join(capturesDir, file))) continue;
    const u = new URL(p.url);
    pages[`/${u.hostname}${u.pathname}`] = {
      path: path.join(capturesDir, file),
      contentType: format?.startsWith('(html') ? 'text/html; charset=utf-8' : 'text/markdown; charset=utf-8',
    };
  }
  const catalog = sampleCatalog();
  const day = catalog.models.length - 1;
  const server: FixtureServer = await startFixtureServer({ models: catalog.models[day]!, pages });
  try {
    const res = await runStreaming(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join('services', 'scraper', 'src', 'cli', 'pages.ts'),
        catalog.models[day]!,
        '--endpoints',
        catalog.endpoints[day]!,
        // One run id per sample day: a second daily run republishes the same observation ids.
        '--run-id',
        `daily-pages-${lastDay}`,
      ],
      {
        KAFKA_BROKERS: settings.kafkaBrokers,
        TOPIC_PREFIX: prefix,
        PROVIDER_PAGES_BASE_URL: server.url,
        ALLOW_PRIVATE_ADDRESSES: 'true',
        LOG_LEVEL: 'warn',
      },
    );
    if (res.code !== 0) throw new Error(`the pages command exited with ${res.code}`);
  } finally {
    await server.close();
  }
  await waitForDrain(kafka, prefix, { services, timeoutMs: 600_000 });
  const rows = await withDb(
    async (db) =>
      (
        await db.query(
          `select provider, count(*) filter (where status = 'ok')::text ok,
                  count(*) filter (where status <> 'ok')::text unavailable
             from price_observations where source_type = 'provider_site' and run_id = $1
            group by provider order by provider`,
          [`daily-pages-${lastDay}`],
        )
      ).rows as Row[],
  );
  return {
    servedFrom: path.relative(repoRoot, capturesDir),
    perProvider: rows.map((r) => ({ provider: r.provider!, ok: r.ok!, unavailable: r.unavailable! })),
  };
}

/** Runs a command from the repository root, its output shown as it comes and kept. */
function runStreaming(
  command: string,
  argv: readonly string[],
  vars: Record<string, string>,
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...vars },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      process.stdout.write(d);
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout }));
  });
}

async function openRouterReachable(base: string): Promise<boolean> {
  try {
    const res = await fetch(new URL('/api/v1/models', base), { signal: AbortSignal.timeout(4000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

async function withDb<T>(fn: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: env.databaseUrl });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

/** What the live run wrote: rows inserted since it started. */
function liveFigures(t0: number): Promise<LiveFigures> {
  const since = [new Date(t0)];
  return withDb(async (db) => {
    const one = async (sql: string, params: unknown[] = since) =>
      (await db.query(sql, params)).rows[0] as Row;
    return {
      models: (await one('select count(*)::text n from models_catalog', [])).n!,
      newModels: (await one('select count(*)::text n from models_catalog where first_seen_at >= $1')).n!,
      observations: (await one('select count(*)::text n from price_observations where inserted_at >= $1')).n!,
      changes: changeCounts(await one(CHANGE_COUNTS.replace('%WHERE%', 'inserted_at >= $1'))),
      top: topMoves((await db.query(TOP_MOVES.replace('%WHERE%', 'inserted_at >= $1'), since)).rows as Row[]),
    };
  });
}

/**
 * The sample's days as the database holds them (whichever run wrote them): per day, the
 * observations of the backfill runs of that day (run id `backfill-<day>T...`); the changes between
 * the first and the last day (their snapshot day after the first, up to the last); what this run
 * wrote.
 */
function sampleFigures(days: readonly string[]): Promise<Omit<SampleSummary, 'days' | 'backfill'>> {
  const first = days[0]!;
  const last = days[days.length - 1]!;
  const between = 'snapshot_date > $1::date and snapshot_date <= $2::date';
  return withDb(async (db) => {
    const perDay = (
      await db.query(
        `select d::text as day, count(distinct o.model_id)::text models,
                count(o.event_id) filter (where o.source_type = 'openrouter_api')::text routed,
                count(o.event_id) filter (where o.source_type = 'openrouter_endpoints')::text per_provider
           from unnest($1::date[]) d
           left join price_observations o on o.run_id like 'backfill-' || d::text || 'T%'
          group by d order by d`,
        [days],
      )
    ).rows as Row[];
    const since = [new Date(started)];
    const one = async (sql: string, params: unknown[]) => (await db.query(sql, params)).rows[0] as Row;
    return {
      models: (await one('select count(*)::text n from models_catalog', [])).n!,
      perDay: perDay.map((r) => ({
        day: r.day!,
        models: r.models!,
        routed: r.routed!,
        perProvider: r.per_provider!,
      })),
      changes: changeCounts(await one(CHANGE_COUNTS.replace('%WHERE%', between), [first, last])),
      top: topMoves((await db.query(TOP_MOVES.replace('%WHERE%', between), [first, last])).rows as Row[]),
      written: {
        observations: (
          await one('select count(*)::text n from price_observations where inserted_at >= $1', since)
        ).n!,
        changes: (await one('select count(*)::text n from price_changes where inserted_at >= $1', since)).n!,
      },
    };
  });
}

function changeCounts(r: Row): ChangeCounts {
  return {
    total: r.n!,
    new: r.new!,
    changed: r.changed!,
    removed: r.removed!,
    returned: r.returned!,
    expiring: r.expiring!,
    alerts: r.alerts!,
  };
}

function topMoves(rows: readonly Row[]): TopMove[] {
  return rows.map((r) => ({
    modelId: r.model_id!,
    provider: r.provider!,
    sourceType: r.source_type!,
    dimension: r.dimension!,
    tier: r.tier!,
    previous: r.previous!,
    current: r.current!,
    relativeChange: r.rc!,
  }));
}
