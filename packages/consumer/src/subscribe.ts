// Subscribe to PriceChanged with a handler, and optionally to PriceChangeRetracted (docs/price-model.md
// §4.4) with a second one: decoding, at-least-once delivery (the offset is committed only after the
// handler resolved) and dedupe (a redelivered or re-published event reaches its handler once per dedupe
// store). A PriceChanged is deduped by its version, (event id, digest) (§4.3): a late input can publish a
// second version of an id, which must reach the handler too. A retraction record is deduped by its own
// event id (unique per record). Between the handler resolving and the dedupe mark being stored a crash
// redelivers the event: handlers must be idempotent, or mark inside their own transaction.
import { createConsumer, decodeKafkaMessage, prepareDecode, type Kafka } from '@llmpt/runtime/kafka';
import { topics, type Logger } from '@llmpt/runtime';
import type { PriceChanged, PriceChangeRetracted } from '@llmpt/schemas';
import type { KafkaMessage } from 'kafkajs';
import { ConsumerError } from './cost/errors.ts';
import type { Queryable } from './price-at.ts';
import { changeVersion } from './versions.ts';

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

/**
 * Dedupe in Postgres (table consumer_processed_events, migration 0009), per consumer name. Its
 * event_id column holds what the subscription dedupes by: a PriceChanged's version
 * (`versionOf(event_id, digest)`) or a retraction record's event id. Marks stored before versions were
 * introduced hold a bare event id and match nothing now: at worst an event redelivered across the
 * upgrade is handled once more, which at-least-once handlers already allow.
 */
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
  /**
   * Each version of a change once. An event id can come twice with different content (another
   * `previous_observed_at`, docs/price-model.md §4.3): two versions, the later one usually with a
   * retraction of the earlier. Key what you keep by `changeVersion(event)` (or
   * `versionOf(event.event_id, changeDigest(event))`), not by event id, and take as in force the
   * versions whose highest-revision retraction record, if any, says `retracted: false`
   * (`versionsInForce()` does that in memory).
   */
  readonly handler: (event: PriceChanged, meta: PriceChangeMeta) => Promise<void>;
  /**
   * When given, the subscription also reads the retraction topic (same group, same delivery and
   * dedupe). A record names a version (`retracted_event_id`, `retracted_digest`) and says whether it
   * is no longer in force (`retracted: true`) or in force again (`false`); for a version the record
   * with the highest `revision` wins, whichever topic arrives first. Without it, retractions are not
   * read and every version handed to `handler` looks in force.
   */
  readonly onRetraction?: (record: PriceChangeRetracted, meta: PriceChangeMeta) => Promise<void>;
  readonly dedupe?: DedupeStore;
  /** Default true: a new group reads the whole history (the topic keeps everything). */
  readonly fromBeginning?: boolean;
  /**
   * A message that does not decode as the topic's event (PriceChanged, or PriceChangeRetracted on the
   * retraction topic). Default: throw, which stops the subscription
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

type Delivery =
  | { readonly name: 'PriceChanged'; readonly event: PriceChanged }
  | { readonly name: 'PriceChangeRetracted'; readonly event: PriceChangeRetracted };

/** What the dedupe store marks: a change's version, a retraction record's own id. */
export function dedupeKey(d: Delivery): string {
  return d.name === 'PriceChanged' ? changeVersion(d.event) : d.event.event_id;
}

export async function subscribePriceChanges(o: SubscribeOptions): Promise<Subscription> {
  const prefix = o.topicPrefix ?? '';
  const changeTopic = `${prefix}${topics.priceChanged.name}`;
  const retractionTopic = `${prefix}${topics.priceChangeRetracted.name}`;
  const onRetraction = o.onRetraction;
  const consumer = createConsumer(o.kafka, { groupId: o.groupId });
  let crash!: (e: unknown) => void;
  const crashed = new Promise<never>((_, reject) => (crash = reject));
  crashed.catch(() => undefined); // observed by whoever awaits it
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    o.logger?.error({ err: payload.error, groupId: payload.groupId }, 'price-changes subscriber crashed');
    crash(payload.error);
  });
  const decode = (t: string, message: KafkaMessage): Delivery => {
    const m = decodeKafkaMessage(message);
    const expected = t === retractionTopic ? 'PriceChangeRetracted' : 'PriceChanged';
    if (m.name === 'PriceChanged' && expected === 'PriceChanged') return m;
    if (m.name === 'PriceChangeRetracted' && expected === 'PriceChangeRetracted') return m;
    throw new ConsumerError(
      expected === 'PriceChanged' ? 'NOT_PRICE_CHANGED' : 'NOT_PRICE_CHANGE_RETRACTED',
      `offset ${message.offset}: a ${m.name} on ${t}`,
    );
  };
  const handleMessage = async (t: string, partition: number, message: KafkaMessage): Promise<void> => {
    let delivery: Delivery | undefined;
    try {
      delivery = decode(t, message);
    } catch (err) {
      if (!o.onPoison) throw err;
      await o.onPoison(err, message);
    }
    if (!delivery) return;
    const mark = dedupeKey(delivery);
    if (await o.dedupe?.has(mark)) return;
    const meta = { topic: t, partition, offset: message.offset, key: message.key?.toString() ?? '' };
    switch (delivery.name) {
      case 'PriceChanged':
        await o.handler(delivery.event, meta);
        break;
      case 'PriceChangeRetracted':
        // Only subscribed when onRetraction is given.
        await onRetraction?.(delivery.event, meta);
        break;
      default: {
        const never: never = delivery;
        throw new TypeError(`unhandled delivery ${String(never)}`);
      }
    }
    await o.dedupe?.add(mark);
  };
  await consumer.connect();
  await consumer.subscribe({
    topics: onRetraction ? [changeTopic, retractionTopic] : [changeTopic],
    fromBeginning: o.fromBeginning ?? true,
  });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async (b) => {
      const { batch } = b;
      const { topic: t, partition } = batch;
      // Registry-framed values need their writer schemas first (a no-op for single-object ones).
      await prepareDecode(batch.messages.map((m) => m.value));
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
