import {
  createConsumer,
  createKafka,
  decodeKafkaMessage,
  ensureTopics,
  type DecodedMessage,
  type Kafka,
} from '@llmpt/runtime/kafka';
import { PLAINTEXT_SECURITY, prefixedTopics, topics, type Logger } from '@llmpt/runtime';
import { pino } from 'pino';
import { stackEnv } from './env.ts';
import { uniquePrefix, waitFor } from './wait.ts';

export type TopicKey = keyof typeof topics;

/**
 * A kafkajs client on the local stack with fast retries (tests should fail fast, not back off for
 * minutes). kafkajs logs every retried protocol error (coordinator loading, leader moving) at error
 * level, so test logs are off unless TEST_LOG_LEVEL is set (e.g. TEST_LOG_LEVEL=debug).
 */
export function testKafka(clientId = 'test', logger?: Logger): Kafka {
  return createKafka({
    brokers: stackEnv().kafkaBrokers,
    clientId,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
    logger: logger ?? pino({ name: clientId, level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    // The shared stack's plaintext listener (its ANONYMOUS principal is a super user).
    security: PLAINTEXT_SECURITY,
  });
}

/** Creates every pipeline topic under `prefix`; returns their names by key (e.g. `names.priceChanged`). */
export async function createTestTopics(
  prefix: string,
  opts: { kafka?: Kafka; partitions?: number } = {},
): Promise<Record<TopicKey, string>> {
  const kafka = opts.kafka ?? testKafka('create-test-topics');
  await ensureTopics(kafka, prefixedTopics(prefix), {
    partitions: opts.partitions ?? 3,
    replicationFactor: 1,
  });
  return Object.fromEntries(Object.entries(topics).map(([k, t]) => [k, `${prefix}${t.name}`])) as Record<
    TopicKey,
    string
  >;
}

/** Deletes every topic whose name starts with `prefix` (test topics would otherwise pile up on the broker). */
export async function deleteTestTopics(prefix: string, opts: { kafka?: Kafka } = {}): Promise<string[]> {
  if (!prefix.startsWith('t.'))
    throw new Error(`deleteTestTopics: ${prefix} is not a uniquePrefix() test prefix`);
  const admin = (opts.kafka ?? testKafka('delete-test-topics')).admin();
  await admin.connect();
  try {
    const doomed = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (doomed.length > 0) await admin.deleteTopics({ topics: doomed });
    return doomed;
  } finally {
    await admin.disconnect();
  }
}

export type ConsumedEvent = DecodedMessage & {
  readonly topic: string;
  readonly partition: number;
  /** Headers as strings (the first value of a repeated header). */
  readonly headers: Readonly<Record<string, string>>;
};

export interface ConsumeAllOptions {
  /** Stop once this many events arrived. Without it: stop once caught up with the topic's end at the call. */
  readonly count?: number;
  /** Default true. Reading "until caught up" needs it. */
  readonly fromBeginning?: boolean;
  /** Default: a fresh unique group, so nothing is skipped because of earlier commits. */
  readonly groupId?: string;
  readonly readUncommitted?: boolean;
  readonly timeoutMs?: number;
}

/**
 * Consumes a topic and returns its decoded events in arrival order (per partition, offset order).
 * "Caught up" compares the last offset fetched (control records of transactions included) with the end
 * offsets taken at the call, so the end is known without waiting for idleness.
 */
export async function consumeAll(
  kafka: Kafka,
  topic: string,
  opts: ConsumeAllOptions = {},
): Promise<ConsumedEvent[]> {
  const fromBeginning = opts.fromBeginning ?? true;
  if (opts.count === undefined && !fromBeginning)
    throw new Error('consumeAll: give a count when not reading from the beginning');

  const remaining = new Map<number, bigint>(); // partition -> last offset still to reach
  if (opts.count === undefined) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const p of await admin.fetchTopicOffsets(topic))
        if (BigInt(p.high) > BigInt(p.low)) remaining.set(p.partition, BigInt(p.high) - 1n);
    } finally {
      await admin.disconnect();
    }
  }

  const events: ConsumedEvent[] = [];
  // A consumer that restarts before committing (e.g. "coordinator loading" on a fresh group) fetches
  // the same offsets again: the log holds each offset once, so does the result.
  const seen = new Set<string>();
  const consumer = createConsumer(kafka, {
    groupId: opts.groupId ?? `${uniquePrefix(topic)}consume-all`,
    readUncommitted: opts.readUncommitted ?? false,
    maxWaitTimeInMs: 200,
  });
  const done = () => (opts.count !== undefined ? events.length >= opts.count : remaining.size === 0);
  let failure: unknown;
  try {
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const target = remaining.get(payload.partition);
      if (target !== undefined && BigInt(payload.lastOffset) >= target) remaining.delete(payload.partition);
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning });
    await consumer.run({
      eachMessage: ({ topic: t, partition, message }) => {
        try {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) {
            const first = Array.isArray(v) ? v[0] : v;
            if (first !== undefined) headers[k] = first.toString();
          }
          if (seen.has(`${partition}:${message.offset}`)) return Promise.resolve();
          seen.add(`${partition}:${message.offset}`);
          events.push({ ...decodeKafkaMessage(message), topic: t, partition, headers });
        } catch (err) {
          failure ??= err;
        }
        return Promise.resolve();
      },
    });
    await waitFor(() => failure !== undefined || done(), {
      timeoutMs: opts.timeoutMs ?? 60_000,
      intervalMs: 50,
      message:
        opts.count !== undefined
          ? `${opts.count} events on ${topic} (got ${events.length})`
          : `the end of ${topic} (partitions behind: ${[...remaining.keys()].join(',')})`,
    });
  } finally {
    await consumer.disconnect();
  }
  if (failure !== undefined)
    throw failure instanceof Error ? failure : new Error('consumeAll failed', { cause: failure });
  return events;
}
