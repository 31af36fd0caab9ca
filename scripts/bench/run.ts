// `npm run bench`: how fast the pipeline runs, how close to the machine's limit, how it scales.
// Prints one table of medians and writes .cache/bench/results.json. Sizes come from the environment:
// BENCH_DAYS (replay history, default 60), BENCH_RUNS (runs per figure, default 3),
// BENCH_SUPABASE_DAYS (default 10), BENCH_NORMALIZER_DAYS (default 30), BENCH_NAIVE_ROWS (500),
// BENCH_RESTORE_KEYS (100000), BENCH_DAILY_RUNS (default 2), BENCH_SKIP (comma list of sections:
// postgres,breakdown,supabase,copy,kafka,naive,normalizer,restore,daily,scaling).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { startFixtureServer } from '@llmpt/fixture-server';
import { createConsumer, createProducer, type EventMessage, type Kafka } from '@llmpt/runtime/kafka';
import { topics, sinkInputTopics } from '@llmpt/runtime';
import {
  createTestTopics,
  deleteTestTopics,
  repoRoot,
  runDiscoveryJob,
  sharedDataDir,
  stackEnv,
  startService,
  testKafka,
  uniquePrefix,
  waitForDrain,
  type PipelineSettings,
  type ServiceName,
  type ServiceProcess,
} from '@llmpt/testkit';
import { project, rowCount, type DecodedEvent, type Rows } from '../../services/sink/src/core/project.ts';
import { encodeState } from '../../services/normalizer/src/core/state.ts';
import { decide } from '../../services/normalizer/src/core/changes.ts';
import { restoreState } from '../../services/normalizer/src/adapters/changelog.ts';
import { generateHistory, type History } from './history.ts';
import {
  dropLeftoverDatabases,
  freshDatabase,
  load,
  median,
  produceAll,
  startProfiled,
  waitGroupDrained,
  withClient,
} from './infra.ts';
import { copyRows } from './copy.ts';
import { sinkBreakdown } from './breakdown.ts';
import { naiveRestWrite } from './naive.ts';

const int = (name: string, def: number): number => {
  const v = process.env[name];
  const n = v === undefined || v === '' ? def : Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  return n;
};
const cfg = {
  days: int('BENCH_DAYS', 60),
  runs: int('BENCH_RUNS', 3),
  supabaseDays: int('BENCH_SUPABASE_DAYS', 10),
  normalizerDays: int('BENCH_NORMALIZER_DAYS', 30),
  naiveRows: int('BENCH_NAIVE_ROWS', 500),
  restoreKeys: int('BENCH_RESTORE_KEYS', 100_000),
  dailyRuns: int('BENCH_DAILY_RUNS', 2),
  partitions: int('BENCH_PARTITIONS', 6),
  seed: int('BENCH_SEED', 42),
};
// BENCH_CPU_PROF=1: the sink and normalizer processes write V8 CPU profiles to .cache/bench/profiles
// (summarise them with `node --import tsx scripts/bench/profile-summary.ts <file.cpuprofile>`).
const profileDir = process.env.BENCH_CPU_PROF
  ? path.join(repoRoot, '.cache', 'bench', 'profiles')
  : undefined;
const start = (service: ServiceName, s: PipelineSettings, extra: Record<string, string>): ServiceProcess =>
  profileDir ? startProfiled(service, s, extra, profileDir) : startService(service, s, extra);
const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const modelsFile = path.join(sharedDataDir, 'openrouter/models/openrouter_models_aiscanner_2026-05-18.json');
const endpointsFile = path.join(
  sharedDataDir,
  'openrouter/endpoints/openrouter_endpoints-derived-map_aiscanner_2026-05-18.json',
);
const env = stackEnv();
const kafka = testKafka('bench');
const quiet = pino({ level: 'silent' });
const logDir = path.join(repoRoot, '.cache', 'bench', 'logs');
const prefixes: string[] = [];
const newPrefix = (label: string): string => {
  const p = uniquePrefix(`bench-${label}`);
  prefixes.push(p);
  return p;
};
const say = (msg: string): void => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

