import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '../core/logger.ts';
import { retry, type RetryOptions } from '../core/retry.ts';
import { metric } from '../core/metrics.ts';
import { baseTopicName } from '../core/topics.ts';
import { createConsumer, createProducer } from './kafka.ts';
import { currentWire } from './wire.ts';
import { isRetriable } from '../core/errors.ts';
import {
  crashVerdict,
  isKafkaClientError,
  processBatch,
  type Publication,
  type StageHandler,
} from './stage-plan.ts';
import { createStagePublisher, type StagePublisher } from './stage-publisher.ts';

// The stage's vocabulary and pure rules live in the plan; importers know them through this module.
export {
  deadLetterFor,
  decodeStageValue,
  eventTypeOfTopic,
  type HandlerResult,
  type Output,
  type RawOutput,
  type Rejection,
  type StageHandler,
  type StageMessage,
} from './stage-plan.ts';

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

const SESSION_TIMEOUT_MS = 10_000;
const HEARTBEAT_INTERVAL_MS = 3_000;

/**
 * Runs a consuming stage: each partition batch is decoded (undecodable messages go to the dead-letter
 * topic with their coordinates), handed to the stage's handler, its outputs published, and only then
 * the offsets committed — inside one Kafka transaction when `transactionalId` is set, so a crash
 * between publishing and committing can neither lose nor double an output for read_committed readers.
 * Transient failures (broker, database) are retried with backoff without committing; the batch is
 * processed again after a restart, which is safe because every output has a deterministic event id.
 *
 * This is the thin kafkajs driver: what a batch becomes, and what each failure leads to, is the batch
 * plan's (stage-plan.ts, rules in its top comment); the producer and its recovery after a failed
 * transaction are the publisher's (stage-publisher.ts). Here: consumers, heartbeats, backoff, the clock.
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
  const publisher = createStagePublisher({
    newProducer: () =>
      createProducer(kafka, opts.transactionalId ? { transactionalId: opts.transactionalId } : {}),
    transactional: Boolean(opts.transactionalId),
    groupId: opts.groupId,
    logger,
  });
  await publisher.connect();
  const state: StageState = {
    publisher,
    consumer: undefined,
    ready: false,
    stopping: false,
    processed: 0,
    kafkaCrashesInARow: 0,
    replacing: undefined,
  };

  // docs/metrics.md: what the stage consumed, published and dead-lettered, counted once sent.
  const stageLabel = { stage: opts.stage };
  const consumed = metric('llmpt_events_consumed_total');
  const published = metric('llmpt_events_published_total');
  const deadLettered = metric('llmpt_dead_letters_total');
  const batchSeconds = metric('llmpt_batch_duration_seconds');
  const retries = metric('llmpt_batch_retries_total');
  const publish = async (publication: Publication) => {
    for (const dl of publication.deadLetters)
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
    await state.publisher.publish(publication);
    for (const t of publication.topicMessages)
      published.inc({ ...stageLabel, topic: baseTopicName(t.topic) }, t.messages.length);
    for (const dl of publication.deadLetters) deadLettered.inc({ ...stageLabel, code: dl.error_code });
  };

  const eachBatch = async (payload: EachBatchPayload) => {
    const { batch } = payload;
    const heartbeat = () => payload.heartbeat();
    if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
    // kafkajs heartbeats only between batches or when asked. A long batch (the scraper fetching a
    // hundred models' endpoints, a database outage being retried) keeps its session alive itself, or
    // the group would evict the member mid-batch and hand the same batch to another, again and again.
    const beat = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_INTERVAL_MS);
    const endTimer = batchSeconds.startTimer(stageLabel);
    // Registry-framed values need their writer schemas before the (synchronous) plan decodes them; a
    // registry that cannot be reached is transient: retried like a broker outage, nothing committed.
    const prepared = retry(() => currentWire().prepare(batch.messages.map((m) => m.value)), {
      attempts: Number.MAX_SAFE_INTEGER,
      initialDelayMs: 200,
      maxDelayMs: 10_000,
      ...opts.retry,
      shouldRetry: (err) => isRetriable(err) && !state.stopping,
      onRetry: (err, n, delayMs) => {
        logger.warn({ err, attempt: n, delayMs, topic: batch.topic }, 'schema registry failed, retrying');
      },
    });
    await prepared.catch((err: unknown) => {
      clearInterval(beat);
      throw err;
    });
    const done = await processBatch(
      {
        topic: batch.topic,
        partition: batch.partition,
        messages: batch.messages.map((m) => ({ offset: m.offset, key: m.key ?? null, value: m.value })),
        // batch.lastOffset() also covers trailing control records of transactional producers, so a
        // drained read_committed consumer has no lag left.
        lastOffset: batch.lastOffset(),
      },
      {
        stage: opts.stage,
        deadLetterTopic: opts.deadLetterTopic,
        handle: opts.handle,
        publish,
        now: Date.now,
        stopping: () => state.stopping,
        retry: (attempt, shouldRetry) =>
          retry(attempt, {
            attempts: Number.MAX_SAFE_INTEGER,
            initialDelayMs: 200,
            maxDelayMs: 10_000,
            ...opts.retry,
            shouldRetry,
            onRetry: (err, n, delayMs) => {
              retries.inc(stageLabel);
              logger.warn(
                { err, attempt: n, delayMs, topic: batch.topic, partition: batch.partition },
                'batch failed, retrying',
              );
            },
          }),
      },
    ).finally(() => clearInterval(beat));
    payload.resolveOffset(done.lastOffset);
    if (!opts.transactionalId) await payload.commitOffsetsIfNecessary();
    state.processed += done.processed;
    endTimer();
    consumed.inc(
      { ...stageLabel, topic: baseTopicName(batch.topic) },
      batch.messages.filter((m) => m.value !== null).length,
    );
    opts.onCommitted?.({
      topic: batch.topic,
      partition: batch.partition,
      count: batch.messages.length,
      lastOffset: done.lastOffset,
    });
    await heartbeat();
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
      state.ready = true;
      state.kafkaCrashesInARow = 0;
    });
    c.on(c.events.CRASH, (e) => {
      state.ready = false;
      const err = e.payload.error;
      logger.error({ err, restart: e.payload.restart }, 'consumer crashed');
      const verdict = crashVerdict({
        error: err,
        restart: e.payload.restart,
        stopping: state.stopping,
        crashesInARow: state.kafkaCrashesInARow,
      });
      state.kafkaCrashesInARow = verdict.crashesInARow;
      switch (verdict.action) {
        case 'none':
          return;
        case 'fatal':
          opts.onFatal?.(err);
          return;
        case 'replace':
          state.replacing = replaceConsumer(c);
          return;
      }
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
    logger.warn(
      { attempt: state.kafkaCrashesInARow },
      'kafkajs will not restart the consumer: starting a new one',
    );
    try {
      const c = await retry(() => startConsumer(), {
        attempts: Number.MAX_SAFE_INTEGER,
        initialDelayMs: 1_000,
        maxDelayMs: 30_000,
        shouldRetry: (err) => isKafkaClientError(err) && !state.stopping,
        onRetry: (err, attempt, delayMs) =>
          logger.warn({ err, attempt, delayMs }, 'new consumer not started, retrying'),
      });
      state.consumer = c;
      if (state.stopping) await c.disconnect();
    } catch (err) {
      if (!state.stopping) opts.onFatal?.(err);
    }
  };

  const first = await startConsumer();
  state.consumer = first;

  return {
    get consumer() {
      return state.consumer ?? first;
    },
    isReady: () => state.ready,
    processed: () => state.processed,
    stop: async () => {
      state.stopping = true;
      state.ready = false;
      await state.replacing;
      await (state.consumer ?? first).disconnect();
      await state.publisher.disconnect();
    },
  };
}

/**
 * What a running stage remembers from batch to batch and across consumer crashes, in one place (the
 * producer and whether it is connected are the publisher's).
 */
interface StageState {
  readonly publisher: StagePublisher;
  /** The consumer of the moment: a new one replaces a consumer kafkajs will not restart. */
  consumer: Consumer | undefined;
  /** Joined to the group and not crashed since (readiness probe). */
  ready: boolean;
  /** stop() was called: no more retries, replacements or fatal verdicts. */
  stopping: boolean;
  /** Messages handled and committed (processed()). */
  processed: number;
  /** Kafka-client crashes since the last group join (see crashVerdict). */
  kafkaCrashesInARow: number;
  /** The replacement of a crashed consumer under way, which stop() waits for. */
  replacing: Promise<void> | undefined;
}
