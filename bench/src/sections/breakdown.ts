// Where the sink's time goes, stage by stage, in this process (no Kafka): Avro decode, the pure
// projection, and the Postgres store per table, over the history cut in batches the size the sink
// receives from kafkajs (one topic-partition fetch).
import { decodeEvent } from '@llmpt/schemas';
import { toKafkaMessage, type EventMessage } from '@llmpt/runtime/kafka';
import {
  createPostgresStore,
  emptyRows,
  project,
  ROW_LISTS,
  type DecodedEvent,
  type Rows,
} from '@llmpt/sink';
import { breakdownBatch, skip } from '../config.ts';
import type { Bench } from '../bench.ts';
import { freshDatabase } from '../infra.ts';
import { fmt } from '../report.ts';
import { sinkItems } from '../sink-replay.ts';

export async function breakdownSection(b: Bench): Promise<void> {
  if (skip('breakdown')) return;
  const { events, report } = b;
  const db = await freshDatabase('breakdown');
  try {
    const batch = breakdownBatch();
    const bd = await sinkBreakdown(sinkItems(b.history, b.prefix), db.url, batch);
    const eps = (ms: number) => events / (ms / 1000);
    const perTable = Object.entries(bd.storeMs)
      .map(([k, ms]) => `${k} ${fmt(ms)} ms`)
      .join(', ');
    report.record({
      section: 'breakdown',
      figure: `sink stage: Avro decode (in process)`,
      value: eps(bd.decodeMs),
      unit: 'events/s',
      runs: [eps(bd.decodeMs)],
    });
    report.record({
      section: 'breakdown',
      figure: `sink stage: project() (batches of ${batch})`,
      value: eps(bd.projectMs),
      unit: 'events/s',
      runs: [eps(bd.projectMs)],
    });
    report.record({
      section: 'breakdown',
      figure: `sink stage: postgres writeBatch (${bd.batches} batches of ${batch})`,
      value: eps(bd.storeTotalMs),
      unit: 'events/s',
      runs: [eps(bd.storeTotalMs)],
      note: `per table: ${perTable}`,
    });
    b.result.breakdown = bd;
  } finally {
    await db.drop();
  }
}

export interface Breakdown {
  readonly batches: number;
  readonly decodeMs: number;
  readonly projectMs: number;
  /** writeBatch wall time per table (each table written in its own transaction). */
  readonly storeMs: Readonly<Record<keyof Rows, number>>;
  readonly storeTotalMs: number;
}

/** `items` grouped by topic then cut in `batchSize` slices, as a consumer would see them. */
export async function sinkBreakdown(
  items: readonly (EventMessage & { topic: string })[],
  databaseUrl: string,
  batchSize: number,
): Promise<Breakdown> {
  const byTopic = new Map<string, Buffer[]>();
  for (const item of items) {
    const list = byTopic.get(item.topic) ?? [];
    list.push(toKafkaMessage(item).value as Buffer);
    byTopic.set(item.topic, list);
  }
  const batches: Buffer[][] = [];
  for (const list of byTopic.values())
    for (let i = 0; i < list.length; i += batchSize) batches.push(list.slice(i, i + batchSize));

  let t = performance.now();
  const decoded: DecodedEvent[][] = batches.map((b) => b.map((v) => decodeEvent(v) as DecodedEvent));
  const decodeMs = performance.now() - t;
  t = performance.now();
  const projected = decoded.map((d) => project(d));
  const projectMs = performance.now() - t;

  const store = createPostgresStore({ databaseUrl });
  const storeMs = Object.fromEntries(ROW_LISTS.map((list) => [list, 0])) as Record<keyof Rows, number>;
  try {
    for (const rows of projected)
      for (const table of ROW_LISTS) {
        if (rows[table].length === 0) continue;
        const t0 = performance.now();
        await store.writeBatch({ ...emptyRows, [table]: rows[table] });
        storeMs[table] += performance.now() - t0;
      }
  } finally {
    await store.close();
  }
  return {
    batches: batches.length,
    decodeMs,
    projectMs,
    storeMs,
    storeTotalMs: Object.values(storeMs).reduce((a, b) => a + b, 0),
  };
}
