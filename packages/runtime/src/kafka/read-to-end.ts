import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { createConsumer } from './kafka.ts';
import { currentWire } from './wire.ts';

export interface TopicRecord {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
}

export interface ReadToEndResult {
  /** Records handed to `onRecord` (control records of transactions excluded). */
  readonly records: number;
  /** Per topic, per partition: the end offsets read up to (the high watermarks at start). */
  readonly ends: Readonly<Record<string, Readonly<Record<number, string>>>>;
}

/**
 * Reads topics from the beginning up to the high watermarks seen at start, in log order per
 * partition, read committed (aborted transactions are never seen), and returns. kafkajs has no
 * manual assignment: a throwaway group that never commits reads from the start. For tools that
 * rebuild something from the event store (the normalizer's state, PriceChanged, the dead letters).
 */
export async function readToEnd(
  kafka: Kafka,
  topics: readonly string[],
  onRecord: (r: TopicRecord) => void,
  opts: { readonly groupPrefix?: string; readonly readUncommitted?: boolean } = {},
): Promise<ReadToEndResult> {
  const admin = kafka.admin();
  await admin.connect();
  const remaining = new Map<string, bigint>();
  const ends: Record<string, Record<number, string>> = {};
  try {
    for (const topic of topics) {
      ends[topic] = {};
      for (const p of await admin.fetchTopicOffsets(topic)) {
        ends[topic][p.partition] = p.high;
        if (BigInt(p.high) > BigInt(p.low)) remaining.set(`${topic}:${p.partition}`, BigInt(p.high));
      }
    }
  } finally {
    await admin.disconnect();
  }
  let records = 0;
  if (remaining.size === 0) return { records, ends };
  // A consumer that restarts before it ever commits (e.g. "coordinator loading" on a fresh group)
  // fetches the same offsets again: each offset is handed over once.
  const next = new Map<string, bigint>();
  const consumer = createConsumer(kafka, {
    groupId: `${opts.groupPrefix ?? 'read-to-end'}-${randomUUID()}`,
    readUncommitted: opts.readUncommitted ?? false,
    maxWaitTimeInMs: 250,
  });
  await consumer.connect();
  try {
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const reached = (id: string, lastOffset: string) => {
        const end = remaining.get(id);
        if (end !== undefined && BigInt(lastOffset) + 1n >= end) remaining.delete(id);
        if (remaining.size === 0) resolve();
      };
      // A fetch holding only control records (the commit marker after a record batch fetched alone,
      // e.g. a record bigger than the fetch size) or only aborted ones never reaches eachBatch: kafkajs
      // resolves it and reports it here only, so a partition ending that way would never end.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
        reached(`${payload.topic}:${payload.partition}`, payload.lastOffset),
      );
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const id = `${batch.topic}:${batch.partition}`;
            const end = remaining.get(id);
            // Writer schemas of registry-framed values, so that onRecord can decode synchronously.
            await currentWire().prepare(batch.messages.map((m) => m.value));
            for (const message of batch.messages) {
              const offset = BigInt(message.offset);
              // Past the end seen at start: somebody produced meanwhile; the next run reads it.
              if (end === undefined || offset >= end) break;
              if (offset < (next.get(id) ?? 0n)) continue;
              next.set(id, offset + 1n);
              records++;
              onRecord({ topic: batch.topic, partition: batch.partition, message });
            }
            // lastOffset() covers trailing control records, so a partition ending in a commit marker ends.
            reached(id, batch.lastOffset());
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return { records, ends };
}
