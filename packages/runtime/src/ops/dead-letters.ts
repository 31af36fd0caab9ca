// Dead letters after the fact: list them, and re-drive them once the cause is fixed. Re-driving puts
// the failed message back on its source topic, same key, same partition, with a header naming the dead
// letters it answers; every consumer of that topic sees the copy, which is safe because downstream is
// idempotent by event id (the sink's rows are keyed by it). The choices (what matches a filter, what can
// be re-driven, what was already) are pure functions here; the Kafka reads and writes are thin.
import type { Kafka, KafkaMessage, Message, Producer, RecordMetadata } from 'kafkajs';
import {
  CodecError,
  decodeEventAs,
  EVENT_TYPE_HEADER,
  type DeadLetter,
  type EventName,
} from '@llmpt/schemas';
import { PipelineError } from '../core/errors.ts';
import { readToEnd } from '../kafka/read-to-end.ts';
import { decodeStageValue } from '../kafka/stage.ts';

/** On a re-driven copy: the ids of the dead letters it answers, comma-separated. */
export const REDRIVEN_FROM_HEADER = 'llmpt-redriven-from';

export interface DeadLetterFilter {
  readonly stage?: string | undefined;
  readonly code?: string | undefined;
  /** Source topic, with or without the topic prefix. */
  readonly topic?: string | undefined;
  readonly run?: string | undefined;
  /** A dead letter id or a prefix of one (as `list` shows it). */
  readonly id?: string | undefined;
}

/** A dead letter with where it sits in the dead-letter topic. */
export interface StoredDeadLetter {
  readonly partition: number;
  readonly offset: string;
  readonly letter: DeadLetter;
}

// ---- pure: selecting and showing ----------------------------------------------------------------

export function matchesFilter(letter: DeadLetter, f: DeadLetterFilter, prefix = ''): boolean {
  if (f.stage !== undefined && letter.stage !== f.stage) return false;
  if (f.code !== undefined && letter.error_code !== f.code) return false;
  if (f.run !== undefined && letter.run_id !== f.run) return false;
  if (f.id !== undefined && !letter.event_id.startsWith(f.id)) return false;
  if (f.topic !== undefined && letter.source_topic !== f.topic && letter.source_topic !== prefix + f.topic)
    return false;
  return true;
}

/** The dead letters matching the filter, in topic order (partition, then offset). */
export function selectDeadLetters(
  all: readonly StoredDeadLetter[],
  f: DeadLetterFilter,
  prefix = '',
): StoredDeadLetter[] {
  return all.filter((d) => matchesFilter(d.letter, f, prefix)).sort(byPosition);
}

function byPosition(a: StoredDeadLetter, b: StoredDeadLetter): number {
  return a.partition - b.partition || compareOffsets(a.offset, b.offset);
}

