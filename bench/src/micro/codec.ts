// Micro-measurement of the Avro codec, in process, no broker: decode and encode of the events the sink
// and the normalizer read and write (the bench's deterministic history, every event type of it), the
// current codec against the reference path it replaced (decodeEventReference: bounded scan, avsc,
// deep copy; encodeEventReference: validation with paths, toBuffer, concatenated header), the two
// interleaved round by round in one process. Figures only: nothing here asserts a time.
//   node --import tsx bench/src/micro/codec.ts [days] [rounds]
import { performance } from 'node:perf_hooks';
import {
  decodeEvent,
  decodeEventReference,
  encodeEvent,
  encodeEventReference,
  type EventName,
} from '@llmpt/schemas';
import { endpointsFile, modelsFile } from '../config.ts';
import { generateHistory } from '../history.ts';

const days = Number(process.argv[2] ?? 10);
const rounds = Math.max(5, Number(process.argv[3] ?? 7));
const out = (line: string) => process.stdout.write(`${line}\n`);

const h = generateHistory({ modelsFile, endpointsFile, days, seed: 42 });
const sets: [EventName, readonly unknown[]][] = [
  ['ModelDiscovered', h.modelDiscovered],
  ['RawPriceObserved', h.raw],
  ['NormalizedPrice', h.normalized],
  ['PriceChanged', h.changed],
];

interface Took {
  readonly wall: number;
  readonly cpu: number;
}
function timed(fn: () => void): Took {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  fn();
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - wall, cpu: (used.user + used.system) / 1000 };
}
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const variants = {
  'decode before': (bufs: readonly Buffer[]) => () => {
    for (const b of bufs) decodeEventReference(b);
  },
  'decode after': (bufs: readonly Buffer[]) => () => {
    for (const b of bufs) decodeEvent(b);
  },
} as const;

out(`codec micro-bench: ${days} days of history, ${rounds} rounds, medians (events/s by wall; by CPU)`);
for (const [name, events] of sets) {
  const bufs = events.map((e) => encodeEvent(name, e as never));
  const bytes = bufs.reduce((n, b) => n + b.length, 0);
  const runs: Record<string, Took[]> = {
    'decode before': [],
    'decode after': [],
    'encode before': [],
    'encode after': [],
  };
  // Warm-up round, not counted: every path compiled by V8 before the first timed one.
  variants['decode before'](bufs)();
  variants['decode after'](bufs)();
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first, so neither always meets a colder cache or a collection left over.
    const order = r % 2 ? ['after', 'before'] : ['before', 'after'];
    for (const which of order) {
      runs[`decode ${which}`]!.push(timed(variants[`decode ${which}` as keyof typeof variants](bufs)));
      const encode = which === 'after' ? encodeEvent : encodeEventReference;
      runs[`encode ${which}`]!.push(
        timed(() => {
          for (const e of events) encode(name, e as never);
        }),
      );
    }
  }
  const rate = (k: string, f: keyof Took) => events.length / (median(runs[k]!.map((t) => t[f])) / 1000);
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  out(`${name}: ${events.length} events, ${Math.round(bytes / events.length)} bytes on average`);
  for (const op of ['decode', 'encode']) {
    const before = rate(`${op} before`, 'cpu');
    const after = rate(`${op} after`, 'cpu');
    out(
      `  ${op}: before ${fmt(rate(`${op} before`, 'wall'))} ev/s (cpu ${fmt(before)}), ` +
        `after ${fmt(rate(`${op} after`, 'wall'))} ev/s (cpu ${fmt(after)}); ×${(after / before).toFixed(2)} by CPU`,
    );
  }
}
