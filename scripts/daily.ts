// The main job: one full daily cycle on the local stack. Starts the scraper, normalizer and sink as
// their own processes, kicks discovery (what the CronJob runs), waits until the sink has written
// everything, then prints a summary from the database. Live against OpenRouter when it is reachable
// (or OPENROUTER_BASE_URL is given); otherwise, said loudly, on the project's offline sample catalog
// (fixtures/sample-catalog: day 1, then day 2 where real prices changed) served locally.
import path from 'node:path';
import pg from 'pg';
import { startFixtureServer, sampleCatalog, type FixtureServer } from '@llmpt/fixture-server';
import {
  repoRoot,
  runDiscoveryJob,
  stackEnv,
  startService,
  waitForDrain,
  type PipelineSettings,
  type ServiceProcess,
} from '@llmpt/testkit';
import { createKafka } from '@llmpt/runtime/kafka';

const started = Date.now();
const env = stackEnv();
const live = await openRouterReachable(process.env.OPENROUTER_BASE_URL ?? 'https://openrouter.ai');
let server: FixtureServer | undefined;
const days: { label: string; baseUrl: string; setDay?: () => void }[] = [];

if (live) {
  days.push({ label: 'live', baseUrl: process.env.OPENROUTER_BASE_URL ?? 'https://openrouter.ai' });
} else {
  console.log(
    '!! OpenRouter is not reachable from this machine: running OFFLINE on the bundled sample catalog',
  );
  console.log(
    '!! (fixtures/sample-catalog: real published prices of two recorded days, served on 127.0.0.1)',
  );
  server = await startFixtureServer(sampleCatalog());
  const s = server;
  const dates = ['2026-08-01', '2026-08-19'];
  for (let i = 0; i < s.dayCount; i++) {
    days.push({ label: dates[i] ?? `day${i + 1}`, baseUrl: s.url, setDay: () => s.setDay(i) });
  }
}

const settings: PipelineSettings = {
  kafkaBrokers: env.kafkaBrokers.join(','),
  databaseUrl: env.databaseUrl,
  store: 'postgres',
  topicPrefix: '',
  openRouterBaseUrl: days[0]!.baseUrl,
  // Provider pages are fetched live in production; offline they are not available to fetch.
  scrapeProviderSites: live,
  logDir: path.join(repoRoot, '.stack', 'logs', 'daily'),
};
const services: ServiceProcess[] = (['scraper', 'normalizer', 'sink'] as const).map((n) =>
  startService(n, settings),
);
const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'daily-run' });
const runIds: string[] = [];
let exitCode = 0;
try {
  for (const [i, day] of days.entries()) {
    const runId = `daily-${day.label}`;
    // Offline days replay recorded dates: an earlier day already loaded is not fetched again, or its
    // older prices would look like a change back (observations are stamped with the time of fetch).
    if (!live && i < days.length - 1 && (await runAlreadyLoaded(env.databaseUrl, runId))) {
      console.log(`${runId}: already loaded, skipped`);
      continue;
    }
    day.setDay?.();
    const res = await runDiscoveryJob({ ...settings, openRouterBaseUrl: day.baseUrl }, runId);
    process.stdout.write(res.stdout);
    if (res.code !== 0)
      throw new Error(`discovery exited with ${res.code}: ${res.stderr.trim().split('\n').pop()}`);
    await waitForDrain(kafka, settings.topicPrefix, { services, timeoutMs: 600_000 });
    runIds.push(runId);
  }
  await printSummary(env.databaseUrl, runIds, started);
} catch (err) {
  console.error(`daily run failed: ${(err as Error).message} (service logs in ${settings.logDir})`);
  exitCode = 1;
} finally {
  await Promise.all(services.map((s) => s.stop()));
  await server?.close();
}
process.exit(exitCode);

async function runAlreadyLoaded(databaseUrl: string, runId: string): Promise<boolean> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const res = await db.query('select 1 from price_observations where run_id = $1 limit 1', [runId]);
    return res.rowCount !== null && res.rowCount > 0;
  } finally {
    await db.end();
  }
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

async function printSummary(databaseUrl: string, runs: string[], t0: number): Promise<void> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const one = async (sql: string, params: unknown[] = []) =>
    (await db.query(sql, params)).rows[0] as Record<string, string>;
  const models = await one('select count(*)::text n from models_catalog');
  const newModels = await one('select count(*)::text n from models_catalog where first_seen_at >= $1', [
    new Date(t0),
  ]);
  const obs = await one('select count(*)::text n from price_observations where inserted_at >= $1', [
    new Date(t0),
  ]);
  const changes = await one(
    `select count(*)::text n, count(*) filter (where kind = 'changed')::text changed,
            count(*) filter (where kind = 'removed')::text removed, count(*) filter (where kind = 'returned')::text returned,
            count(*) filter (where kind = 'expiring')::text expiring, count(*) filter (where alert)::text alerts
       from price_changes where inserted_at >= $1`,
    [new Date(t0)],
  );
  const top = await db.query(
    `select model_id, coalesce(provider, '-') provider, source_type, c->>'dimension' dimension,
            coalesce(c->>'tier', 'base') tier, c->>'previous' previous, c->>'current' current,
            (c->>'relative_change')::numeric rc
       from price_changes, jsonb_array_elements(changes) c
      where inserted_at >= $1 and kind in ('changed', 'returned') and c->>'relative_change' is not null
      order by abs((c->>'relative_change')::numeric) desc, model_id limit 10`,
    [new Date(t0)],
  );
  await db.end();
  console.log('');
  console.log(`daily run ${runs.join(', ')}: summary`);
  console.log(`  models in catalog      ${models.n} (new this run: ${newModels.n})`);
  console.log(`  price observations     ${obs.n} written`);
  console.log(
    `  price changes          ${changes.n} (changed: ${changes.changed}, removed: ${changes.removed}, returned: ${changes.returned}, expiring: ${changes.expiring}; alerts: ${changes.alerts})`,
  );
  if (top.rows.length) {
    console.log('  top price changes (USD per 1M tokens or per unit):');
    for (const r of top.rows as Record<string, string>[]) {
      const pct = (Number(r.rc) * 100).toFixed(1);
      console.log(
        `    ${r.model_id} [${r.provider} ${r.source_type}] ${r.dimension} (${r.tier}): ${r.previous} -> ${r.current} (${pct}%)`,
      );
    }
  }
  console.log(`  wall time              ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(
    `  data left in ${databaseUrl.replace(/:[^:@/]+@/, ':***@')} (tables models_catalog, price_observations, price_changes; view model_pricing_daily)`,
  );
}