function compareOffsets(a: string, b: string): number {
  const d = BigInt(a) - BigInt(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** `topic/partition@offset`, or the source URL for an input entry (discovery), or `-`. */
export function sourceOf(letter: DeadLetter): string {
  if (letter.source_topic !== null)
    return `${letter.source_topic}/${letter.source_partition ?? '?'}@${letter.source_offset ?? '?'}`;
  return letter.source_url ?? '-';
}

function oneLine(text: string, max = 240): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

/** One line per dead letter: id, stage, code, source, run, message. */
export function formatDeadLetter(d: StoredDeadLetter): string {
  const l = d.letter;
  return [
    l.event_id,
    l.stage,
    l.error_code,
    sourceOf(l),
    `run=${l.run_id ?? '-'}`,
    oneLine(l.error_message),
  ].join('  ');
}

export interface SummaryRow {
  readonly stage: string;
  readonly code: string;
  readonly count: number;
}

/** Counts by stage and error code, sorted by stage then code. */
export function summarize(letters: readonly StoredDeadLetter[]): SummaryRow[] {
  const counts = new Map<string, SummaryRow>();
  for (const { letter } of letters) {
    const k = JSON.stringify([letter.stage, letter.error_code]);
    const row = counts.get(k);
    counts.set(k, { stage: letter.stage, code: letter.error_code, count: (row?.count ?? 0) + 1 });
  }
  return [...counts.values()].sort((a, b) => a.stage.localeCompare(b.stage) || a.code.localeCompare(b.code));
}

export function formatSummary(rows: readonly SummaryRow[], selected: number, total: number): string[] {
  return [
    `${selected} dead letter${selected === 1 ? '' : 's'} selected of ${total}`,
    ...rows.map((r) => `  ${r.stage.padEnd(12)} ${r.code.padEnd(28)} ${String(r.count).padStart(6)}`),
  ];
}

/** A dead letter as JSON: the key as text (keys are ids), the payload as base64 (it may not be text). */
export function deadLetterJson(d: StoredDeadLetter): Record<string, unknown> {
  const { key, payload, ...rest } = d.letter;
  return {
    ...rest,
    key: key === null ? null : key.toString('utf8'),
    payload_base64: payload.toString('base64'),
    payload_bytes: payload.length,
    dead_letter_partition: d.partition,
    dead_letter_offset: d.offset,
  };
}

// ---- pure: what to re-drive ---------------------------------------------------------------------

export interface RedriveAction {
  readonly topic: string;
  readonly partition: number | null;
  readonly key: Buffer | null;
  readonly value: Buffer;
  readonly eventName: EventName;
  /** Every selected dead letter of this one source message (one per stage that failed on it). */
  readonly deadLetterIds: readonly string[];
  /** Where the original sits, `topic/partition@offset`. */
  readonly source: string;
  readonly sourceOffset: string | null;
}

export interface SkippedLetter {
  readonly id: string;
  readonly letter: DeadLetter;
  readonly reason: string;
}

export interface RedrivePlan {
  readonly publish: readonly RedriveAction[];
  readonly skipped: readonly SkippedLetter[];
}

export interface RedrivePlanOptions {
  /** The topics a re-drive may write to: this pipeline's event topics (with the prefix). */
  readonly allowedTopics: ReadonlySet<string>;
  /** Ids of dead letters already answered by a re-driven copy on their source topic. */
  readonly alreadyRedriven: ReadonlySet<string>;
  /** Publish again even what was already re-driven. */
  readonly again?: boolean;
}

function skipReason(letter: DeadLetter, o: RedrivePlanOptions): string | undefined {
  if (letter.source_topic === null)
    return `no source topic: the payload is a raw ${letter.stage} input entry, not an event; re-run ${letter.stage} after the fix`;
  if (!o.allowedTopics.has(letter.source_topic))
    return `source topic ${letter.source_topic} is not an event topic of this pipeline (check TOPIC_PREFIX)`;
  if (!o.again && o.alreadyRedriven.has(letter.event_id))
    return 'already re-driven (--again publishes it once more)';
  try {
    decodeStageValue(letter.source_topic, letter.payload);
  } catch (err) {
    if (!(err instanceof CodecError)) throw err;
    return `payload still does not decode or validate (${err.code}: ${oneLine(err.message, 160)}); re-driving it would dead-letter it again`;
  }
  return undefined;
}

/**
 * Chooses what to re-publish: one copy per source message (when several stages dead-lettered the same
 * message, one copy reaches them all), in source order so a partition replays in its original order.
 */
export function planRedrive(selected: readonly StoredDeadLetter[], o: RedrivePlanOptions): RedrivePlan {
  const bySource = new Map<string, { action: Omit<RedriveAction, 'deadLetterIds'>; ids: string[] }>();
  const skipped: SkippedLetter[] = [];
  for (const { letter } of selected) {
    const reason = skipReason(letter, o);
    if (reason !== undefined) {
      skipped.push({ id: letter.event_id, letter, reason });
      continue;
    }
    const source = sourceOf(letter);
    const entry = bySource.get(source);
    if (entry) {
      if (!entry.ids.includes(letter.event_id)) entry.ids.push(letter.event_id);
      continue;
    }
    bySource.set(source, {
      action: {
        topic: letter.source_topic!,
        partition: letter.source_partition,
        key: letter.key,
        value: letter.payload,
        eventName: decodeStageValue(letter.source_topic!, letter.payload).name,
        source,
        sourceOffset: letter.source_offset,
      },
      ids: [letter.event_id],
    });
  }
  const publish = [...bySource.values()]
    .map(({ action, ids }) => ({ ...action, deadLetterIds: ids }))
    .sort(
      (a, b) =>
        a.topic.localeCompare(b.topic) ||
        (a.partition ?? -1) - (b.partition ?? -1) ||
        compareOffsets(a.sourceOffset ?? '0', b.sourceOffset ?? '0'),
    );
  return { publish, skipped };
}

/** The Kafka message of a re-drive: original key and bytes, type header, the dead letters it answers. */
export function redriveMessage(a: RedriveAction): Message {
  return {
    key: a.key,
    value: a.value,
    ...(a.partition !== null ? { partition: a.partition } : {}),
    headers: { [EVENT_TYPE_HEADER]: a.eventName, [REDRIVEN_FROM_HEADER]: a.deadLetterIds.join(',') },
  };
}

/** Dead letter ids named by the re-drive header of a consumed message. */
export function redrivenIdsOf(message: Pick<KafkaMessage, 'headers'>): string[] {
  const v = message.headers?.[REDRIVEN_FROM_HEADER];
  const first = Array.isArray(v) ? v[0] : v;
  if (first === undefined) return [];
  return first
    .toString()
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

// ---- Kafka I/O ----------------------------------------------------------------------------------

export type DeadLetterToolErrorCode = 'NO_SUCH_TOPIC';

/** The dead-letter tool was pointed at something that is not there: an operator fixes it, never retried. */
export class DeadLetterToolError extends PipelineError {
  declare readonly code: DeadLetterToolErrorCode;
  constructor(code: DeadLetterToolErrorCode, message: string) {
    super(code, message);
  }
}

/** A clear error for a wrong TOPIC_PREFIX, rather than kafkajs retrying an unknown partition. */
async function assertTopicsExist(kafka: Kafka, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0)
      throw new DeadLetterToolError(
        'NO_SUCH_TOPIC',
        `topic ${missing.join(', ')} does not exist (is TOPIC_PREFIX right? the topics job creates it)`,
      );
  } finally {
    await admin.disconnect();
  }
}

/** Every dead letter on the topic; a record that is not a DeadLetter is reported, never hidden. */
export async function readDeadLetters(
  kafka: Kafka,
  topic: string,
): Promise<{
  letters: StoredDeadLetter[];
  unreadable: { partition: number; offset: string; why: string }[];
}> {
  await assertTopicsExist(kafka, [topic]);
  const letters: StoredDeadLetter[] = [];
  const unreadable: { partition: number; offset: string; why: string }[] = [];
  await readToEnd(
    kafka,
    [topic],
    ({ partition, message: m }) => {
      if (!m.value) return;
      try {
        letters.push({ partition, offset: m.offset, letter: decodeEventAs('DeadLetter', m.value) });
      } catch (err) {
        if (!(err instanceof CodecError)) throw err;
        unreadable.push({ partition, offset: m.offset, why: `${err.code}: ${err.message}` });
      }
    },
    { groupPrefix: 'llmpt-dead-letters' },
  );
  letters.sort(byPosition);
  return { letters, unreadable };
}

/** Ids of the dead letters already answered by a re-driven copy on any of the topics. */
export async function readRedrivenIds(kafka: Kafka, topics: readonly string[]): Promise<Set<string>> {
  if (topics.length === 0) return new Set();
  await assertTopicsExist(kafka, topics);
  const ids = new Set<string>();
  await readToEnd(kafka, topics, ({ message }) => redrivenIdsOf(message).forEach((id) => ids.add(id)), {
    groupPrefix: 'llmpt-dead-letters',
  });
  return ids;
}

/** Publishes the plan with the given (idempotent) producer, topic by topic, in plan order. */
export async function publishRedrive(
  producer: Pick<Producer, 'send'>,
  plan: RedrivePlan,
): Promise<RecordMetadata[]> {
  const out: RecordMetadata[] = [];
  const byTopic = new Map<string, Message[]>();
  for (const a of plan.publish) byTopic.set(a.topic, [...(byTopic.get(a.topic) ?? []), redriveMessage(a)]);
  for (const [topic, messages] of byTopic) out.push(...(await producer.send({ topic, messages, acks: -1 })));
  return out;
}
