// Subscribe to PriceChanged with a handler: decoding, at-least-once delivery (the offset is committed
// only after the handler resolved) and dedupe by event id (a redelivered or re-published event reaches
// the handler once per dedupe store). Between the handler resolving and the dedupe mark being stored a
// crash redelivers the event: handlers must be idempotent, or mark inside their own transaction.
import { createConsumer, decodeKafkaMessage, type Kafka } from '@llmpt/runtime/kafka';
import { topics, type Logger } from '@llmpt/runtime';
import type { PriceChanged } from '@llmpt/schemas';
import type { KafkaMessage } from 'kafkajs';
import { ConsumerError } from './cost/errors.ts';
import type { Queryable } from './price-at.ts';

export interface DedupeStore {
  has(eventId: string): Promise<boolean>;
  add(eventId: string): Promise<void>;
}

/** In-process dedupe: enough within one process lifetime, forgets on restart. */
export function memoryDedupeStore(): DedupeStore & { readonly size: number } {
  const seen = new Set<string>();
  return {
    has: async (id) => seen.has(id),
    add: async (id) => void seen.add(id),
    get size() {
      return seen.size;
    },
  };
}

/** Dedupe in Postgres (table consumer_processed_events, migration 0009), per consumer name. */
export function pgDedupeStore(db: Queryable, consumer: string): DedupeStore {
  return {
    has: async (id) =>
      ((
        await db.query(
          'select 1 from public.consumer_processed_events where consumer = $1 and event_id = $2',
          [consumer, id],
        )
      ).rowCount ?? 0) > 0,
    add: async (id) => {
      await db.query(
        'insert into public.consumer_processed_events (consumer, event_id) values ($1, $2) on conflict do nothing',
        [consumer, id],
      );
    },
  };
}

export interface PriceChangeMeta {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string;
}

export interface SubscribeOptions {
  readonly kafka: Kafka;
  /** One group per consuming application: its committed offsets are where a restart resumes. */
  readonly groupId: string;
  /** Prefix of the pipeline's topic names ('' in production). */
  readonly topicPrefix?: string;
  readonly handler: (event: PriceChanged, meta: PriceChangeMeta) => Promise<void>;
  readonly dedupe?: DedupeStore;
  /** Default true: a new group reads the whole history (the topic keeps everything). */
  readonly fromBeginning?: boolean;
  /**
   * A message that does not decode as PriceChanged. Default: throw, which stops the subscription
   * with the offset uncommitted. Resolve to skip it (e.g. after sending it to a dead-letter store).
   */
  readonly onPoison?: (err: unknown, message: KafkaMessage) => Promise<void>;
  readonly logger?: Logger;
}

export interface Subscription {
  /** Stops consuming after the message in hand is handled and committed. */
  stop(): Promise<void>;
  /** Rejects when the consumer crashes (a handler error included, after kafkajs's retries). */
  readonly crashed: Promise<never>;
}

export async function subscribePriceChanges(o: SubscribeOptions): Promise<Subscription> {
  const topic = `${o.topicPrefix ?? ''}${topics.priceChanged.name}`;
  const consumer = createConsumer(o.kafka, { groupId: o.groupId });
  let crash!: (e: unknown) => void;
  const crashed = new Promise<never>((_, reject) => (crash = reject));
  crashed.catch(() => undefined); // observed by whoever awaits it
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    o.logger?.error({ err: payload.error, groupId: payload.groupId }, 'price-changes subscriber crashed');
    crash(payload.error);
  });
  const handleMessage = async (t: string, partition: number, message: KafkaMessage): Promise<void> => {
    let event: PriceChanged | undefined;
    try {
      const m = decodeKafkaMessage(message);
      if (m.name !== 'PriceChanged')
        throw new ConsumerError('NOT_PRICE_CHANGED', `offset ${message.offset}: a ${m.name} on ${t}`);
      event = m.event;
    } catch (err) {
      if (!o.onPoison) throw err;
      await o.onPoison(err, message);
    }
    if (event && !(await o.dedupe?.has(event.event_id))) {
      await o.handler(event, {
        topic: t,
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? '',
      });
      await o.dedupe?.add(event.event_id);
    }
  };
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: o.fromBeginning ?? true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async (b) => {
      const { batch } = b;
      const { topic: t, partition } = batch;
      for (const message of batch.messages) {
        if (!b.isRunning() || b.isStale()) return;
        await handleMessage(t, partition, message);
        b.resolveOffset(message.offset);
        // The next offset to read: committed only now that the handler is done.
        await consumer.commitOffsets([{ topic: t, partition, offset: String(BigInt(message.offset) + 1n) }]);
        await b.heartbeat();
      }
      // A transactional topic ends batches with a commit marker that is never delivered: commit past
      // it too, or the group would always look one offset behind.
      if (b.isRunning() && !b.isStale())
        await consumer.commitOffsets([
          { topic: t, partition, offset: String(BigInt(batch.lastOffset()) + 1n) },
        ]);
    },
  });
  return { stop: () => consumer.disconnect(), crashed };
}
