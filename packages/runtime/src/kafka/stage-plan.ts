/**
 * The batch plan of a consuming stage: what one partition's batch becomes, with no Kafka client, no
 * clock and no environment (the driver, stage.ts, brings those). The rules, from the stage's behaviour
 * since the transaction-outage fix:
 *
 * 1. A tombstone (a record without a value) is not an event of ours: it is neither handled nor
 *    dead-lettered, and its offset is committed with the batch.
 * 2. A value that does not decode, is not the type its topic carries, or breaks its event's contract
 *    (a CodecError) is poison: a dead letter with its coordinates and the error's code and message as
 *    the reason. It never reaches the handler, and its offset is committed with the batch. Any other
 *    error while decoding is a bug (rule 6).
 * 3. The handler gets the batch's decoded messages in offset order (it is not called when there are
 *    none) and answers with outputs (events), raw outputs (records that are not events) and rejections
 *    (poison it found itself, dead-lettered with its reason and the event that caused it).
 * 4. One batch, one publication: outputs, raw outputs, then dead letters (decoding's first, then the
 *    handler's), grouped by topic in first-seen order, and the offset to commit: one past the batch's
 *    last offset, which covers a transactional producer's trailing control records, so that a drained
 *    read_committed group has no lag left. A transactional stage sends all of it in one Kafka
 *    transaction; otherwise the records go with acks=all and the offset is committed only after.
 * 5. A retriable failure (see isRetriable: TransientError, kafkajs's retriable errors, a dropped
 *    connection) in an attempt, handler or publication, commits nothing; the whole attempt, handler
 *    included, runs again with backoff, for as long as it takes. That is safe because every output has
 *    a deterministic event id and an attempt is all or nothing (the Kafka transaction, or the sink's
 *    own database transaction).
 * 6. A non-retriable error (a bug in a handler, a kafkajs error it will not retry) is not retried: the
 *    batch stays uncommitted and the error crashes the consumer. Then, by `crashVerdict`: kafkajs
 *    restarts the consumer itself when it deems the error retriable; a stage that is stopping does
 *    nothing; an error of the Kafka client's own gets a new consumer (which receives the batch again),
 *    up to MAX_CONSUMER_REPLACEMENTS crashes without a group join in between; any other error (ours)
 *    is fatal: `onFatal` once, the service exits 1, and the next process redoes the batch.
 * 7. A stage that is stopping does not retry: the batch stays uncommitted and is redone after restart.
 * 8. A failed transaction is aborted, and the stage starts over with a new producer under the same
 *    transactional id (stage-publisher.ts says why); the error then goes on by rules 5 and 6, so the
 *    batch is processed again and committed once.
 * 9. A dead letter's id is derived from the stage, the coordinates and the reason, so a batch redone
 *    writes the same dead letter again, not a new one; its time is the clock the driver passes in.
 */
import {
  assertSoundEvent,
  CodecError,
  eventId,
  type DeadLetter,
  type DecodedEvent,
  type EventName,
} from '@llmpt/schemas';
import { errorCode, errorMessage, isRetriable } from '../core/errors.ts';
import { topicOfEvent } from '../core/topics.ts';
import { toKafkaMessage, type EventMessage, type OutgoingMessage } from './records.ts';
import { currentWire } from './wire.ts';

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

/** A consumed record as the plan needs it (kafkajs's batch messages are one). */
export interface ConsumedRecord {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

/** One partition's fetched batch. */
export interface ConsumedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly ConsumedRecord[];
  /** The batch's last offset, trailing control records of transactional producers included. */
  readonly lastOffset: string;
}

/** A batch after decoding (rules 1 and 2). */
export interface DecodedBatch {
  readonly messages: readonly StageMessage[];
  readonly rejected: readonly Rejection[];
}

/** What one attempt at a batch sends (rule 4). */
export interface Publication {
  readonly topicMessages: readonly {
    readonly topic: string;
    readonly messages: readonly OutgoingMessage[];
  }[];
  /** The dead letters among the records, for the log. */
  readonly deadLetters: readonly DeadLetter[];
  /** The consumer group's next offset on the batch's partition (a group's: its first partition's). */
  readonly commit: OffsetCommit;
  /** A group's (docs/design.md, group commit): the next offset of every partition in it, `commit` first. */
  readonly commits?: readonly OffsetCommit[];
}