interface Figure {
  readonly section: string;
  readonly figure: string;
  readonly value: number;
  readonly unit: string;
  readonly runs: readonly number[];
  readonly note?: string;
}
const figures: Figure[] = [];
const record = (f: Figure): void => {
  figures.push(f);
  say(
    `${f.figure}: ${fmt(f.value)} ${f.unit} (runs: ${f.runs.map(fmt).join(', ')})${f.note ? ` — ${f.note}` : ''}`,
  );
};
const fmt = (n: number): string =>
  !Number.isFinite(n) ? String(n) : Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2);
const loads: string[] = [`start: ${load()}`];

// ---- the history on topics ---------------------------------------------------------------------

type Item = EventMessage & { topic: string };

/** The events the sink reads, in production order per day, as messages to the prefixed topics. */
function sinkItems(h: History, prefix: string): Item[] {
  const t = (k: keyof typeof topics) => prefix + topics[k].name;
  return [
    ...h.modelDiscovered.map((e) => ({
      topic: t('modelDiscovered'),
      key: e.model_id,
      name: 'ModelDiscovered' as const,
      event: e,
    })),
    ...h.raw.map((e) => ({
      topic: t('rawPriceObserved'),
      key: `${e.model_id}|${e.provider ?? ''}|${e.source_type}`,
      name: 'RawPriceObserved' as const,
      event: e,
    })),
    ...h.normalized.map((e) => ({
      topic: t('normalizedPrice'),
      key: e.price_key,
      name: 'NormalizedPrice' as const,
      event: e,
    })),
    ...h.changed.map((e) => ({
      topic: t('priceChanged'),
      key: e.price_key,
      name: 'PriceChanged' as const,
      event: e,
    })),
  ];
}

const sinkTopics = (prefix: string): string[] => sinkInputTopics.map((t) => prefix + t);

function settingsFor(prefix: string, store: 'postgres' | 'supabase', databaseUrl?: string): PipelineSettings {
  return {
    kafkaBrokers: env.kafkaBrokers.join(','),
    ...(databaseUrl ? { databaseUrl } : {}),
    supabaseUrl: env.supabaseUrl,
    supabaseServiceRoleKey: env.supabaseServiceRoleKey,
    store,
    topicPrefix: prefix,
    openRouterBaseUrl: 'http://127.0.0.1:9',
    scrapeProviderSites: false,
    logDir,
    logLevel: 'warn',
  };
}

interface ReplayRun {
  readonly wallMs: number;
  readonly steadyMs: number;
  readonly peakRssKb: number;
  readonly observations: number;
  readonly changes: number;
}

