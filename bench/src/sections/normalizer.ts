// The normalizer process on a raw history (fresh topics per run: its state lives in them): events in
// and out per second, with the history in time order and with its days arriving newest first (every
// observation then lands before what its key already holds: the valid-time path of
// docs/price-model.md §4.2, recomputed and corrected, where the in-order input takes the live path).
import type { RawPriceObserved } from '@llmpt/schemas';
import { cfg, endpointsFile, modelsFile, skip } from '../config.ts';
import type { Bench } from '../bench.ts';
import { generateHistory } from '../history.ts';
import { describeCpu } from '../cpu.ts';
import { load, median, medianRun, type DrainTiming } from '../infra.ts';
import { fmt } from '../report.ts';
import { normalizerDrain } from '../sink-replay.ts';

const ORDERS = [
  ['in time order', (raw: readonly RawPriceObserved[]) => raw],
  [
    'newest day first',
    (raw: readonly RawPriceObserved[]) =>
      // Stable: within a day the log order stays; the days come last to first.
      [...raw].sort((a, b) => Math.floor(b.fetched_at / 86_400_000) - Math.floor(a.fetched_at / 86_400_000)),
  ],
] as const;

export async function normalizerSection(b: Bench): Promise<void> {
  if (skip('normalizer')) return;
  const nh = generateHistory({ modelsFile, endpointsFile, days: cfg.normalizerDays, seed: cfg.seed });
  const rates: Record<string, number> = {};
  for (const [order, arrange] of ORDERS) {
    const raw = arrange(nh.raw);
    const runs: DrainTiming[] = [];
    for (let i = 0; i < cfg.runs; i++)
      runs.push(
        await normalizerDrain(b, b.newPrefix(`norm${order === 'in time order' ? '' : 'late'}${i}`), raw),
      );
    b.report.loads.push(`normalizer ${order}: ${load()}`);
    const inEps = runs.map((r) => raw.length / (r.wallMs / 1000));
    rates[order] = median(inEps);
    b.report.record({
      section: 'normalizer',
      figure: `normalizer in, ${order} (${cfg.normalizerDays} days of raw observations)`,
      value: median(inEps),
      unit: 'events/s',
      runs: inEps,
      note: `${raw.length} in; steady ${fmt(median(runs.map((r) => raw.length / (r.steadyMs / 1000))))} ev/s; peak RSS ${fmt(median(runs.map((r) => r.peakRssKb / 1024)))} MiB; median run: ${describeCpu(medianRun(runs, (r) => r.wallMs).cpu, 'normalizer')}${
        order === 'in time order' ? '' : `; ${fmt(rates[order] / rates['in time order']!)}x the in-order rate`
      }`,
    });
    if (order === 'in time order') {
      const out = nh.normalized.length + nh.changed.length;
      b.report.record({
        section: 'normalizer',
        figure: 'normalizer out, in time order (NormalizedPrice + PriceChanged)',
        value: median(runs.map((r) => out / (r.wallMs / 1000))),
        unit: 'events/s',
        runs: runs.map((r) => out / (r.wallMs / 1000)),
        note: `${out} out (+ changelog records)`,
      });
    }
  }
}
