// `npm run backfill` over the shared 63-day series (61 UTC days, ~350 models a day) into a running
// scraper, normalizer and sink on a fresh database: days of catalog loaded per minute, from the
// command's start until the sink has written everything, in capture order and newest first.
import {
  groupIds,
  runBackfillCommand,
  sharedData,
  startService,
  createTestTopics,
  waitForDrain,
} from '@llmpt/testkit';
import { cfg, skip } from '../config.ts';
import type { Bench } from '../bench.ts';
import { freshDatabase, load, median, waitGroupsJoined } from '../infra.ts';
import { say } from '../report.ts';
import { countIn, settingsFor } from '../sink-replay.ts';

const SERIES = sharedData('openrouter', 'series', 'skissue_daily_series_2026-02-27_to_2026-05-01.tar.xz');
/** Distinct UTC days of the series' 63 captures (two days hold two captures). */
const DAYS = 61;

export async function backfillSection(b: Bench): Promise<void> {
  if (skip('backfill')) return;
  for (const [order, flags] of [
    ['capture order', []],
    ['newest first', ['--newest-first']],
  ] as const) {
    const times: number[] = [];
    for (let i = 0; i < cfg.backfillRuns; i++) times.push(await backfillRun(b, flags, `${order[0]}${i}`));
    b.report.loads.push(`backfill ${order}: ${load()}`);
    const perMinute = times.map((ms) => DAYS / (ms / 60_000));
    b.report.record({
      section: 'backfill',
      figure: `backfill, ${order} (63 captures, ${DAYS} days)`,
      value: median(perMinute),
      unit: 'days/min',
      runs: perMinute,
      note: `command start to sink drained: ${median(times) / 1000} s; paced per file (the command waits for the scraper and normalizer)`,
    });
  }
}

async function backfillRun(b: Bench, flags: readonly string[], label: string): Promise<number> {
  const { kafka } = b;
  const prefix = b.newPrefix(`backfill${label}`);
  await createTestTopics(prefix, { kafka });
  const db = await freshDatabase('backfill');
  const s = { ...settingsFor(b.env, prefix, 'postgres', db.url), openRouterBaseUrl: 'http://127.0.0.1:9' };
  const services = [
    startService('scraper', s, { LOG_LEVEL: 'warn' }),
    startService('normalizer', s, { LOG_LEVEL: 'warn' }),
    startService('sink', s, { LOG_LEVEL: 'warn' }),
  ];
  try {
    const groups = groupIds(prefix);
    await waitGroupsJoined(kafka, [groups.scraper, groups.normalizer, groups.sink]);
    const t0 = Date.now();
    const run = await runBackfillCommand(s, SERIES, flags);
    if (run.code !== 0) throw new Error(`backfill exited with ${run.code}: ${run.stderr.slice(-500)}`);
    await waitForDrain(kafka, prefix, { services, timeoutMs: 900_000, intervalMs: 200 });
    const ms = Date.now() - t0;
    const n = await countIn(db.url)();
    say(
      `backfill ${label}: ${ms} ms, ${n.observations} observations, ${n.changes} change versions written, ${n.inForce} in force`,
    );
    return ms;
  } finally {
    await Promise.all(services.map((p) => p.stop()));
    await db.drop();
  }
}