/** Runs `n` sink processes in one fresh group over the prefix's topics until the group has no lag. */
async function replay(
  prefix: string,
  n: number,
  store: 'postgres' | 'supabase',
  databaseUrl: string | undefined,
  label: string,
  count: () => Promise<{ observations: number; changes: number }>,
): Promise<ReplayRun> {
  const group = `${prefix}bench-sink-${label}`;
  const s = settingsFor(prefix, store, databaseUrl);
  const t0 = Date.now();
  const procs: ServiceProcess[] = Array.from({ length: n }, () =>
    start('sink', s, { GROUP_ID: group, LOG_LEVEL: 'warn' }),
  );
  try {
    const timing = await waitGroupDrained(kafka, group, sinkTopics(prefix), procs, t0);
    return { ...timing, ...(await count()) };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

const countIn = (url: string) => async () =>
  withClient(url, async (c) => {
    const r = await c.query<{ o: string; od: string; c: string; cd: string }>(
      `select (select count(*) from price_observations)::text o, (select count(distinct event_id) from price_observations)::text od,
              (select count(*) from price_changes)::text c, (select count(distinct event_id) from price_changes)::text cd`,
    );
    const row = r.rows[0]!;
    if (row.o !== row.od || row.c !== row.cd) throw new Error(`duplicate rows: ${JSON.stringify(row)}`);
    return { observations: Number(row.o), changes: Number(row.c) };
  });

// ---- main --------------------------------------------------------------------------------------

const started = Date.now();
let exitCode = 0;
try {
  say(`config ${JSON.stringify(cfg)}; load ${load()}`);
  const history = generateHistory({ modelsFile, endpointsFile, days: cfg.days, seed: cfg.seed });
  const decoded: DecodedEvent[] = [
    ...history.modelDiscovered.map((event) => ({ name: 'ModelDiscovered' as const, event })),
    ...history.raw.map((event) => ({ name: 'RawPriceObserved' as const, event })),
    ...history.normalized.map((event) => ({ name: 'NormalizedPrice' as const, event })),
    ...history.changed.map((event) => ({ name: 'PriceChanged' as const, event })),
  ];
  const rows: Rows = project(decoded);
  const events = decoded.length;
  const distinctObs = new Set(history.normalized.map((e) => e.event_id)).size;
  const distinctChanges = new Set(history.changed.map((e) => e.event_id)).size;
  say(
    `history: ${cfg.days} days, ${events} events (${history.modelDiscovered.length} ModelDiscovered, ${history.raw.length} RawPriceObserved, ` +
      `${history.normalized.length} NormalizedPrice, ${history.changed.length} PriceChanged) -> ${rowCount(rows)} rows`,
  );
  const prefix = newPrefix('replay');
  await createTestTopics(prefix, { kafka, partitions: cfg.partitions });
  const t = Date.now();
  await produceAll(kafka, sinkItems(history, prefix));
  say(`produced to ${prefix}* (${cfg.partitions} partitions) in ${Date.now() - t} ms`);
  const result: Record<string, unknown> = {
    config: cfg,
    history: {
      events,
      modelDiscovered: history.modelDiscovered.length,
      raw: history.raw.length,
      normalized: history.normalized.length,
      changed: history.changed.length,
      rows: rowCount(rows),
    },
  };

  // 2 + 7. Replay into an empty Postgres through 1, 2, 3 sink processes.
  const replayEps: Record<number, number> = {};
  const replayWallMs: Record<number, number> = {};
  for (const n of [1, 2, 3]) {
    if (n === 1 ? skip.has('postgres') : skip.has('scaling')) continue;
    const runs: ReplayRun[] = [];
    for (let i = 0; i < cfg.runs; i++) {
      const db = await freshDatabase(`replay${n}`);
      try {
        const r = await replay(prefix, n, 'postgres', db.url, `pg${n}-${i}`, countIn(db.url));
        if (r.observations !== distinctObs || r.changes !== distinctChanges)
          throw new Error(
            `loss or duplicate with ${n} sinks: ${r.observations}/${distinctObs} observations, ${r.changes}/${distinctChanges} changes`,
          );
        runs.push(r);
      } finally {
        await db.drop();
      }
    }
    loads.push(`replay x${n}: ${load()}`);
    const eps = runs.map((r) => events / (r.wallMs / 1000));
    replayEps[n] = median(eps);
    replayWallMs[n] = median(runs.map((r) => r.wallMs));
    record({
      section: n === 1 ? 'replay' : 'scaling',
      figure: n === 1 ? 'replay -> postgres (1 sink)' : `replay -> postgres (${n} sinks, one group)`,
      value: replayEps[n],
      unit: 'events/s',
      runs: eps,
      note: `steady state ${fmt(median(runs.map((r) => events / (r.steadyMs / 1000))))} ev/s; peak RSS ${fmt(median(runs.map((r) => r.peakRssKb / 1024)))} MiB/process; rows == distinct ids (${distinctObs} obs, ${distinctChanges} changes) every run`,
    });
  }

  // 2c. The sink's stages in this process, to see where replay time goes.
  if (!skip.has('breakdown')) {
    const db = await freshDatabase('breakdown');
    try {
      const batch = int('BENCH_BATCH', 1000);
      const b = await sinkBreakdown(sinkItems(history, prefix), db.url, batch);
      const eps = (ms: number) => events / (ms / 1000);
      const perTable = Object.entries(b.storeMs)
        .map(([k, ms]) => `${k} ${fmt(ms)} ms`)
        .join(', ');
      record({
        section: 'breakdown',
        figure: `sink stage: Avro decode (in process)`,
        value: eps(b.decodeMs),
        unit: 'events/s',
        runs: [eps(b.decodeMs)],
      });
      record({
        section: 'breakdown',
        figure: `sink stage: project() (batches of ${batch})`,
        value: eps(b.projectMs),
        unit: 'events/s',
        runs: [eps(b.projectMs)],
      });
      record({
        section: 'breakdown',
        figure: `sink stage: postgres writeBatch (${b.batches} batches of ${batch})`,
        value: eps(b.storeTotalMs),
        unit: 'events/s',
        runs: [eps(b.storeTotalMs)],
        note: `per table: ${perTable}`,
      });
      result.breakdown = b;
    } finally {
      await db.drop();
    }
  }

  // 3a. COPY of the same rows into an empty database.
  if (!skip.has('copy')) {
    const times: number[] = [];
    for (let i = 0; i < cfg.runs; i++) {
      const db = await freshDatabase('copy');
      try {
        times.push(await copyRows(db.url, rows));
      } finally {
        await db.drop();
      }
    }
    const copyMs = median(times);
    record({
      section: 'limits',
      figure: 'COPY FROM STDIN of the same rows (pg-copy-streams, CSV)',
      value: events / (copyMs / 1000),
      unit: 'events/s eq.',
      runs: times.map((ms) => events / (ms / 1000)),
      note: `${rowCount(rows)} rows in ${fmt(copyMs)} ms${replayWallMs[1] ? `; replay = ${(copyMs / replayWallMs[1]).toFixed(2)}x COPY` : ''}`,
    });
    result.copyMs = copyMs;
  }

  // 3b. kafkajs consuming the same topics doing nothing.
  if (!skip.has('kafka')) {
    const times: number[] = [];
    for (let i = 0; i < cfg.runs; i++)
      times.push(await consumeNothing(kafka, sinkTopics(prefix), `${prefix}bench-null-${i}`));
    const ms = median(times);
    record({
      section: 'limits',
      figure: 'kafkajs consume, no work (same topics)',
      value: events / (ms / 1000),
      unit: 'events/s',
      runs: times.map((x) => events / (x / 1000)),
      note: replayWallMs[1] ? `replay = ${(ms / replayWallMs[1]).toFixed(2)}x of it` : undefined,
    });
  }

  // 4. Naive per-row delete-then-insert through PostgREST, extrapolated.
  if (!skip.has('naive')) {
    const sample = rows.observations.slice(0, cfg.naiveRows);
    const times: number[] = [];
    for (let i = 0; i < cfg.runs; i++) times.push(await naiveRestWrite(sample));
    const ms = median(times);
    const rowsPerS = sample.length / (ms / 1000);
    const factRows = rows.observations.length + rows.changes.length;
    const extrapolatedMs = (factRows / rowsPerS) * 1000;
    record({
      section: 'naive',
      figure: `naive REST delete+insert per row (sample ${sample.length} rows)`,
      value: rowsPerS,
      unit: 'rows/s',
      runs: times.map((x) => sample.length / (x / 1000)),
      note: `extrapolated to the ${factRows} observation+change rows: ${fmt(extrapolatedMs / 1000)} s${replayWallMs[1] ? `; replay is ${(extrapolatedMs / replayWallMs[1]).toFixed(1)}x faster` : ''}`,
    });
    result.naiveExtrapolatedMs = extrapolatedMs;
  }

  // 2b. Supabase store on a smaller, namespaced history (it writes into the main database).
  if (!skip.has('supabase')) {
    const ns = 'zzbench-';
    const small = generateHistory({
      modelsFile,
      endpointsFile,
      days: cfg.supabaseDays,
      seed: cfg.seed,
      namespace: ns,
    });
    const sp = newPrefix('supabase');
    await createTestTopics(sp, { kafka, partitions: cfg.partitions });
    const items = sinkItems(small, sp);
    await produceAll(kafka, items);
    const runs: ReplayRun[] = [];
    const obsIds = new Set(small.normalized.map((e) => e.event_id)).size;
    const chIds = new Set(small.changed.map((e) => e.event_id)).size;
    const countNs = async () =>
      withClient(env.databaseUrl, async (c) => {
        const r = await c.query<{ o: string; c: string }>(
          `select (select count(*) from price_observations where model_id like $1)::text o,
                  (select count(*) from price_changes where model_id like $1)::text c`,
          [`${ns}%`],
        );
        return { observations: Number(r.rows[0]!.o), changes: Number(r.rows[0]!.c) };
      });
    try {
      for (let i = 0; i < cfg.runs; i++) {
        await cleanNamespace(ns);
        const r = await replay(sp, 1, 'supabase', undefined, `sb-${i}`, countNs);
        if (r.observations !== obsIds || r.changes !== chIds)
          throw new Error(
            `supabase replay: ${r.observations}/${obsIds} observations, ${r.changes}/${chIds} changes`,
          );
        runs.push(r);
      }
    } finally {
      await cleanNamespace(ns);
    }
    loads.push(`supabase: ${load()}`);
    const eps = runs.map((r) => items.length / (r.wallMs / 1000));
    record({
      section: 'replay',
      figure: `replay -> supabase/PostgREST (1 sink, ${cfg.supabaseDays}-day sample)`,
      value: median(eps),
      unit: 'events/s',
      runs: eps,
      note: `${items.length} events; steady ${fmt(median(runs.map((r) => items.length / (r.steadyMs / 1000))))} ev/s; peak RSS ${fmt(median(runs.map((r) => r.peakRssKb / 1024)))} MiB`,
    });
  }

  // 5a. Normalizer throughput on a raw history (fresh topics per run: its state lives in them).
  if (!skip.has('normalizer')) {
    const nh = generateHistory({ modelsFile, endpointsFile, days: cfg.normalizerDays, seed: cfg.seed });
    const runs: { wallMs: number; steadyMs: number; rss: number }[] = [];
    for (let i = 0; i < cfg.runs; i++) {
      const np = newPrefix(`norm${i}`);
      await createTestTopics(np, { kafka, partitions: cfg.partitions });
      await produceAll(
        kafka,
        nh.raw.map((e) => ({
          topic: np + topics.rawPriceObserved.name,
          key: `${e.model_id}|${e.provider ?? ''}|${e.source_type}`,
          name: 'RawPriceObserved' as const,
          event: e,
        })),
      );
      const t0 = Date.now();
      const proc = start('normalizer', settingsFor(np, 'postgres'), { LOG_LEVEL: 'warn' });
      try {
        const timing = await waitGroupDrained(
          kafka,
          `${np}pricing-normalizer`,
          [np + topics.rawPriceObserved.name],
          [proc],
          t0,
        );
        runs.push({ wallMs: timing.wallMs, steadyMs: timing.steadyMs, rss: timing.peakRssKb });
      } finally {
        await proc.stop();
      }
    }
    loads.push(`normalizer: ${load()}`);
    const inEps = runs.map((r) => nh.raw.length / (r.wallMs / 1000));
    const out = nh.normalized.length + nh.changed.length;
    record({
      section: 'normalizer',
      figure: `normalizer in (${cfg.normalizerDays} days of raw observations)`,
      value: median(inEps),
      unit: 'events/s',
      runs: inEps,
      note: `${nh.raw.length} in; steady ${fmt(median(runs.map((r) => nh.raw.length / (r.steadyMs / 1000))))} ev/s; peak RSS ${fmt(median(runs.map((r) => r.rss / 1024)))} MiB`,
    });
    record({
      section: 'normalizer',
      figure: 'normalizer out (NormalizedPrice + PriceChanged)',
      value: median(runs.map((r) => out / (r.wallMs / 1000))),
      unit: 'events/s',
      runs: runs.map((r) => out / (r.wallMs / 1000)),
      note: `${out} out (+ ${nh.normalized.length} changelog records)`,
    });
  }

  // 5b. State restore of N keys from the compacted changelog.
  if (!skip.has('restore')) {
    const rp = newPrefix('restore');
    await createTestTopics(rp, { kafka, partitions: cfg.partitions });
    const topic = rp + topics.normalizerState.name;
    const sample = history.normalized.find((e) => e.status === 'ok')!;
    const producer = createProducer(kafka);
    await producer.connect();
    for (let i = 0; i < cfg.restoreKeys; i += 5000) {
      const messages = [];
      for (let k = i; k < Math.min(i + 5000, cfg.restoreKeys); k++) {
        const key = `bench/model-${k}|provider-${k % 97}|openrouter_endpoints`;
        messages.push({ key, value: encodeState({ ...decide(undefined, sample).next!, price_key: key }) });
      }
      await producer.send({ topic, messages, acks: -1 });
    }
    await producer.disconnect();
    const times: number[] = [];
    for (let i = 0; i < cfg.runs; i++) {
      const t1 = Date.now();
      const state = await restoreState(kafka, topic, quiet);
      times.push(Date.now() - t1);
      if (state.size !== cfg.restoreKeys)
        throw new Error(`restored ${state.size} keys, expected ${cfg.restoreKeys}`);
    }
    record({
      section: 'normalizer',
      figure: `normalizer state restore (${cfg.restoreKeys} keys)`,
      value: median(times) / 1000,
      unit: 's',
      runs: times.map((x) => x / 1000),
    });
  }

  // 6. Daily run on the fixture server: full catalog, every endpoint, production politeness.
  if (!skip.has('daily')) {
    const server = await startFixtureServer({ models: modelsFile, endpoints: endpointsFile });
    try {
      for (const [label, extra] of [
        ['politeness defaults (100 ms interval, concurrency 4)', {}],
        ['no interval (OPENROUTER_MIN_INTERVAL_MS=0)', { OPENROUTER_MIN_INTERVAL_MS: '0' }],
      ] as const) {
        const times: number[] = [];
        const before = server.requests().length;
        for (let i = 0; i < cfg.dailyRuns; i++) times.push(await dailyRun(server.url, extra, `${i}`));
        const requests = (server.requests().length - before) / cfg.dailyRuns;
        loads.push(`daily ${label}: ${load()}`);
        record({
          section: 'daily',
          figure: `daily run, ${label}`,
          value: median(times) / 1000,
          unit: 's',
          runs: times.map((x) => x / 1000),
          note: `356 models, 832 endpoints (2026-05-18); ${requests} HTTP requests per run`,
        });
        // The limiter spaces request starts to one host by the interval whatever the concurrency, so
        // the politeness floor of a run is (requests to openrouter.ai - 1) x interval.
        if (!('OPENROUTER_MIN_INTERVAL_MS' in extra))
          record({
            section: 'daily',
            figure: 'daily run, politeness floor ((requests - 1) x 100 ms, one host)',
            value: ((requests - 1) * 100) / 1000,
            unit: 's',
            runs: [((requests - 1) * 100) / 1000],
            note: 'what the production interval costs: requests to one host at least this far apart',
          });
      }
    } finally {
      await server.close();
    }
  }

  result.figures = figures;
  result.machine = { nproc: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), loads };
  result.wallS = (Date.now() - started) / 1000;
  mkdirSync(path.join(repoRoot, '.cache', 'bench'), { recursive: true });
  writeFileSync(path.join(repoRoot, '.cache', 'bench', 'results.json'), JSON.stringify(result, null, 2));
  printTable(result);
} catch (err) {
  console.error(`bench failed: ${(err as Error).stack ?? String(err)} (service logs in ${logDir})`);
  exitCode = 1;
} finally {
  await dropLeftoverDatabases().catch(() => undefined);
  for (const p of prefixes) await deleteTestTopics(p, { kafka }).catch(() => undefined);
}
process.exit(exitCode);

async function consumeNothing(k: Kafka, names: readonly string[], groupId: string): Promise<number> {
  const admin = k.admin();
  await admin.connect();
  const remaining = new Map<string, bigint>();
  for (const topic of names)
    for (const p of await admin.fetchTopicOffsets(topic))
      if (BigInt(p.high) > BigInt(p.low)) remaining.set(`${topic}/${p.partition}`, BigInt(p.high) - 1n);
  await admin.disconnect();
  const consumer = createConsumer(k, { groupId, maxWaitTimeInMs: 100 });
  const t0 = Date.now();
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.connect();
  for (const topic of names) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const key = `${batch.topic}/${batch.partition}`;
      const target = remaining.get(key);
      if (target !== undefined && BigInt(batch.lastOffset()) >= target) remaining.delete(key);
      if (remaining.size === 0) done();
      return Promise.resolve();
    },
  });
  await finished;
  const ms = Date.now() - t0;
  await consumer.disconnect();
  return ms;
}

