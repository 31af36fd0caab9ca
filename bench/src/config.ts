// The bench's settings, read from the environment once. Sizes: BENCH_DAYS (replay history, default
// 60), BENCH_RUNS (runs per figure, default 3), BENCH_SUPABASE_DAYS (10), BENCH_NORMALIZER_DAYS (30),
// BENCH_NAIVE_ROWS (500), BENCH_RESTORE_KEYS (100000), BENCH_DAILY_RUNS (2), BENCH_PARTITIONS (6),
// BENCH_SEED (42), BENCH_BATCH (the breakdown's batch size, 1000). BENCH_SKIP: a comma list of
// sections (postgres,breakdown,supabase,copy,kafka,naive,normalizer,floor,scale-replay,scale-normalizer,
// restore,rebuild,daily,daily-scale,backfill,scaling,api,web).
// The sections that measure scale (issue 18):
// - `rebuild`: `npm run rebuild-changes` as its own process over BENCH_REBUILD_EVENTS (1,000,000)
//   NormalizedPrice events, the history's observations cloned model by model (catalog.ts).
// - `scale-replay`, `scale-normalizer`: replay -> Postgres (1 sink) and the normalizer at 1x, 4x and 16x
//   the catalog (cloned models and their endpoints) over BENCH_SCALE_DAYS (2) days, interleaved in each
//   of BENCH_RUNS rounds; the slope of a least-squares fit and each point's distance from it.
// - `daily-scale`: the daily run on BENCH_DAILY_SCALE (4) times the recorded catalog on the fixture
//   server, production politeness and no interval, BENCH_DAILY_SCALE_RUNS (1) runs each.
// BENCH_API_SECONDS: the length of one autocannon run (default 10).
// BENCH_CPU_PROF=1: the sink and normalizer processes write V8 CPU profiles to .cache/bench/profiles
// (summarise them with `node --import tsx bench/src/profile-summary.ts <file.cpuprofile>`).
import path from 'node:path';
import { repoRoot, sharedData } from '@llmpt/core/paths';

const int = (name: string, def: number): number => {
  const v = process.env[name];
  const n = v === undefined || v === '' ? def : Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  return n;
};

/** The sizes, as printed at the start and written to results.json. */
export const cfg = {
  days: int('BENCH_DAYS', 60),
  runs: int('BENCH_RUNS', 3),
  supabaseDays: int('BENCH_SUPABASE_DAYS', 10),
  normalizerDays: int('BENCH_NORMALIZER_DAYS', 30),
  backfillRuns: int('BENCH_BACKFILL_RUNS', 1),
  naiveRows: int('BENCH_NAIVE_ROWS', 500),
  restoreKeys: int('BENCH_RESTORE_KEYS', 100_000),
  dailyRuns: int('BENCH_DAILY_RUNS', 2),
  partitions: int('BENCH_PARTITIONS', 6),
  seed: int('BENCH_SEED', 42),
  rebuildEvents: int('BENCH_REBUILD_EVENTS', 1_000_000),
  scaleDays: int('BENCH_SCALE_DAYS', 2),
  dailyScale: int('BENCH_DAILY_SCALE', 4),
  dailyScaleRuns: int('BENCH_DAILY_SCALE_RUNS', 1),
};
export type BenchConfig = typeof cfg;

/** The breakdown section's batch size (the size of one topic-partition fetch the sink receives). */
export const breakdownBatch = (): number => int('BENCH_BATCH', 1000);

const skipped = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
export const skip = (section: string): boolean => skipped.has(section);

export const profileDir: string | undefined = process.env.BENCH_CPU_PROF
  ? path.join(repoRoot, '.cache', 'bench', 'profiles')
  : undefined;

/** The real recorded day the synthetic history is built from (and the daily run serves). */
export const modelsFile = sharedData('openrouter/models/openrouter_models_aiscanner_2026-05-18.json');
export const endpointsFile = sharedData(
  'openrouter/endpoints/openrouter_endpoints-derived-map_aiscanner_2026-05-18.json',
);

export const benchDir = path.join(repoRoot, '.cache', 'bench');
export const logDir = path.join(benchDir, 'logs');
