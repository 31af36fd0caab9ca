// `npm run bench`: how fast the pipeline runs, how close to the machine's limit, how it scales.
// Prints one table of medians and writes .cache/bench/results.json. The sizes and BENCH_SKIP are in
// config.ts; each section (src/sections/) measures one thing, in the order below.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { deleteTestTopics, stackEnv, testKafka, uniquePrefix } from '@llmpt/testkit';
import { createBench, type Bench } from './bench.ts';
import { benchDir, cfg, logDir } from './config.ts';
import { dropLeftoverDatabases, load } from './infra.ts';
import { createReport, printTable, say } from './report.ts';
import { apiSection } from './sections/api.ts';
import { backfillSection } from './sections/backfill.ts';
import { breakdownSection } from './sections/breakdown.ts';
import { copySection } from './sections/copy.ts';
import { dailyScaleSection } from './sections/daily-scale.ts';
import { dailySection } from './sections/daily.ts';
import { floorSection } from './sections/floor.ts';
import { kafkaSection } from './sections/kafka.ts';
import { naiveSection } from './sections/naive.ts';
import { normalizerSection } from './sections/normalizer.ts';
import { replaySection } from './sections/replay.ts';
import { rebuildSection } from './sections/rebuild.ts';
import { restoreSection } from './sections/restore.ts';
import { scaleSection } from './sections/scale.ts';
import { supabaseSection } from './sections/supabase.ts';
import { webSection } from './sections/web.ts';

const sections: readonly ((b: Bench) => Promise<void>)[] = [
  replaySection, // replay -> postgres through 1 sink (`postgres`), 2 and 3 (`scaling`)
  breakdownSection, // the sink's stages in this process
  copySection, // COPY of the same rows: the database's limit
  kafkaSection, // consuming the same topics doing nothing: the broker's limit
  naiveSection, // per-row REST writes, extrapolated
  supabaseSection, // replay -> supabase/PostgREST on a smaller history
  normalizerSection, // the normalizer process in and out
  floorSection, // kafkajs exactly-once with no work, and the normalizer's start: its floors
  scaleSection, // replay and the normalizer at 1x, 4x and 16x the catalog (`scale-replay`, `scale-normalizer`)
  restoreSection, // the normalizer's state restore
  rebuildSection, // npm run rebuild-changes over 1M NormalizedPrice events
  dailySection, // a daily run on the fixture server
  dailyScaleSection, // the same on 4x the catalog (`daily-scale`)
  backfillSection, // the 63-day series through npm run backfill
  apiSection, // the public API under autocannon, PostgREST side by side
  webSection, // the explorer in Chromium on the full catalog
];

const env = stackEnv();
const kafka = testKafka('bench');
const report = createReport();
const prefixes: string[] = [];
const newPrefix = (label: string): string => {
  const p = uniquePrefix(`bench-${label}`);
  prefixes.push(p);
  return p;
};

const started = Date.now();
let exitCode = 0;
try {
  say(`config ${JSON.stringify(cfg)}; load ${load()}`);
  const bench = await createBench({ env, kafka, report, newPrefix });
  for (const section of sections) await section(bench);
  const { result } = bench;
  result.figures = report.figures;
  result.machine = { nproc: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), loads: report.loads };
  result.wallS = (Date.now() - started) / 1000;
  mkdirSync(benchDir, { recursive: true });
  writeFileSync(path.join(benchDir, 'results.json'), JSON.stringify(result, null, 2));
  printTable(report, result.wallS as number);
} catch (err) {
  console.error(`bench failed: ${(err as Error).stack ?? String(err)} (service logs in ${logDir})`);
  exitCode = 1;
} finally {
  await dropLeftoverDatabases().catch(() => undefined);
  for (const p of prefixes) await deleteTestTopics(p, { kafka }).catch(() => undefined);
}
process.exit(exitCode);
