import type { ProducerBatch, Offsets } from 'kafkajs';
import type { Logger } from '../core/logger.ts';
import { commitsOf, type OffsetCommit, type Publication } from './stage-plan.ts';

/** The part of a kafkajs transaction the stage uses. */
export interface StageTransaction {
  sendBatch(batch: ProducerBatch): Promise<unknown>;
  sendOffsets(offsets: Offsets & { consumerGroupId: string }): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** The part of a kafkajs producer the stage uses. */
export interface StageProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  sendBatch(batch: ProducerBatch): Promise<unknown>;
  transaction(): Promise<StageTransaction>;
}

export interface StagePublisherOptions {
  /** A new producer, under the stage's transactional id when it has one. */
  readonly newProducer: () => StageProducer;
  /** Outputs and offsets in one Kafka transaction (the stage has a transactional id). */
  readonly transactional: boolean;
  readonly groupId: string;
  readonly logger: Logger;
  /** Bytes (keys and values) per send; see sendsOf. Default MAX_SEND_BYTES. */
  readonly maxSendBytes?: number;
}

/**
 * kafkajs makes the records of one partition in one send a single record batch, and the broker refuses
 * a batch over the topic's `max.message.bytes` (MESSAGE_TOO_LARGE; 1 MB by default) however small each
 * record is: a snapshot makes the normalizer rewrite every key's changelog record in one batch (tens of
 * MB). So a publication goes out in sends of at most this many bytes (a record bigger than that alone).
 */
export const MAX_SEND_BYTES = 900_000;

type TopicMessages = NonNullable<ProducerBatch['topicMessages']>;
type TopicMessage = TopicMessages[number]['messages'][number];

/** Splits the records into sends of at most `max` bytes each, in order (per topic, as given). */
export function sendsOf(topicMessages: TopicMessages, max: number): TopicMessages[] {
  return [...sendsIn(topicMessages, max)];
}

/**
 * sendsOf, one send at a time: the records are read (and may be encoded) only as each send is made
 * up, so a long stream of them (a rebuild's versions or histories) is never held whole.
 */
export function* sendsIn(
  topicMessages: Iterable<{ readonly topic: string; readonly messages: Iterable<TopicMessage> }>,
  max = MAX_SEND_BYTES,
): Generator<TopicMessages> {
  let current: TopicMessages = [];
  let bytes = 0;
  const sizeOf = (v: Buffer | string | null | undefined) =>
    v == null ? 0 : Buffer.isBuffer(v) ? v.length : Buffer.byteLength(v);
  for (const { topic, messages } of topicMessages) {
    for (const m of messages) {
      const size = sizeOf(m.key) + sizeOf(m.value);
      if (bytes > 0 && bytes + size > max) {
        yield current;
        current = [];
        bytes = 0;
      }
      const last = current[current.length - 1];
      if (last?.topic === topic) last.messages.push(m);
      else current.push({ topic, messages: [m] });
      bytes += size;
    }
  }
  if (current.length > 0) yield current;
}

/** Sends a batch's publication; owns the stage's producer and replaces it after a failed transaction. */
export interface StagePublisher {
  /** Connects the producer if it is not connected. */
  readonly connect: () => Promise<void>;
  readonly publish: (publication: Publication) => Promise<void>;
  /** Disconnects the producer of the moment. */
  readonly disconnect: () => Promise<void>;
}

/**
 * The driver's producing side. With a transaction, the records and the consumed offset commit
 * together; without, the records are sent with acks=all and the caller commits the offset afterwards
 * (at-least-once).
 *
 * kafkajs leaves its transaction state machine in COMMITTING or ABORTING when EndTxn fails (the broker
 * went away mid-commit), and from then on every `transaction()` throws a non-retriable "Transaction
 * state exception: Cannot call beginTransaction in state COMMITTING": the consumer crashed for good
 * while the process ran on (transaction-outage e2e). After a failed transaction the stage therefore
 * starts over with a new producer under the same transactional id: its InitProducerId bumps the
 * epoch, and the coordinator aborts whatever the old one left open, so nothing it wrote becomes
 * visible to read_committed readers. The error is rethrown: the batch is then processed again.
 */
export function createStagePublisher(o: StagePublisherOptions): StagePublisher {
  // The producer of the moment and whether it is connected: replaced together after a failed transaction.
  const slot = { producer: o.newProducer(), connected: false };
  const connected = async (): Promise<StageProducer> => {
    if (!slot.connected) {
      await slot.producer.connect();
      slot.connected = true;
    }
    return slot.producer;
  };
  const replaceProducer = async () => {
    const old = slot.producer;
    slot.producer = o.newProducer();
    slot.connected = false;
    await old.disconnect().catch(() => undefined);
  };
  return {
    connect: async () => {
      await connected();
    },
    disconnect: () => slot.producer.disconnect(),
    publish: async (p) => {
      const topicMessages = p.topicMessages.map((t) => ({ topic: t.topic, messages: [...t.messages] }));
      const sends = sendsOf(topicMessages, o.maxSendBytes ?? MAX_SEND_BYTES);
      if (o.transactional) {
        const tx = await (await connected()).transaction();
        try {
          // One after the other: each partition's records keep their order (one request in flight).
          for (const send of sends) await tx.sendBatch({ topicMessages: send });
          await tx.sendOffsets({
            consumerGroupId: o.groupId,
            topics: offsetsByTopic(commitsOf(p)),
          });
          await tx.commit();
        } catch (err) {
          await tx.abort().catch(() => undefined);
          o.logger.warn({ err }, 'transaction failed: aborted, starting over with a new producer');
          await replaceProducer();
          throw err;
        }
      } else {
        // Offsets are committed by the caller only after this resolves (at-least-once).
        for (const send of sends) await (await connected()).sendBatch({ topicMessages: send, acks: -1 });
      }
    },
  };
}

/** A group's offsets as kafkajs's sendOffsets takes them: by topic, each partition once. */
export function offsetsByTopic(
  commits: readonly OffsetCommit[],
): { topic: string; partitions: { partition: number; offset: string }[] }[] {
  const byTopic = new Map<string, { partition: number; offset: string }[]>();
  for (const c of commits) {
    const list = byTopic.get(c.topic) ?? [];
    list.push({ partition: c.partition, offset: c.offset });
    byTopic.set(c.topic, list);
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}
