// Micro-measurement of the normalizer's handler in valid time (docs/price-model.md §4), in process, no
// broker: the full catalog of one real recorded day (every routed and endpoint price key) observed daily
// for N days (default 65) with one complete snapshot a day, then what one more day's snapshot costs
// (every key's history gets an input, so every key's changelog record is rewritten), a late snapshot, a
// late observation, and a restart's decoding of the changelog. Figures only: nothing here asserts a time.
//   node --expose-gc --import tsx bench/src/micro/normalizer-valid-time.ts [days]
import { performance } from 'node:perf_hooks';
import { sharedData } from '@llmpt/core/paths';
import {
  createNormalizerHandler,
  emptyCounters,
  emptyNormalizerState,
  encodeHistory,
  stateFromChangelog,
  type NormalizerState,
} from '@llmpt/normalizer';
import type { HandlerResult, StageMessage } from '@llmpt/runtime/kafka';
import { encodeEvent, eventId, type CatalogSnapshot, type RawPriceObserved } from '@llmpt/schemas';
import { generateHistory } from '../history.ts';

const DAY = 86_400_000;
const days = Number(process.argv[2] ?? 65);
const modelsFile = sharedData('openrouter/models/openrouter_models_aiscanner_2026-05-18.json');
const endpointsFile = sharedData(
  'openrouter/endpoints/openrouter_endpoints-derived-map_aiscanner_2026-05-18.json',
);
const out = (line: string) => process.stdout.write(`${line}\n`);
const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = () => {
  gc?.();
  return Math.round(process.memoryUsage().heapUsed / 1e6);
};
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
/** Wall and CPU time (the machine is shared: CPU time is the steadier figure). */
interface Took {
  readonly wall: number;
  readonly cpu: number;
}
const ms = (t: Took) => `${Math.round(t.wall)} ms (cpu ${Math.round(t.cpu)} ms)`;
async function timed<T>(fn: () => T | Promise<T>): Promise<{ value: T; took: Took }> {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { value, took: { wall: performance.now() - wall, cpu: (used.user + used.system) / 1000 } };
}

const history = generateHistory({ modelsFile, endpointsFile, days: days + 1, seed: 1 });
const start = history.raw[0]!.fetched_at;
const dayOf = (t: number) => Math.floor((t - start) / DAY);
const rawByDay: RawPriceObserved[][] = Array.from({ length: days + 1 }, () => []);
for (const r of history.raw) rawByDay[dayOf(r.fetched_at)]!.push(r);
const modelsByDay: string[][] = Array.from({ length: days + 1 }, () => []);
for (const m of history.modelDiscovered) modelsByDay[dayOf(m.fetched_at)]!.push(m.model_id);

function snapshotAt(fetchedAt: number, ids: readonly string[]): CatalogSnapshot {
  const day = new Date(fetchedAt).toISOString().slice(0, 10);
  const model_ids = [...new Set(ids)].sort();
  return {
    event_id: eventId('CatalogSnapshot', 'https://openrouter.ai/api/v1/models', day, ...model_ids),
    run_id: `bench-${day}`,
    caused_by: null,
    occurred_at: fetchedAt,
    source_url: 'https://openrouter.ai/api/v1/models',
    fetched_at: fetchedAt,
    snapshot_date: day,
    model_ids,
    expirations: [],
    backfill: false,
  };
}

let offset = 0;
const cpuSince = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1000;
};

const message = (x: RawPriceObserved | CatalogSnapshot): StageMessage =>
  'model_ids' in x
    ? {
        topic: 'catalog',
        partition: 0,
        offset: String(offset++),
        key: null,
        value: encodeEvent('CatalogSnapshot', x),
        decoded: { name: 'CatalogSnapshot', event: x },
      }
    : {
        topic: 'raw',
        partition: 0,
        offset: String(offset++),
        key: null,
        value: encodeEvent('RawPriceObserved', x),
        decoded: { name: 'RawPriceObserved', event: x },
      };

const topics = { normalized: 'n', changed: 'c', retracted: 'r', changelog: 's' };
function normalizer(state: NormalizerState) {
  const h = createNormalizerHandler(state, topics, { alertThreshold: '0.30' }, emptyCounters());
  return async (inputs: readonly (RawPriceObserved | CatalogSnapshot)[]) => {
    const messages = inputs.map(message);
    const { value: r, took: elapsed } = await timed(() => h.handle(messages));
    h.commit();
    return { r, elapsed };
  };
}

function records(r: HandlerResult) {
  const sizes = (r.rawOutputs ?? []).map((o) => o.value?.length ?? 0);
  return { count: sizes.length, bytes: sizes.reduce((a, b) => a + b, 0), max: Math.max(0, ...sizes) };
}

