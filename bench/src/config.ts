// The bench's settings, read from the environment once. Sizes: BENCH_DAYS (replay history, default
// 60), BENCH_RUNS (runs per figure, default 3), BENCH_SUPABASE_DAYS (10), BENCH_NORMALIZER_DAYS (30),
// BENCH_NAIVE_ROWS (500), BENCH_RESTORE_KEYS (100000), BENCH_DAILY_RUNS (2), BENCH_PARTITIONS (6),
// BENCH_SEED (42), BENCH_BATCH (the breakdown's batch size, 1000). BENCH_SKIP: a comma list of
// sections (postgres,breakdown,supabase,copy,kafka,naive,normalizer,restore,daily,scaling,api,web).
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
