// What the sections share: the stack, a Kafka client, the report, the replay history produced once to
// its own topics, and what one section leaves for the next (the replay's wall time, for the ratios).
import { pino, type Logger } from 'pino';
import { type Kafka } from '@llmpt/runtime/kafka';
import { project, rowCount, type DecodedEvent, type Rows } from '@llmpt/sink';
import { createTestTopics, type StackEnv } from '@llmpt/testkit';
import { cfg, endpointsFile, modelsFile } from './config.ts';
import { generateHistory, type History } from './history.ts';
import { produceAll } from './infra.ts';
import { say, type Report } from './report.ts';
import { sinkItems } from './sink-replay.ts';

export interface Bench {
  readonly env: StackEnv;
  readonly kafka: Kafka;
  /** For in-process stage code that wants a logger. */
  readonly quiet: Logger;
  readonly report: Report;
  /** Written to .cache/bench/results.json at the end; sections add their raw figures. */
  readonly result: Record<string, unknown>;
  /** The replay history (BENCH_DAYS days), its rows as the sink projects them, and its topics. */
  readonly history: History;
  readonly rows: Rows;
  readonly events: number;
  readonly distinctObs: number;
  readonly distinctChanges: number;
  readonly prefix: string;
  /** Median wall time (ms) of the replay through n sink processes, once the replay section ran. */
  readonly replayWallMs: Record<number, number>;
  /** A unique topic prefix, remembered so its topics are deleted at the end. */
  newPrefix(label: string): string;
}

/** Generates the replay history, produces it to fresh topics and opens the result. */
export async function createBench(
  base: Pick<Bench, 'env' | 'kafka' | 'report' | 'newPrefix'>,
): Promise<Bench> {
  const history = generateHistory({ modelsFile, endpointsFile, days: cfg.days, seed: cfg.seed });
  const decoded: DecodedEvent[] = [
    ...history.modelDiscovered.map((event) => ({ name: 'ModelDiscovered' as const, event })),
    ...history.raw.map((event) => ({ name: 'RawPriceObserved' as const, event })),
    ...history.normalized.map((event) => ({ name: 'NormalizedPrice' as const, event })),
    ...history.changed.map((event) => ({ name: 'PriceChanged' as const, event })),
  ];
  const rows: Rows = project(decoded);
  const events = decoded.length;
  const distinctObs = new Set(history.normalized.map((e) => e.event_id)).size;
  const distinctChanges = new Set(history.changed.map((e) => e.event_id)).size;
  say(
    `history: ${cfg.days} days, ${events} events (${history.modelDiscovered.length} ModelDiscovered, ${history.raw.length} RawPriceObserved, ` +
      `${history.normalized.length} NormalizedPrice, ${history.changed.length} PriceChanged) -> ${rowCount(rows)} rows`,
  );
  const prefix = base.newPrefix('replay');
  await createTestTopics(prefix, { kafka: base.kafka, partitions: cfg.partitions });
  const t = Date.now();
  await produceAll(base.kafka, sinkItems(history, prefix));
  say(`produced to ${prefix}* (${cfg.partitions} partitions) in ${Date.now() - t} ms`);
  const result: Record<string, unknown> = {
    config: cfg,
    history: {
      events,
      modelDiscovered: history.modelDiscovered.length,
      raw: history.raw.length,
      normalized: history.normalized.length,
      changed: history.changed.length,
      rows: rowCount(rows),
    },
  };
  return {
    ...base,
    quiet: pino({ level: 'silent' }),
    result,
    history,
    rows,
    events,
    distinctObs,
    distinctChanges,
    prefix,
    replayWallMs: {},
  };
}
