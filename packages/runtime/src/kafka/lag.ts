import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from '../core/logger.ts';
import { metric } from '../core/metrics.ts';
import { baseTopicName } from '../core/topics.ts';

/** Messages a consumer group has not committed yet, summed over the partitions of the given topics. */
export async function groupLag(admin: Admin, groupId: string, topics: readonly string[]): Promise<bigint> {
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  let lag = 0n;
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const mine = committed.find((c) => c.topic === topic);
    for (const end of ends) {
      const c = mine?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      // A group that never committed on a partition has consumed nothing of it (-1).
      const from = BigInt(c) < 0n ? BigInt(end.low) : BigInt(c);
      const diff = BigInt(end.high) - from;
      if (diff > 0n) lag += diff;
    }
  }
  return lag;
}

/** Sum of the high watermarks of the topics: it stops moving once nothing is produced any more. */
export async function highWatermarks(admin: Admin, topics: readonly string[]): Promise<bigint> {
  let sum = 0n;
  for (const topic of topics) for (const p of await admin.fetchTopicOffsets(topic)) sum += BigInt(p.high);
  return sum;
}

/** One partition's lag: records a group has not committed yet. */
export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly lag: bigint;
}

/** Per-partition lag of a group on the given topics (the terms of groupLag, not summed). */
export async function partitionLags(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
): Promise<PartitionLag[]> {
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  const out: PartitionLag[] = [];
  for (const topic of topics) {
    const mine = committed.find((c) => c.topic === topic);
    for (const end of await admin.fetchTopicOffsets(topic)) {
      const c = mine?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      const from = BigInt(c) < 0n ? BigInt(end.low) : BigInt(c);
      const diff = BigInt(end.high) - from;
      out.push({ topic, partition: end.partition, lag: diff > 0n ? diff : 0n });
    }
  }
  return out;
}

export interface LagGaugeOptions {
  readonly kafka: Kafka;
  readonly stage: string;
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Between polls: each poll is one offsets request for the group plus one per topic. */
  readonly intervalMs: number;
  readonly logger?: Logger;
}

/**
 * Keeps `llmpt_consumer_lag` current for a stage's group: one poll at start, then every `intervalMs`
 * (not per batch: a stuck consumer has no batches, and its lag is exactly what must show). A failed poll
 * keeps the last values and counts `llmpt_consumer_lag_poll_errors_total`.
 */
export function startLagGauge(o: LagGaugeOptions): { stop: () => Promise<void> } {
  const gauge = metric('llmpt_consumer_lag');
  const errors = metric('llmpt_consumer_lag_poll_errors_total');
  const admin = o.kafka.admin();
  let connected: Promise<void> | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const poll = async () => {
    try {
      connected ??= admin.connect();
      await connected;
      for (const l of await partitionLags(admin, o.groupId, o.topics))
        gauge.set(
          { stage: o.stage, group: o.groupId, topic: baseTopicName(l.topic), partition: String(l.partition) },
          Number(l.lag),
        );
    } catch (err) {
      connected = undefined;
      errors.inc({ stage: o.stage });
      o.logger?.debug({ err }, 'consumer lag poll failed');
    }
  };
  const tick = () => {
    if (!stopped && !running) running = poll().finally(() => (running = undefined));
  };
  tick();
  const timer = setInterval(tick, o.intervalMs);
  timer.unref();
  return {
    // Never holds up a shutdown: a poll in flight (the broker away, kafkajs retrying) is abandoned, and the
    // admin client gets two seconds to disconnect.
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([
        admin.disconnect().catch(() => undefined),
        new Promise<void>((resolve) => (timeout = setTimeout(resolve, 2_000))),
      ]);
      clearTimeout(timeout);
    },
  };
}
