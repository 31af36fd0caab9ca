// How replay -> Postgres (1 sink, section `scale-replay`) and the normalizer (`scale-normalizer`) grow
// with the catalog: one history of BENCH_SCALE_DAYS days over 16 clones of the recorded catalog
// (catalog.ts), of which clone 0 is the 1x catalog and clones 0-3 the 4x one. Each of BENCH_RUNS rounds
// runs every size once (interleaved, so load drifts hit them alike). Per size: wall time, events/s and
// peak RSS; then the slope of the least-squares line of wall time on events (seconds per 1,000 events;
// the intercept is the start-up), each size's distance from that line, and the peak RSS at 16x over 1x.
import { createTestTopics } from '@llmpt/testkit';
import { ofFirstClones } from '../catalog.ts';
import { cfg, endpointsFile, modelsFile, skip } from '../config.ts';
import type { Bench } from '../bench.ts';
import { leastSquares } from '../fit.ts';
import { generateHistory, type History } from '../history.ts';
import { freshDatabase, load, median, produceAll } from '../infra.ts';
import { fmt, say } from '../report.ts';
import { countIn, normalizerDrain, replay, sinkItems } from '../sink-replay.ts';

const FACTORS = [1, 4, 16] as const;

interface Run {
  readonly wallMs: number;
  readonly steadyMs: number;
  readonly peakRssKb: number;
}

interface Size {
  readonly factor: number;
  readonly history: History;
  readonly events: number;
  readonly runs: Run[];
  prefix?: string;
}

const subset = (h: History, factor: number): History => ({
  modelDiscovered: ofFirstClones(h.modelDiscovered, factor),
  raw: ofFirstClones(h.raw, factor),
  normalized: ofFirstClones(h.normalized, factor),
  changed: ofFirstClones(h.changed, factor),
});

const sinkEvents = (h: History): number =>
  h.modelDiscovered.length + h.raw.length + h.normalized.length + h.changed.length;

export async function scaleSection(b: Bench): Promise<void> {
  const doReplay = !skip('scale-replay');
  const doNormalizer = !skip('scale-normalizer');
  if (!doReplay && !doNormalizer) return;
  const t = Date.now();
  const all = generateHistory({
    modelsFile,
    endpointsFile,
    days: cfg.scaleDays,
    seed: cfg.seed,
    scale: FACTORS[FACTORS.length - 1],
  });
  say(`scale: ${cfg.scaleDays} days of the 16x catalog generated in ${Date.now() - t} ms`);
  const histories = FACTORS.map((factor) => ({ factor, history: subset(all, factor) }));
  const replays: Size[] = histories.map((s) => ({ ...s, events: sinkEvents(s.history), runs: [] }));
  const normalizers: Size[] = histories.map((s) => ({ ...s, events: s.history.raw.length, runs: [] }));

  if (doReplay)
    for (const s of replays) {
      s.prefix = b.newPrefix(`scale${s.factor}`);
      await createTestTopics(s.prefix, { kafka: b.kafka, partitions: cfg.partitions });
      await produceAll(b.kafka, sinkItems(s.history, s.prefix));
      say(`scale: ${s.events} sink input events of the ${s.factor}x catalog produced to ${s.prefix}*`);
    }

  for (let i = 0; i < cfg.runs; i++)
    for (let k = 0; k < FACTORS.length; k++) {
      if (doReplay) replays[k]!.runs.push(await replayRun(b, replays[k]!, i));
      if (doNormalizer) normalizers[k]!.runs.push(await normalizerRun(b, normalizers[k]!, i));
    }

  if (doReplay) {
    b.report.loads.push(`scale-replay: ${load()}`);
    record(b, 'scale-replay', 'replay -> postgres (1 sink)', replays);
  }
  if (doNormalizer) {
    b.report.loads.push(`scale-normalizer: ${load()}`);
    record(b, 'scale-normalizer', 'normalizer in', normalizers);
  }
}

async function replayRun(b: Bench, s: Size, i: number): Promise<Run> {
  const distinctObs = new Set(s.history.normalized.map((e) => e.event_id)).size;
  const distinctChanges = new Set(s.history.changed.map((e) => e.event_id)).size;
  const db = await freshDatabase(`scale${s.factor}`);
  try {
    const r = await replay(b, s.prefix!, 1, 'postgres', db.url, `scale${s.factor}-${i}`, countIn(db.url));
    if (r.observations !== distinctObs || r.changes !== distinctChanges)
      throw new Error(
        `scale ${s.factor}x: ${r.observations}/${distinctObs} observations, ${r.changes}/${distinctChanges} changes`,
      );
    say(`scale-replay ${s.factor}x run ${i}: ${r.wallMs} ms, peak RSS ${fmt(r.peakRssKb / 1024)} MiB`);
    return r;
  } finally {
    await db.drop();
  }
}

async function normalizerRun(b: Bench, s: Size, i: number): Promise<Run> {
  const r = await normalizerDrain(b, b.newPrefix(`scalenorm${s.factor}-${i}`), s.history.raw);
  say(`scale-normalizer ${s.factor}x run ${i}: ${r.wallMs} ms, peak RSS ${fmt(r.peakRssKb / 1024)} MiB`);
  return r;
}

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;

function record(b: Bench, section: string, what: string, sizes: readonly Size[]): void {
  for (const s of sizes) {
    const eps = s.runs.map((r) => s.events / (r.wallMs / 1000));
    b.report.record({
      section,
      figure: `${what}, ${s.factor}x catalog x ${cfg.scaleDays} days (${fmt(s.events)} events)`,
      value: median(eps),
      unit: 'events/s',
      runs: eps,
      note: `wall ${fmt(median(s.runs.map((r) => r.wallMs)) / 1000)} s; steady ${fmt(median(s.runs.map((r) => s.events / (r.steadyMs / 1000))))} ev/s; peak RSS ${fmt(median(s.runs.map((r) => r.peakRssKb)) / 1024)} MiB`,
    });
  }
  const xs = sizes.map((s) => s.events);
  const fit = leastSquares(
    xs,
    sizes.map((s) => median(s.runs.map((r) => r.wallMs)) / 1000),
  );
  // The same fit in each round alone: how much the slope moves from round to round.
  const rounds = sizes[0]!.runs.map(
    (_, i) =>
      leastSquares(
        xs,
        sizes.map((s) => s.runs[i]!.wallMs / 1000),
      ).slope * 1000,
  );
  const rss = sizes.map((s) => median(s.runs.map((r) => r.peakRssKb)) / 1024);
  b.report.record({
    section,
    figure: `${what}: slope of wall time on events (least squares, 1x/4x/16x medians)`,
    value: fit.slope * 1000,
    unit: 's per 1,000 events',
    runs: rounds,
    note:
      `intercept ${fmt(fit.intercept)} s; distance from the line ${sizes.map((s, k) => `${s.factor}x ${pct(fit.relativeResiduals[k]!)}`).join(', ')}; ` +
      `peak RSS ${rss.map((r) => fmt(r)).join(' / ')} MiB (16x = ${fmt(rss[rss.length - 1]! / rss[0]!)}x the 1x)`,
  });
  b.result[section] = sizes.map((s) => ({ factor: s.factor, events: s.events, runs: s.runs }));
}
