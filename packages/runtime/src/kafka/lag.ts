import type { Admin } from 'kafkajs';

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
