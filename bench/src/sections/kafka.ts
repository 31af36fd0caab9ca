// The broker's limit for the same input: kafkajs consuming the replay topics and doing nothing.
import { createConsumer, type Kafka } from '@llmpt/runtime/kafka';
import { cfg, skip } from '../config.ts';
import type { Bench } from '../bench.ts';
import { median } from '../infra.ts';
import { perSecond } from '../report.ts';
import { sinkTopics } from '../sink-replay.ts';

export async function kafkaSection(b: Bench): Promise<void> {
  if (skip('kafka')) return;
  const { events, prefix, replayWallMs } = b;
  const times: number[] = [];
  for (let i = 0; i < cfg.runs; i++)
    times.push(await consumeNothing(b.kafka, sinkTopics(prefix), `${prefix}bench-null-${i}`));
  const ms = median(times);
  b.report.record({
    section: 'limits',
    figure: 'kafkajs consume, no work (same topics)',
    ...perSecond(events, times),
    unit: 'events/s',
    note: replayWallMs[1] ? `replay = ${(ms / replayWallMs[1]).toFixed(2)}x of it` : undefined,
  });
}

async function consumeNothing(k: Kafka, names: readonly string[], groupId: string): Promise<number> {
  const admin = k.admin();
  await admin.connect();
  const remaining = new Map<string, bigint>();
  for (const topic of names)
    for (const p of await admin.fetchTopicOffsets(topic))
      if (BigInt(p.high) > BigInt(p.low)) remaining.set(`${topic}/${p.partition}`, BigInt(p.high) - 1n);
  await admin.disconnect();
  const consumer = createConsumer(k, { groupId, maxWaitTimeInMs: 100 });
  const t0 = Date.now();
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.connect();
  for (const topic of names) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const key = `${batch.topic}/${batch.partition}`;
      const target = remaining.get(key);
      if (target !== undefined && BigInt(batch.lastOffset()) >= target) remaining.delete(key);
      if (remaining.size === 0) done();
      return Promise.resolve();
    },
  });
  await finished;
  const ms = Date.now() - t0;
  await consumer.disconnect();
  return ms;
}