/** A consumer group's next offset on one partition. */
export interface OffsetCommit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** The offsets a publication commits: a group's every partition, or the one batch's. */
export const commitsOf = (p: Publication): readonly OffsetCommit[] => p.commits ?? [p.commit];

/** The event type a (possibly prefixed) pipeline topic carries; undefined for a topic we do not know. */
export function eventTypeOfTopic(topic: string): EventName | undefined {
  for (const [name, t] of Object.entries(topicOfEvent) as [EventName, string][])
    if (topic.endsWith(t)) return name; // TOPIC_PREFIX + name
  return undefined;
}

/**
 * Decodes a consumed value and checks it is the type its topic carries and that its contract holds:
 * CodecError (TRUNCATED, BAD_MAGIC, UNKNOWN_FINGERPRINT, NO_REGISTRY, UNKNOWN_REGISTRY_ID, BAD_BODY,
 * TRAILING_BYTES, WRONG_TYPE, INVALID_EVENT) otherwise, which the stage dead-letters with the message's coordinates.
 */
export function decodeStageValue(topic: string, value: Buffer): DecodedEvent {
  const decoded = currentWire().decode(value);
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

/** Rules 1 and 2: tombstones skipped, poison rejected with its reason; any other decoding error throws. */
export function decodeBatch(batch: ConsumedBatch): DecodedBatch {
  const messages: StageMessage[] = [];
  const rejected: Rejection[] = [];
  for (const m of batch.messages) {
    if (!m.value) continue;
    const coords = { topic: batch.topic, partition: batch.partition, offset: m.offset, key: m.key };
    try {
      messages.push({ ...coords, value: m.value, decoded: decodeStageValue(batch.topic, m.value) });
    } catch (err) {
      if (!(err instanceof CodecError)) throw err;
      rejected.push({ message: { ...coords, value: m.value }, error: err });
    }
  }
  return { messages, rejected };
}

/** Rule 4: the records and the offset one attempt sends, the dead letters stamped `now`. */
export function planPublication(
  batch: ConsumedBatch,
  decoded: DecodedBatch,
  result: HandlerResult,
  o: { readonly stage: string; readonly deadLetterTopic: string; readonly now: number },
): Publication {
  const byTopic = new Map<string, OutgoingMessage[]>();
  const add = (topic: string, message: OutgoingMessage) => {
    const list = byTopic.get(topic) ?? [];
    list.push(message);
    byTopic.set(topic, list);
  };
  for (const out of result.outputs ?? []) add(out.topic, toKafkaMessage(out));
  for (const out of result.rawOutputs ?? []) add(out.topic, { key: out.key, value: out.value });
  const deadLetters = [...decoded.rejected, ...(result.rejected ?? [])].map((r) =>
    deadLetterFor(o.stage, r, o.now),
  );
  for (const dl of deadLetters)
    add(o.deadLetterTopic, toKafkaMessage({ key: dl.event_id, name: 'DeadLetter', event: dl }));
  return {
    topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    deadLetters,
    commit: {
      topic: batch.topic,
      partition: batch.partition,
      offset: (BigInt(batch.lastOffset) + 1n).toString(),
    },
  };
}

/** Rules 5 to 7: whether a failed attempt at a batch is made again. */
export function retryBatchAfter(err: unknown, stopping: boolean): boolean {
  return isRetriable(err) && !stopping;
}

/** What the plan needs from its driver for one batch. */
export interface BatchPorts {
  readonly stage: string;
  readonly deadLetterTopic: string;
  readonly handle: StageHandler;
  /** Sends a publication: atomically with its offset when transactional (rule 4). */
  readonly publish: (publication: Publication) => Promise<void>;
  /** The time dead letters carry. */
  readonly now: () => number;
  readonly stopping: () => boolean;
  /** Runs `attempt` until it succeeds or `shouldRetry` refuses its error (then rethrows it), waiting between. */
  readonly retry: (attempt: () => Promise<void>, shouldRetry: (err: unknown) => boolean) => Promise<void>;
}

export interface BatchDone {
  /** Resolve the consumer up to here (the publication committed one past it). */
  readonly lastOffset: string;
  /** Messages the handler processed (tombstones and poison from decoding not counted). */
  readonly processed: number;
}

/**
 * One batch by the rules: decode once, then attempts of handle → plan → publish until one is
 * published; an error `retryBatchAfter` refuses propagates with nothing committed.
 */
export async function processBatch(batch: ConsumedBatch, ports: BatchPorts): Promise<BatchDone> {
  const decoded = decodeBatch(batch);
  await ports.retry(
    async () => {
      const result = decoded.messages.length ? await ports.handle(decoded.messages) : {};
      const publication = planPublication(batch, decoded, result, {
        stage: ports.stage,
        deadLetterTopic: ports.deadLetterTopic,
        now: ports.now(),
      });
      await ports.publish(publication);
    },
    (err) => retryBatchAfter(err, ports.stopping()),
  );
  return { lastOffset: batch.lastOffset, processed: decoded.messages.length };
}

/** A partition batch of a group, decoded when it joined (docs/design.md, group commit). */
export interface GroupMember {
  readonly batch: ConsumedBatch;
  readonly decoded: DecodedBatch;
}

/**
 * One group by the same rules as one batch (docs/design.md, group commit): attempts of handle → plan →
 * publish over every member's messages at once (each partition's in offset order), one publication
 * with the dead letters of all and the next offset of every partition, until one is published.
 */
export async function processGroup(
  members: readonly GroupMember[],
  ports: BatchPorts,
): Promise<{ readonly processed: number; readonly commits: readonly OffsetCommit[] }> {
  const first = members[0];
  if (!first) return { processed: 0, commits: [] };
  const messages = members.flatMap((m) => m.decoded.messages);
  const decoded: DecodedBatch = { messages, rejected: members.flatMap((m) => m.decoded.rejected) };
  // A partition may have several batches in a group (fetched one after the other): its last one counts.
  const byPartition = new Map<string, OffsetCommit>();
  for (const m of members)
    byPartition.set(`${m.batch.topic}\u0000${m.batch.partition}`, {
      topic: m.batch.topic,
      partition: m.batch.partition,
      offset: (BigInt(m.batch.lastOffset) + 1n).toString(),
    });
  const commits = [...byPartition.values()];
  await ports.retry(
    async () => {
      const result = messages.length ? await ports.handle(messages) : {};
      const publication = planPublication(first.batch, decoded, result, {
        stage: ports.stage,
        deadLetterTopic: ports.deadLetterTopic,
        now: ports.now(),
      });
      await ports.publish({ ...publication, commits });
    },
    (err) => retryBatchAfter(err, ports.stopping()),
  );
  return { processed: messages.length, commits };
}

/** Consumer crashes in a row (no group join in between) answered with a new consumer before giving up. */
export const MAX_CONSUMER_REPLACEMENTS = 20;

/** An error raised by kafkajs itself (broker, network, protocol), as opposed to one from our code. */
export function isKafkaClientError(err: unknown): boolean {
  let e: unknown = err;
  // kafkajs wraps the original error in `cause` (KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded).
  while (e instanceof Error) {
    if (!e.name.startsWith('KafkaJS')) return false;
    if (!(e.cause instanceof Error)) return true;
    e = e.cause;
  }
  return false;
}

/** What the stage does about a consumer crash (rule 6). */
export type CrashVerdict =
  | { readonly action: 'none'; readonly crashesInARow: number }
  | { readonly action: 'replace'; readonly crashesInARow: number }
  | { readonly action: 'fatal'; readonly crashesInARow: number };

/**
 * Rule 6, for a crash kafkajs reported: `restart` is kafkajs's own decision to restart the consumer;
 * `crashesInARow` counts the Kafka client's crashes since the last group join (the verdict carries the
 * new count).
 */
export function crashVerdict(crash: {
  readonly error: unknown;
  readonly restart: boolean;
  readonly stopping: boolean;
  readonly crashesInARow: number;
}): CrashVerdict {
  const { crashesInARow } = crash;
  if (crash.restart || crash.stopping) return { action: 'none', crashesInARow };
  if (!isKafkaClientError(crash.error)) return { action: 'fatal', crashesInARow };
  const next = crashesInARow + 1;
  return { action: next > MAX_CONSUMER_REPLACEMENTS ? 'fatal' : 'replace', crashesInARow: next };
}
