// Where the sink's time goes, stage by stage, in this process (no Kafka): Avro decode, the pure
// projection, and the Postgres store per table, over the history cut in batches the size the sink
// receives from kafkajs (one topic-partition fetch).
import { decodeEvent } from '@llmpt/schemas';
import { toKafkaMessage, type EventMessage } from '@llmpt/runtime/kafka';
import { createPostgresStore } from '../../services/sink/src/adapters/postgres.ts';
import { emptyRows, project, type DecodedEvent, type Rows } from '../../services/sink/src/core/project.ts';

export interface Breakdown {
  readonly batches: number;
  readonly decodeMs: number;
  readonly projectMs: number;
  /** writeBatch wall time per table (each table written in its own transaction). */
  readonly storeMs: Readonly<Record<keyof Rows, number>>;
  readonly storeTotalMs: number;
}

const TABLES = ['providers', 'models', 'modelProviders', 'observations', 'changes'] as const;

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
  const storeMs: Record<keyof Rows, number> = {
    providers: 0,
    models: 0,
    modelProviders: 0,
    observations: 0,
    changes: 0,
  };
  try {
    for (const rows of projected)
      for (const table of TABLES) {
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
