// Follows a topic from a starting point and hands each decoded, filtered event to `write`. Reads
// without committing (a throwaway consumer group), so tailing never moves anyone's offsets.
import { randomUUID } from 'node:crypto';
import { createConsumer, decodeKafkaMessage, prepareDecode, type Kafka } from '@llmpt/runtime/kafka';
import { ConsumerError } from '../cost/errors.ts';
import { formatLine, matchesFilters, summaryOf, type TailFilters, type TailLine } from './format.ts';

/** earliest, latest, or a time: start at each partition's first offset at or after it. */
export type TailFrom = 'earliest' | 'latest' | Date;

export interface TailOptions extends TailFilters {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly from: TailFrom;
  /** Stop once caught up with the end offsets taken at the start (default: follow forever). */
  readonly exitAtEnd?: boolean;
  readonly write: (line: string, parsed: TailLine) => void;
  readonly signal?: AbortSignal;
}

export function parseFrom(text: string): TailFrom {
  if (text === 'earliest' || text === 'latest') return text;
  const d = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(d.getTime()))
    throw new ConsumerError(
      'TAIL_FROM_INVALID',
      `--from must be earliest, latest or an ISO time, got ${text}`,
    );
  return d;
}

/** Resolves when stopped (signal) or, with exitAtEnd, when caught up; returns the number of lines written. */
export async function tailTopic(o: TailOptions): Promise<number> {
  const admin = o.kafka.admin();
  await admin.connect();
  let start: Map<number, string>;
  let end: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(o.topic);
    end = new Map(offsets.map((p) => [p.partition, BigInt(p.high)]));
    if (o.from instanceof Date) {
      const at = await admin.fetchTopicOffsetsByTimestamp(o.topic, o.from.getTime());
      // -1 (no message at or after the time) means the end.
      start = new Map(
        at.map((p) => [p.partition, p.offset === '-1' ? String(end.get(p.partition) ?? 0n) : p.offset]),
      );
    } else {
      start = new Map(offsets.map((p) => [p.partition, o.from === 'earliest' ? p.low : p.high]));
    }
  } finally {
    await admin.disconnect();
  }
  // Partitions still behind: position < end offset at the start.
  const behind = new Set([...end].filter(([p, high]) => BigInt(start.get(p) ?? '0') < high).map(([p]) => p));

  let written = 0;
  const consumer = createConsumer(o.kafka, { groupId: `llmpt-tail-${randomUUID()}`, maxWaitTimeInMs: 500 });
  let finish!: () => void;
  let fail!: (e: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const checkEnd = () => {
    if (o.exitAtEnd && behind.size === 0) finish();
  };
  o.signal?.addEventListener('abort', () => finish(), { once: true });
  consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error));
  // A transactional topic ends with a commit marker that is never delivered as a message: the batch's
  // lastOffset counts it, so "caught up" is decided per batch, after its messages were written.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const high = end.get(payload.partition);
    if (high !== undefined && BigInt(payload.lastOffset) + 1n >= high) behind.delete(payload.partition);
    checkEnd();
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: o.topic, fromBeginning: o.from === 'earliest' });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        await prepareDecode([message.value]);
        const m = decodeKafkaMessage(message);
        if (matchesFilters(m, o)) {
          const summary = summaryOf(m);
          const line: TailLine = {
            topic,
            partition,
            offset: message.offset,
            key: m.key,
            type: m.name,
            event: m.event,
            ...(summary === undefined ? {} : { summary }),
          };
          o.write(formatLine(line), line);
          written++;
        }
      },
    });
    for (const [partition, offset] of start) consumer.seek({ topic: o.topic, partition, offset });
    checkEnd();
    await done;
  } finally {
    await consumer.disconnect();
  }
  return written;
}
