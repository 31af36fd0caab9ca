// Micro-measurement of the normalizer's handler per input event, in process, no broker: the bench's
// normalizer history (the full catalog of one real recorded day, observed daily for N days, default
// 30; no snapshots, as the bench section's topics hold none) in batches of B raw observations (default
// 500, about one kafkajs fetch), in time order, then with the days newest first. Reports the handler's
// CPU per event and the changelog records and bytes it asks the stage to write per input event (what
// the broker then has to take). Figures only: nothing here asserts a time.
//   node --expose-gc --import tsx bench/src/micro/normalizer-handler.ts [days] [batch] [time|newest]
import { performance } from 'node:perf_hooks';
import { sharedData } from '@llmpt/core/paths';
import { createNormalizerHandler, emptyCounters, emptyNormalizerState } from '@llmpt/normalizer';
import type { StageMessage } from '@llmpt/runtime/kafka';
import { encodeEvent, type RawPriceObserved } from '@llmpt/schemas';
import { generateHistory } from '../history.ts';

const days = Number(process.argv[2] ?? 30);
const batchSize = Number(process.argv[3] ?? 500);
const modelsFile = sharedData('openrouter/models/openrouter_models_aiscanner_2026-05-18.json');
const endpointsFile = sharedData(
  'openrouter/endpoints/openrouter_endpoints-derived-map_aiscanner_2026-05-18.json',
);
const out = (line: string) => process.stdout.write(`${line}\n`);
const gc = (globalThis as { gc?: () => void }).gc;

const history = generateHistory({ modelsFile, endpointsFile, days, seed: 42 });
const messages = (raw: readonly RawPriceObserved[]): StageMessage[] =>
  raw.map((x, i) => ({
    topic: 'raw',
    partition: 0,
    offset: String(i),
    key: null,
    value: encodeEvent('RawPriceObserved', x),
    decoded: { name: 'RawPriceObserved', event: x },
  }));

const ORDERS = {
  'in time order': history.raw,
  'newest day first': [...history.raw].sort(
    (a, b) => Math.floor(b.fetched_at / 86_400_000) - Math.floor(a.fetched_at / 86_400_000),
  ),
};

const only = process.argv[4];
for (const [order, raw] of Object.entries(ORDERS)) {
  if (only && !order.startsWith(only === 'time' ? 'in time' : 'newest')) continue;
  const all = messages(raw);
  gc?.();
  const h = createNormalizerHandler(
    emptyNormalizerState(),
    { normalized: 'n', changed: 'c', retracted: 'r', changelog: 's' },
    { alertThreshold: '0.30' },
    emptyCounters(),
  );
  let records = 0;
  let bytes = 0;
  let events = 0;
  const wall = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < all.length; i += batchSize) {
    const r = await h.handle(all.slice(i, i + batchSize));
    h.commit();
    events += r.outputs?.length ?? 0;
    for (const o of r.rawOutputs ?? []) {
      records++;
      bytes += o.value?.length ?? 0;
    }
  }
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const wallMs = performance.now() - wall;
  out(
    `${order}: ${all.length} in (${days} days, batches of ${batchSize}); handler cpu ${Math.round(cpuMs)} ms ` +
      `= ${Math.round((all.length / cpuMs) * 1000)} ev/s per core (wall ${Math.round(wallMs)} ms); ` +
      `${events} events out; changelog ${records} records, ${(bytes / 1e6).toFixed(1)} MB ` +
      `(${(bytes / all.length / 1e3).toFixed(2)} KB per input)`,
  );
}
