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
  decodeBatch,
  isKafkaClientError,
  processBatch,
  processGroup,
  type BatchPorts,
  type ConsumedBatch,
  type Publication,
  type StageHandler,
} from './stage-plan.ts';
import { createStagePublisher, type StagePublisher } from './stage-publisher.ts';
import { createGroupCommitter, type GroupCommitter, type GroupOptions, type Joined } from './stage-group.ts';

export type { GroupOptions } from './stage-group.ts';

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
   * Group commit (docs/design.md): several partition batches per commit, up to a size and a time
   * bound. Without it, each partition batch commits alone.
   */
  readonly group?: GroupOptions;
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
 * How long the broker holds a fetch that finds nothing new. A fetch returns as soon as there is data,
 * so this costs nothing while events flow; but kafkajs's disconnect waits for the fetch in flight, so
 * an idle stage took up to kafkajs's default 5 s (2-3.6 s measured) to stop on SIGTERM. 1 s bounds
 * that, for one empty fetch a second per idle consumer.
 */
const FETCH_MAX_WAIT_MS = 1_000;

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
  // Fetch sizes: 1 MiB a partition, 8 MiB a fetch. Group commit (docs/design.md) gathers thousands of
  // events per transaction from several fetches, so larger fetches only hold more undecoded and decoded
  // records at once: with 8 MiB / 32 MiB the sink replayed 60 days at 13,520-15,183 ev/s with a peak RSS
  // of 451-482 MiB; with these, 15,911 ev/s and 384 MiB (512 KiB / 4 MiB: 14,386 ev/s, 353 MiB), the
  // normalizer unchanged in speed and 45-60 MiB smaller (npm run bench, 2026-12-07).
  // A member that died without leaving (kill -9, a broker restart) holds its partitions until its
  // session expires: 10 s bounds that pause (it was 30 s). Live members never come near it, because
  // they heartbeat during a batch too (see `beat` below).
  const newConsumer = () =>
    createConsumer(kafka, {
      groupId: opts.groupId,
      sessionTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      maxBytesPerPartition: 1024 * 1024,
      maxBytes: 8 * 1024 * 1024,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
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

  const ports = (where: Record<string, unknown>): BatchPorts => ({
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
          logger.warn({ err, attempt: n, delayMs, ...where }, 'batch failed, retrying');
        },
      }),
  });

  // Registry-framed values need their writer schemas before the (synchronous) plan decodes them; a
  // registry that cannot be reached is transient: retried like a broker outage, nothing committed.
  const prepare = (batch: EachBatchPayload['batch']) =>
    retry(() => currentWire().prepare(batch.messages.map((m) => m.value)), {
      attempts: Number.MAX_SAFE_INTEGER,
      initialDelayMs: 200,
      maxDelayMs: 10_000,
      ...opts.retry,
      shouldRetry: (err) => isRetriable(err) && !state.stopping,
      onRetry: (err, n, delayMs) => {
        logger.warn({ err, attempt: n, delayMs, topic: batch.topic }, 'schema registry failed, retrying');
      },
    });

  const consumedBatch = (batch: EachBatchPayload['batch']): ConsumedBatch => ({
    topic: batch.topic,
    partition: batch.partition,
    messages: batch.messages.map((m) => ({ offset: m.offset, key: m.key ?? null, value: m.value })),
    // batch.lastOffset() also covers trailing control records of transactional producers, so a
    // drained read_committed consumer has no lag left.
    lastOffset: batch.lastOffset(),
  });

  /**
   * One closed group (docs/design.md, group commit): its batches that are not stale, handled and
   * published at once; without a transaction, every partition's offset committed after the write.
   */
  const runGroup = async (consumer: Consumer, members: readonly Joined<EachBatchPayload | undefined>[]) => {
    const live = members.filter((m) => !m.payload?.isStale());
    if (live.length === 0) return;
    const endTimer = batchSeconds.startTimer(stageLabel);
    const done = await processGroup(
      live.map((m) => m.member),
      ports({ group: live.length }),
    );
    if (!opts.transactionalId) {
      // Refused after a rebalance (an older generation): the rows are written, and the partition's new
      // owner reads the batch again, which adds nothing (docs/design.md, group commit, rule 6).
      await consumer
        .commitOffsets([...done.commits])
        .catch((err: unknown) => logger.warn({ err }, 'offsets of a written group not committed'));
    }
    state.processed += done.processed;
    endTimer();
    for (const { member: m } of live) {
      if (m.batch.messages.length === 0) continue;
      consumed.inc(
        { ...stageLabel, topic: baseTopicName(m.batch.topic) },
        m.batch.messages.filter((r) => r.value !== null).length,
      );
      opts.onCommitted?.({
        topic: m.batch.topic,
        partition: m.batch.partition,
        count: m.batch.messages.length,
        lastOffset: m.batch.lastOffset,
      });
    }
  };

  /** eachBatch with group commit: decode, join the open group, wait for the group before it. */
  const eachBatchGrouped =
    (committer: () => GroupCommitter<EachBatchPayload | undefined>) => async (payload: EachBatchPayload) => {
      const { batch } = payload;
      const heartbeat = () => payload.heartbeat();
      if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0 || state.stopping) return;
      const beat = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_INTERVAL_MS);
      try {
        await committer().room();
        await prepare(batch);
        const consumedOne = consumedBatch(batch);
        const decoded = decodeBatch(consumedOne);
        // Fetched after the stop began: joins nothing, committed by nobody, read by the next process.
        if (state.stopping) return;
        const previous = committer().join(
          { member: { batch: consumedOne, decoded }, payload },
          batch.messages.length,
        );
        if (!previous) return;
        logger.debug(
          { topic: batch.topic, partition: batch.partition, records: batch.messages.length },
          'batch joined the open group',
        );
        // The fetch position moves on; the committed offset only after the group's commit.
        payload.resolveOffset(batch.lastOffset());
        await previous;
      } finally {
        clearInterval(beat);
      }
      await heartbeat();
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
    await prepare(batch).catch((err: unknown) => {
      clearInterval(beat);
      throw err;
    });
    const done = await processBatch(
      consumedBatch(batch),
      ports({ topic: batch.topic, partition: batch.partition }),
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
      logger.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
      crashed(c, e.payload.error, e.payload.restart);
    });
    let run: Parameters<Consumer['run']>[0];
    if (opts.group) {
      const { maxEvents, maxWaitMs } = opts.group;
      // One accumulator per consumer: after a failed group, the consumer that replaces this one starts
      // from the committed offsets with a fresh one (docs/design.md, group commit, rule 5).
      const committer = createGroupCommitter<EachBatchPayload | undefined>({
        maxEvents,
        maxWaitMs,
        run: (members) => runGroup(c, members),
        onFailure: (err) => {
          state.ready = false;
          logger.error({ err }, 'group failed');
          crashed(c, err, false);
        },
      });
      state.committer = committer;
      // A fetch of control records only (a transactional producer's commit markers) never reaches
      // eachBatch; without auto-commit its offset rides with the open group, or the group would keep a lag.
      c.on(c.events.END_BATCH_PROCESS, (e) => {
        if (e.payload.batchSize !== 0 || state.stopping) return;
        const batch: ConsumedBatch = {
          topic: e.payload.topic,
          partition: e.payload.partition,
          messages: [],
          lastOffset: e.payload.lastOffset,
        };
        void committer.join(
          { member: { batch, decoded: { messages: [], rejected: [] } }, payload: undefined },
          0,
        );
      });
      run = {
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: opts.group.concurrency ?? 16,
        eachBatch: eachBatchGrouped(() => committer),
      };
    } else {
      // Without a transaction kafkajs commits what we resolved, and we resolve only after the outputs
      // (or the sink's database transaction) are durable; batches of control records only are committed too.
      run = { autoCommit: !opts.transactionalId, eachBatchAutoResolve: false, eachBatch };
    }
    try {
      await c.connect();
      for (const topic of opts.topics)
        await c.subscribe({ topic, fromBeginning: opts.fromBeginning ?? true });
      await c.run(run);
    } catch (err) {
      await c.disconnect().catch(() => undefined);
      throw err;
    }
    return c;
  };
  /** What the stage does about a crashed consumer, or a failed group (rule 6 of stage-plan.ts). */
  const crashed = (c: Consumer, err: unknown, restart: boolean) => {
    const verdict = crashVerdict({
      error: err,
      restart,
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
      const c = state.consumer ?? first;
      if (state.committer) {
        // docs/design.md, group commit, rule 7: no more fetching; the open group commits now, once.
        try {
          c.pause(opts.topics.map((topic) => ({ topic })));
        } catch (err) {
          logger.warn({ err }, 'consumer not paused');
        }
        await state.committer.flush();
      }
      await c.disconnect();
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
  /** The group accumulator of the consumer of the moment (group commit only). */
  committer?: GroupCommitter<EachBatchPayload | undefined>;
}