// Build: day by day, the snapshot (fetched just before the day's observations), then the observations.
const state = emptyNormalizerState();
const run = normalizer(state);
const built = { wall: performance.now(), cpu: process.cpuUsage() };
const snapshotCost: string[] = [];
for (let d = 0; d < days; d++) {
  const s = await run([snapshotAt(start + d * DAY - 1, modelsByDay[d]!)]);
  if ([1, 10, 30, days - 1].includes(d)) {
    const rec = records(s.r);
    snapshotCost.push(
      `day ${d}: ${ms(s.elapsed)}, ${rec.count} records, ${mb(rec.bytes)} MB (largest ${(rec.max / 1e3).toFixed(1)} KB)`,
    );
  }
  await run(rawByDay[d]!);
}
const keys = state.histories.size;
const inputs = [...state.histories.values()].reduce((n, h) => n + h.inputs.length, 0);
out(
  `built ${days} days: ${keys} price keys, ${inputs} inputs in their histories, ` +
    `${history.raw.length - rawByDay[days]!.length} observations, in ${Math.round((performance.now() - built.wall) / 1000)} s ` +
    `(cpu ${Math.round(cpuSince(built.cpu) / 1000)} s); heap ${heapMb()} MB`,
);
out(`snapshot batches while building (placement + every key's record):\n  ${snapshotCost.join('\n  ')}`);

// One more day's snapshot, in time: placement plus every key's record, then the encoding alone.
const next = snapshotAt(start + days * DAY - 1, modelsByDay[days]!);
const snap = await run([next]);
const rec = records(snap.r);
out(
  `day ${days}'s snapshot, in time: handle() ${ms(snap.elapsed)}; ${rec.count} changelog records, ` +
    `${mb(rec.bytes)} MB (largest ${(rec.max / 1e3).toFixed(1)} KB, about ${mb(rec.bytes / 3)} MB per partition of 3); ` +
    `${snap.r.outputs?.length ?? 0} events`,
);
const histories = [...state.histories.values()];
const cached = await timed(() => histories.reduce((n, h) => n + encodeHistory(h).length, 0));
// Fresh input objects: nothing cached for them, every input encoded again.
const fresh = histories.map((h) => ({ ...h, inputs: h.inputs.map((x) => ({ ...x })) }));
const uncached = await timed(() => fresh.reduce((n, h) => n + encodeHistory(h).length, 0));
out(
  `encoding every key's record (${mb(cached.value)} MB): ${ms(cached.took)} with the input cache, ` +
    `${ms(uncached.took)} without`,
);

// A late snapshot: the middle day's listing again, fetched an hour later (another position).
const lateSnap = snapshotAt(
  start + Math.floor(days / 2) * DAY + 3_600_000,
  modelsByDay[Math.floor(days / 2)]!,
);
const late = await run([lateSnap]);
out(
  `a late snapshot (day ${Math.floor(days / 2)}, listing every model): handle() ${ms(late.elapsed)}; ` +
    `${late.r.outputs?.length ?? 0} events; ${records(late.r).count} records`,
);

// A late observation: one key, in the middle of its history, at another price.
const sample = rawByDay[Math.floor(days / 2)]![0]!;
const lateObs: RawPriceObserved = {
  ...sample,
  event_id: `${sample.event_id}-late`,
  fetched_at: sample.fetched_at + 3_600_000,
  occurred_at: sample.fetched_at + 3_600_000,
  components: sample.components.map((c) => ({ ...c, raw_value: String(Number(c.raw_value) * 2 || 1) })),
};
const lo = await run([lateObs]);
out(
  `a late observation (${sample.model_id}, day ${Math.floor(days / 2)}): handle() ${ms(lo.elapsed)}; ` +
    `${lo.r.outputs?.length ?? 0} events (${lo.r.outputs?.map((o) => o.name).join(', ')})`,
);

// A restart: every changelog record decoded back (what restoreState does with the records it reads).
const changelog: { key: string; value: Buffer }[] = [];
for (const [key, h] of state.histories) changelog.push({ key, value: encodeHistory(h) });
const heapBefore = heapMb();
const restore = stateFromChangelog();
const decoded = await timed(() => {
  for (const r of changelog) restore.add(r.key, r.value);
  return restore.state();
});
out(
  `restore: ${decoded.value.histories.size} records, ${mb(restore.bytes())} MB decoded in ${ms(decoded.took)}; ` +
    `heap ${heapBefore} MB before, ${heapMb()} MB with both copies`,
);