async function cleanNamespace(ns: string): Promise<void> {
  // The append-only triggers guard against the application; this session (superuser) skips them to
  // remove only the bench's namespaced rows.
  await withClient(env.databaseUrl, async (c) => {
    await c.query('begin');
    await c.query(`set local session_replication_role = replica`);
    for (const table of ['price_observations', 'price_changes', 'model_providers', 'models_catalog'])
      await c.query(`delete from public.${table} where model_id like $1`, [`${ns}%`]);
    await c.query(`delete from public.providers where slug like $1`, [`${ns}%`]);
    await c.query('commit');
  });
}

async function dailyRun(baseUrl: string, scraperEnv: Record<string, string>, label: string): Promise<number> {
  const dp = newPrefix(`daily${label}`);
  await createTestTopics(dp, { kafka });
  const db = await freshDatabase('daily');
  const s: PipelineSettings = { ...settingsFor(dp, 'postgres', db.url), openRouterBaseUrl: baseUrl };
  const services = [
    startService('scraper', s, { LOG_LEVEL: 'warn', ...scraperEnv }),
    startService('normalizer', s, { LOG_LEVEL: 'warn' }),
    startService('sink', s, { LOG_LEVEL: 'warn' }),
  ];
  try {
    // Wait until the consumers are up, so the figure is the run, not the services' start.
    await waitGroupsJoined(kafka, [`${dp}pricing-scraper`, `${dp}pricing-normalizer`, `${dp}pricing-sink`]);
    const t0 = Date.now();
    const res = await runDiscoveryJob(s, `bench-daily-${label}`);
    if (res.code !== 0) throw new Error(`discovery exited with ${res.code}: ${res.stderr.slice(-500)}`);
    await waitForDrain(kafka, dp, { services, timeoutMs: 600_000, intervalMs: 200 });
    const ms = Date.now() - t0;
    const n = await countIn(db.url)();
    if (n.observations === 0) throw new Error('daily run wrote no observations');
    say(`daily run ${label}: ${ms} ms, ${n.observations} observations, ${n.changes} changes written`);
    return ms;
  } finally {
    await Promise.all(services.map((p) => p.stop()));
    await db.drop();
  }
}

