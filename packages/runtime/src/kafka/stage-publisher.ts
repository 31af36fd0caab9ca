import type { ProducerBatch, Offsets } from 'kafkajs';
import type { Logger } from '../core/logger.ts';
import type { Publication } from './stage-plan.ts';

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
      if (o.transactional) {
        const tx = await (await connected()).transaction();
        try {
          if (topicMessages.length) await tx.sendBatch({ topicMessages });
          await tx.sendOffsets({
            consumerGroupId: o.groupId,
            topics: [
              {
                topic: p.commit.topic,
                partitions: [{ partition: p.commit.partition, offset: p.commit.offset }],
              },
            ],
          });
          await tx.commit();
        } catch (err) {
          await tx.abort().catch(() => undefined);
          o.logger.warn({ err }, 'transaction failed: aborted, starting over with a new producer');
          await replaceProducer();
          throw err;
        }
      } else if (topicMessages.length) {
        // Offsets are committed by the caller only after this resolves (at-least-once).
        await (await connected()).sendBatch({ topicMessages, acks: -1 });
      }
    },
  };
}
