import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { createConsumer, type Logger } from '@llmpt/runtime';
import { decodeState, type LastPrice } from '../state.ts';

/**
 * Rebuilds the last price per key from the compacted changelog topic: read every partition from the
 * beginning up to the high watermark seen at start (the normalizer is the only writer, and it is not
 * running yet). The database is never consulted: the topics are the truth.
 */
export async function restoreState(
  kafka: Kafka,
  topic: string,
  logger: Logger,
): Promise<Map<string, LastPrice>> {
  const started = Date.now();
  const state = new Map<string, LastPrice>();
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(
    ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => [e.partition, BigInt(e.high)]),
  );
  if (remaining.size === 0) return state;
  // kafkajs has no manual assignment: a throwaway group that never commits reads from the start.
  const consumer = createConsumer(kafka, { groupId: `normalizer-restore-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let records = 0;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const key = m.key?.toString('utf8');
            if (!key) continue;
            records++;
            if (m.value) state.set(key, decodeState(m.value));
            else state.delete(key);
          }
          const end = remaining.get(batch.partition);
          if (end !== undefined && BigInt(batch.lastOffset()) + 1n >= end) remaining.delete(batch.partition);
          if (remaining.size === 0) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  logger.info(
    { keys: state.size, records, ms: Date.now() - started },
    'normalizer state restored from changelog',
  );
  return state;
}