async function waitGroupsJoined(k: Kafka, groups: readonly string[]): Promise<void> {
  const admin = k.admin();
  await admin.connect();
  try {
    for (;;) {
      const { groups: described } = await admin.describeGroups([...groups]);
      if (described.every((g) => g.state === 'Stable' && g.members.length > 0)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.disconnect();
  }
}

function printTable(result: Record<string, unknown>): void {
  const w = Math.max(...figures.map((f) => f.figure.length));
  const lines = [
    `| ${'figure'.padEnd(w)} | ${'median'.padStart(12)} | unit | runs | notes |`,
    `| ${'-'.repeat(w)} | ${'-'.repeat(12)} | --- | --- | --- |`,
    ...figures.map(
      (f) =>
        `| ${f.figure.padEnd(w)} | ${fmt(f.value).padStart(12)} | ${f.unit} | ${f.runs.map(fmt).join(', ')} | ${f.note ?? ''} |`,
    ),
  ];
  console.log('');
  console.log(lines.join('\n'));
  console.log('');
  console.log(
    `machine: nproc ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM; load averages (1/5/15 min): ${loads.join('; ')}; total ${fmt((result.wallS as number) ?? 0)} s`,
  );
  console.log(`results: ${path.join('.cache', 'bench', 'results.json')}`);
}
