import type { Consumer, EachBatchPayload, Kafka, Message, Producer, Transaction } from 'kafkajs';
import {
  assertSoundEvent,
  CodecError,
  decodeEvent,
  eventId,
  type DeadLetter,
  type DecodedEvent,
  type EventName,
} from '@llmpt/schemas';
import { errorCode, errorMessage, isRetriable } from '../core/errors.ts';
import { createConsumer, createProducer, toKafkaMessage, type EventMessage } from './kafka.ts';
import type { Logger } from '../core/logger.ts';
import { retry, type RetryOptions } from '../core/retry.ts';
import { topicOfEvent } from '../core/topics.ts';

/** One consumed message, decoded, with where it came from. */
export interface StageMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer;
  readonly decoded: DecodedEvent;
}

/** An event to publish, keyed, with its topic. */
export type Output<N extends EventName = EventName> = EventMessage<N> & { readonly topic: string };

/** Raw record to publish as is (e.g. the normalizer's changelog, which is not an Avro event). */
export interface RawOutput {
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer | null;
}

export interface Rejection {
  readonly message:
    | StageMessage
    | { topic: string; partition: number; offset: string; key: Buffer | null; value: Buffer | null };
  readonly error: unknown;
}

export interface HandlerResult {
  readonly outputs?: readonly Output[];
  readonly rawOutputs?: readonly RawOutput[];
  readonly rejected?: readonly Rejection[];
}

export type StageHandler = (messages: readonly StageMessage[]) => Promise<HandlerResult>;

export interface StageOptions {
  readonly kafka: Kafka;
  readonly stage: string;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly deadLetterTopic: string;
  readonly handle: StageHandler;
  readonly logger: Logger;
  /** Read-process-write in one Kafka transaction (outputs and consumed offsets commit together). */
  readonly transactionalId?: string;
  readonly fromBeginning?: boolean;
  readonly retry?: Partial<RetryOptions>;
  /**
   * Called once when the stage has stopped for good: its consumer crashed on an error that is not the
   * Kafka client's (a bug in a handler), or new consumers kept crashing without ever joining. The
   * service should exit non-zero so that its supervisor (Kubernetes) starts a fresh process, rather
   * than run on alive and idle.
   */
  readonly onFatal?: (err: unknown) => void;
  /** Called after each committed batch (metrics, tests). */
  readonly onCommitted?: (info: {
    topic: string;
    partition: number;
    count: number;
    lastOffset: string;
  }) => void;
}

export interface RunningStage {
  readonly consumer: Consumer;
  /** Stop consuming, let the batch in flight finish and commit, disconnect. */
  stop(): Promise<void>;
  isReady(): boolean;
  processed(): number;
}

/** The event type a (possibly prefixed) pipeline topic carries; undefined for a topic we do not know. */
export function eventTypeOfTopic(topic: string): EventName | undefined {
  for (const [name, t] of Object.entries(topicOfEvent) as [EventName, string][])
    if (topic.endsWith(t)) return name; // TOPIC_PREFIX + name
  return undefined;
}

/**
 * Decodes a consumed value and checks it is the type its topic carries and that its contract holds:
 * CodecError (TRUNCATED, BAD_MAGIC, UNKNOWN_FINGERPRINT, BAD_BODY, TRAILING_BYTES, WRONG_TYPE,
 * INVALID_EVENT) otherwise, which the stage dead-letters with the message's coordinates.
 */
export function decodeStageValue(topic: string, value: Buffer): DecodedEvent {
  const decoded = decodeEvent(value);
  assertSoundEvent(decoded, eventTypeOfTopic(topic));
  return decoded;
}

/** The dead letter for a message or input that could not be processed. */
export function deadLetterFor(stage: string, rejection: Rejection, now: number): DeadLetter {
  const m = rejection.message;
  const decoded = 'decoded' in m ? m.decoded : undefined;
  const runId = decoded && 'run_id' in decoded.event ? decoded.event.run_id : null;
  return {
    event_id: eventId(
      'DeadLetter',
      stage,
      m.topic,
      m.partition,
      m.offset,
      errorCode(rejection.error),
      errorMessage(rejection.error),
    ),
    run_id: runId,
    caused_by: decoded ? decoded.event.event_id : null,
    occurred_at: now,
    stage,
    source_topic: m.topic,
    source_partition: m.partition,
    source_offset: m.offset,
    source_url: null,
    key: m.key,
    payload: m.value ?? Buffer.alloc(0),
    error_code: errorCode(rejection.error),
    error_message: errorMessage(rejection.error),
    retriable: false,
  };
}

const SESSION_TIMEOUT_MS = 10_000;
const HEARTBEAT_INTERVAL_MS = 3_000;

