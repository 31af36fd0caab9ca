// The floors of the normalizer's figure (issue 18), measured on the normalizer's own input:
// - `eos`: kafkajs doing the least any exactly-once stage does: read_committed fetches of the raw topic,
//   one Kafka transaction per fetched partition batch that sends one record per input (the input's own
//   key and bytes, so no less than the NormalizedPrice each input yields) plus the batch's offsets, and
//   commits. No decoding, no state, no changelog: whatever the normalizer does comes on top.
// - `start`: a normalizer process from spawn until its group is Stable with it as member (empty topics):
//   the fixed cost inside the normalizer's wall-time figure, which starts at spawn.
import { topics } from '@llmpt/runtime';
import { createConsumer, createProducer, type Kafka } from '@llmpt/runtime/kafka';
import { createTestTopics } from '@llmpt/testkit';
import { cfg, endpointsFile, modelsFile, skip } from '../config.ts';
import type { Bench } from '../bench.ts';
import { generateHistory } from '../history.ts';
import { cpuBetween, describeCpu, sampleCpu, type CpuUse } from '../cpu.ts';
import { load, median, medianRun, produceAll, waitGroupsJoined } from '../infra.ts';
import { fmt, perSecond } from '../report.ts';
import { rawItems, settingsFor, start } from '../sink-replay.ts';

export async function floorSection(b: Bench): Promise<void> {
  if (skip('floor')) return;
  const { kafka } = b;
  const raw = generateHistory({ modelsFile, endpointsFile, days: cfg.normalizerDays, seed: cfg.seed }).raw;
  const eos: number[] = [];
  const cpu: CpuUse[] = [];
  const starts: number[] = [];
  for (let i = 0; i < cfg.runs; i++) {
    const np = b.newPrefix(`floor${i}`);
    await createTestTopics(np, { kafka, partitions: cfg.partitions });
    await produceAll(kafka, rawItems(raw, np));
    eos.push(await copyInTransactions(kafka, np, cpu));
    starts.push(await timeToJoin(b, b.newPrefix(`floorstart${i}`)));
  }
  b.report.loads.push(`floor: ${load()}`);
  b.report.record({
    section: 'limits',
    figure: `kafkajs exactly-once, no work (normalizer's input: ${raw.length} raw, one record out per input)`,
    ...perSecond(raw.length, eos),
    unit: 'events/s',
    note: `median ${fmt(median(eos))} ms; one transaction per partition batch, read_committed, acks=all; median run: ${describeCpu(
      medianRun(
        cpu.map((c, i) => ({ c, ms: eos[i]! })),
        (r) => r.ms,
      ).c,
      'kafkajs',
    )}`,
  });
  b.report.record({
    section: 'limits',
    figure: 'normalizer process start: spawn until its group is Stable with it',
    value: median(starts),
    unit: 'ms',
    runs: starts,
    note: `at 20,000 events/s the normalizer's ${raw.length} inputs take ${fmt(raw.length / 20)} ms`,
  });
  b.result.floor = { eosMs: eos, startMs: starts, inputs: raw.length };
}

/** Consume -> produce (the same key and value) -> offsets, one transaction per batch, until no lag (ms). */
async function copyInTransactions(k: Kafka, prefix: string, cpuUse: CpuUse[]): Promise<number> {
  const input = prefix + topics.rawPriceObserved.name;
  const output = prefix + topics.normalizedPrice.name;
  const groupId = `${prefix}floor-eos`;
  const admin = k.admin();
  await admin.connect();
  const remaining = new Map<number, bigint>();
  for (const p of await admin.fetchTopicOffsets(input))
    if (BigInt(p.high) > BigInt(p.low)) remaining.set(p.partition, BigInt(p.high) - 1n);
  await admin.disconnect();
  const producer = createProducer(k, { transactionalId: `${prefix}floor-eos-tx` });
  const consumer = createConsumer(k, {
    groupId,
    maxWaitTimeInMs: 100,
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
  });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: input, fromBeginning: true });
  let done!: () => void;
  let failed!: (err: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => ((done = resolve), (failed = reject)));
  const t0 = Date.now();
  const cpu0 = sampleCpu();
  const own0 = process.cpuUsage();
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      try {
        if (batch.messages.length === 0) return;
        const tx = await producer.transaction();
        await tx.send({
          topic: output,
          acks: -1,
          messages: batch.messages.map((m) => ({ key: m.key, value: m.value })),
        });
        await tx.sendOffsets({
          consumerGroupId: groupId,
          topics: [
            {
              topic: batch.topic,
              partitions: [{ partition: batch.partition, offset: String(BigInt(batch.lastOffset()) + 1n) }],
            },
          ],
        });
        await tx.commit();
        const target = remaining.get(batch.partition);
        if (target !== undefined && BigInt(batch.lastOffset()) >= target) remaining.delete(batch.partition);
        if (remaining.size === 0) done();
      } catch (err) {
        failed(err);
      }
    },
  });
  try {
    await finished;
    const ms = Date.now() - t0;
    const own = process.cpuUsage(own0);
    cpuUse.push(cpuBetween(cpu0, sampleCpu(), (own.user + own.system) / 1e6));
    return ms;
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
}

/** A normalizer process on empty topics: ms from spawn until its group is Stable with a member. */
async function timeToJoin(b: Bench, prefix: string): Promise<number> {
  await createTestTopics(prefix, { kafka: b.kafka, partitions: cfg.partitions });
  const t0 = Date.now();
  const proc = start('normalizer', settingsFor(b.env, prefix, 'postgres'), { LOG_LEVEL: 'warn' });
  try {
    await waitGroupsJoined(b.kafka, [`${prefix}pricing-normalizer`]);
    return Date.now() - t0;
  } finally {
    await proc.stop();
  }
}
