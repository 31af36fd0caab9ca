// The normalizer process on a raw history (fresh topics per run: its state lives in them): events in
// and out per second.
import { topics } from '@llmpt/runtime';
import { createTestTopics } from '@llmpt/testkit';
import { cfg, endpointsFile, modelsFile, skip } from '../config.ts';
import type { Bench } from '../bench.ts';
import { generateHistory } from '../history.ts';
import { load, median, produceAll, waitGroupDrained } from '../infra.ts';
import { fmt } from '../report.ts';
import { settingsFor, start } from '../sink-replay.ts';

export async function normalizerSection(b: Bench): Promise<void> {
  if (skip('normalizer')) return;
  const { kafka } = b;
  const nh = generateHistory({ modelsFile, endpointsFile, days: cfg.normalizerDays, seed: cfg.seed });
  const runs: { wallMs: number; steadyMs: number; rss: number }[] = [];
  for (let i = 0; i < cfg.runs; i++) {
    const np = b.newPrefix(`norm${i}`);
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
    const proc = start('normalizer', settingsFor(b.env, np, 'postgres'), { LOG_LEVEL: 'warn' });
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
  b.report.loads.push(`normalizer: ${load()}`);
  const inEps = runs.map((r) => nh.raw.length / (r.wallMs / 1000));
  const out = nh.normalized.length + nh.changed.length;
  b.report.record({
    section: 'normalizer',
    figure: `normalizer in (${cfg.normalizerDays} days of raw observations)`,
    value: median(inEps),
    unit: 'events/s',
    runs: inEps,
    note: `${nh.raw.length} in; steady ${fmt(median(runs.map((r) => nh.raw.length / (r.steadyMs / 1000))))} ev/s; peak RSS ${fmt(median(runs.map((r) => r.rss / 1024)))} MiB`,
  });
  b.report.record({
    section: 'normalizer',
    figure: 'normalizer out (NormalizedPrice + PriceChanged)',
    value: median(runs.map((r) => out / (r.wallMs / 1000))),
    unit: 'events/s',
    runs: runs.map((r) => out / (r.wallMs / 1000)),
    note: `${out} out (+ ${nh.normalized.length} changelog records)`,
  });
}