/**
 * Runs a consuming stage: each partition batch is decoded (undecodable messages go to the dead-letter
 * topic with their coordinates), handed to the stage's handler, its outputs published, and only then
 * the offsets committed — inside one Kafka transaction when `transactionalId` is set, so a crash
 * between publishing and committing can neither lose nor double an output for read_committed readers.
 * Transient failures (broker, database) are retried with backoff without committing; the batch is
 * processed again after a restart, which is safe because every output has a deterministic event id.
 */
export async function runStage(opts: StageOptions): Promise<RunningStage> {
  const { kafka, logger } = opts;
  // Large fetches: a replay or a catch-up then writes thousands of events per transaction instead of a
  // few hundred (npm run bench: the database write cost per event falls with the batch size).
  // A member that died without leaving (kill -9, a broker restart) holds its partitions until its
  // session expires: 10 s bounds that pause (it was 30 s). Live members never come near it, because
  // they heartbeat during a batch too (see `beat` below).
  const newConsumer = () =>
    createConsumer(kafka, {
      groupId: opts.groupId,
      sessionTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      maxBytesPerPartition: 8 * 1024 * 1024,
      maxBytes: 32 * 1024 * 1024,
    });
  const newProducer = () =>
    createProducer(kafka, opts.transactionalId ? { transactionalId: opts.transactionalId } : {});
  let producer: Producer = newProducer();
  let producerConnected = false;
  /**
   * kafkajs leaves its transaction state machine in COMMITTING or ABORTING when EndTxn fails (the
   * broker went away mid-commit), and from then on every `transaction()` throws a non-retriable
   * "Transaction state exception: Cannot call beginTransaction in state COMMITTING": the consumer
   * crashed for good while the process ran on (transaction-outage e2e). After a failed transaction
   * the stage therefore starts over with a new producer under the same transactional id: its
   * InitProducerId bumps the epoch, and the coordinator aborts whatever the old one left open, so
   * nothing it wrote becomes visible to read_committed readers.
   */
  const replaceProducer = async () => {
    const old = producer;
    producer = newProducer();
    producerConnected = false;
    await old.disconnect().catch(() => undefined);
  };
  const connectedProducer = async () => {
    if (!producerConnected) {
      await producer.connect();
      producerConnected = true;
    }
    return producer;
  };
  let ready = false;
  let stopping = false;
  let count = 0;
  await connectedProducer();

  const eachBatch = async (payload: EachBatchPayload) => {
    const { batch } = payload;
    const heartbeat = () => payload.heartbeat();
    if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
    const messages: StageMessage[] = [];
    const rejected: Rejection[] = [];
    for (const m of batch.messages) {
      const coords = {
        topic: batch.topic,
        partition: batch.partition,
        offset: m.offset,
        key: m.key ?? null,
        value: m.value,
      };
      if (!m.value) {
        // A tombstone is not an event of ours: nothing to do.
        continue;
      }
      try {
        messages.push({ ...coords, value: m.value, decoded: decodeStageValue(batch.topic, m.value) });
      } catch (err) {
        if (!(err instanceof CodecError)) throw err;
        rejected.push({ message: coords, error: err });
      }
    }
    // batch.lastOffset() also covers trailing control records of transactional producers, so a
    // drained read_committed consumer has no lag left.
    const lastOffset = batch.lastOffset();
    // kafkajs heartbeats only between batches or when asked. A long batch (the scraper fetching a
    // hundred models' endpoints, a database outage being retried) keeps its session alive itself, or
    // the group would evict the member mid-batch and hand the same batch to another, again and again.
    const beat = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_INTERVAL_MS);
    try {
      await retry(
        async () => {
          const result = messages.length ? await opts.handle(messages) : {};
          await publish(result, rejected, batch.topic, batch.partition, lastOffset);
        },
        {
          attempts: Number.MAX_SAFE_INTEGER,
          initialDelayMs: 200,
          maxDelayMs: 10_000,
          ...opts.retry,
          shouldRetry: (err) => isRetriable(err) && !stopping,
          onRetry: (err, attempt, delayMs) => {
            logger.warn(
              { err, attempt, delayMs, topic: batch.topic, partition: batch.partition },
              'batch failed, retrying',
            );
          },
        },
      );
    } finally {
      clearInterval(beat);
    }
    payload.resolveOffset(lastOffset);
    if (!opts.transactionalId) await payload.commitOffsetsIfNecessary();
    count += messages.length;
    opts.onCommitted?.({
      topic: batch.topic,
      partition: batch.partition,
      count: batch.messages.length,
      lastOffset,
    });
    await heartbeat();
  };

  const publish = async (
    result: HandlerResult,
    decodeRejected: readonly Rejection[],
    topic: string,
    partition: number,
    lastOffset: string,
  ) => {
    const now = Date.now();
    const byTopic = new Map<string, Message[]>();
    const add = (t: string, msg: Message) => {
      const list = byTopic.get(t) ?? [];
      list.push(msg);
      byTopic.set(t, list);
    };
    for (const o of result.outputs ?? []) add(o.topic, toKafkaMessage(o));
    for (const o of result.rawOutputs ?? []) add(o.topic, { key: o.key, value: o.value });
    for (const r of [...decodeRejected, ...(result.rejected ?? [])]) {
      const dl = deadLetterFor(opts.stage, r, now);
      logger.warn(
        {
          code: dl.error_code,
          run_id: dl.run_id,
          event_id: dl.caused_by,
          dead_letter_id: dl.event_id,
          source: `${dl.source_topic}/${dl.source_partition}@${dl.source_offset}`,
        },
        `dead-lettered: ${dl.error_message}`,
      );
      add(opts.deadLetterTopic, toKafkaMessage({ key: dl.event_id, name: 'DeadLetter', event: dl }));
    }
    const topicMessages = [...byTopic].map(([t, messages]) => ({ topic: t, messages }));
    const offsets = {
      topics: [{ topic, partitions: [{ partition, offset: (BigInt(lastOffset) + 1n).toString() }] }],
    };
    if (opts.transactionalId) {
      const tx: Transaction = await (await connectedProducer()).transaction();
      try {
        if (topicMessages.length) await tx.sendBatch({ topicMessages });
        await tx.sendOffsets({ consumerGroupId: opts.groupId, ...offsets });
        await tx.commit();
      } catch (err) {
        await tx.abort().catch(() => undefined);
        logger.warn({ err }, 'transaction failed: aborted, starting over with a new producer');
        await replaceProducer();
        throw err;
      }
    } else if (topicMessages.length) {
      // Offsets are committed by the caller only after this resolves (at-least-once).
      await (await connectedProducer()).sendBatch({ topicMessages, acks: -1 });
    }
  };

  /**
   * A consumer joined to the group and running `eachBatch`. kafkajs restarts a crashed consumer itself
   * only when the error is retriable; after a broker restart it can also crash on errors it does not
   * retry ("Failed to find group coordinator" while the coordinator loads, seen in the outages e2e), and
   * then stays stopped for good. Such a crash gets a new consumer here, with backoff, until one joins
   * again; an error that is not the Kafka client's (a bug in a handler) is fatal instead: `onFatal`.
   */
  const startConsumer = async (): Promise<Consumer> => {
    const c = newConsumer();
    c.on(c.events.GROUP_JOIN, () => {
      ready = true;
      kafkaCrashesInARow = 0;
    });
    c.on(c.events.CRASH, (e) => {
      ready = false;
      const err = e.payload.error;
      logger.error({ err, restart: e.payload.restart }, 'consumer crashed');
      if (e.payload.restart || stopping) return;
      if (!isKafkaClientError(err) || ++kafkaCrashesInARow > MAX_CONSUMER_REPLACEMENTS) {
        opts.onFatal?.(err);
        return;
      }
      replacing = replaceConsumer(c);
    });
    try {
      await c.connect();
      for (const topic of opts.topics)
        await c.subscribe({ topic, fromBeginning: opts.fromBeginning ?? true });
      // Without a transaction kafkajs commits what we resolved, and we resolve only after the outputs
      // (or the sink's database transaction) are durable; batches of control records only are committed too.
      await c.run({ autoCommit: !opts.transactionalId, eachBatchAutoResolve: false, eachBatch });
    } catch (err) {
      await c.disconnect().catch(() => undefined);
      throw err;
    }
    return c;
  };
  const replaceConsumer = async (crashed: Consumer) => {
    await crashed.disconnect().catch(() => undefined);
    logger.warn({ attempt: kafkaCrashesInARow }, 'kafkajs will not restart the consumer: starting a new one');
    try {
      const c = await retry(() => startConsumer(), {
        attempts: Number.MAX_SAFE_INTEGER,
        initialDelayMs: 1_000,
        maxDelayMs: 30_000,
        shouldRetry: (err) => isKafkaClientError(err) && !stopping,
        onRetry: (err, attempt, delayMs) =>
          logger.warn({ err, attempt, delayMs }, 'new consumer not started, retrying'),
      });
      consumer = c;
      if (stopping) await c.disconnect();
    } catch (err) {
      if (!stopping) opts.onFatal?.(err);
    }
  };

  let kafkaCrashesInARow = 0;
  let replacing: Promise<void> | undefined;
  let consumer = await startConsumer();

  return {
    get consumer() {
      return consumer;
    },
    isReady: () => ready,
    processed: () => count,
    stop: async () => {
      stopping = true;
      ready = false;
      await replacing;
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

/** Consumer crashes in a row (no group join in between) answered with a new consumer before giving up. */
const MAX_CONSUMER_REPLACEMENTS = 20;

/** An error raised by kafkajs itself (broker, network, protocol), as opposed to one from our code. */
function isKafkaClientError(err: unknown): boolean {
  let e: unknown = err;
  // kafkajs wraps the original error in `cause` (KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded).
  while (e instanceof Error) {
    if (!e.name.startsWith('KafkaJS')) return false;
    if (!(e.cause instanceof Error)) return true;
    e = e.cause;
  }
  return false;
}
