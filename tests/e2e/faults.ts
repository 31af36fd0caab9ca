// Fault injection for the crash e2e tests: killing a service process for real (SIGKILL, SIGSTOP),
// restarting it in a pipeline, seeing where a process stands (a Postgres backend waiting on a lock,
// a Kafka transaction left open), and what a clean run needs (a raw copy of topics, a drain of
// chosen groups only).
import type { Admin, Kafka, Message } from 'kafkajs';
import type pg from 'pg';
import { createConsumer, createProducer, groupLag, readToEnd } from '@llmpt/runtime/kafka';
import { sinkInputTopics } from '@llmpt/runtime';
import { groupIds, type ServiceName, type ServiceProcess, uniquePrefix } from '@llmpt/testkit';
import type { E2EPipeline } from './harness.ts';

/** The pipeline's running process of a service. */
export function service(p: E2EPipeline, name: ServiceName): ServiceProcess {
  const s = p.services.find((x) => x.name === name);
  if (!s) throw new Error(`no ${name} in the pipeline`);
  return s;
}

/** Events the pipeline's sink has not committed yet (what a kill at this moment leaves to redo). */
export async function sinkLag(p: E2EPipeline): Promise<number> {
  const admin = p.kafka.admin();
  await admin.connect();
  try {
    return Number(
      await groupLag(
        admin,
        groupIds(p.prefix).sink,
        sinkInputTopics.map((t) => p.prefix + t),
      ),
    );
  } finally {
    await admin.disconnect();
  }
}

/** `kill -9`: returns once the process is gone. */
export async function killHard(p: ServiceProcess): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await p.exited;
}

/**
 * Puts a restarted process in the pipeline's service list in place of the dead one of the same name,
 * so the pipeline's drain watches it and `stop()` stops it.
 */
export function replaceService(p: E2EPipeline, next: ServiceProcess): void {
  const list = p.services as ServiceProcess[];
  const i = list.findIndex((s) => s.name === next.name);
  if (i < 0) throw new Error(`replaceService: the pipeline has no ${next.name}`);
  list[i] = next;
}

/** A sink's backend as pg_stat_activity shows it while it waits for a lock inside its transaction. */
export interface BlockedBackend {
  readonly pid: number;
  readonly state: string;
  readonly wait_event_type: string;
  readonly xact_start: Date;
  readonly query_start: Date;
  /** The transaction began before the statement now waiting: earlier statements of the batch ran in it. */
  readonly began_before_statement: boolean;
  /** Set once the transaction wrote something (earlier statements of the batch did). */
  readonly backend_xid: string | null;
  readonly query: string;
  /** The relation whose lock it waits for. */
  readonly waits_on: string;
}

/**
 * The backends of `applicationName` on `database` that are active, inside an open transaction and
 * waiting for a lock on `table` (pg_locks: not granted). `db` must be connected to that database.
 */
export async function backendsWaitingOn(
  db: pg.ClientBase,
  applicationName: string,
  table: string,
): Promise<BlockedBackend[]> {
  const res = await db.query<BlockedBackend>(
    `select a.pid, a.state, a.wait_event_type, a.xact_start, a.query_start, a.xact_start < a.query_start as began_before_statement,
            a.backend_xid::text as backend_xid,
            a.query, l.relation::regclass::text as waits_on
       from pg_stat_activity a
       join pg_locks l on l.pid = a.pid and not l.granted
      where a.datname = current_database() and a.application_name = $1 and a.state = 'active'
        and a.wait_event_type = 'Lock' and a.xact_start is not null and l.relation = $2::regclass`,
    [applicationName, table],
  );
  return res.rows;
}

/**
 * Per partition: the last stable offset. kafkajs' admin lists offsets read_committed, so its "high" is
 * the LSO: the first offset of the oldest transaction still open, or the high watermark when none is.
 */
export async function lastStableOffsets(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
}

/**
 * Copies every record of the given topics, bytes, keys and headers as they are, to the same partition of
 * the topic of the same name under `toPrefix`, in log order: a clean pipeline on the copy consumes
 * exactly what the original did. Returns the records copied per topic.
 */
export async function copyTopics(
  kafka: Kafka,
  fromPrefix: string,
  toPrefix: string,
  names: readonly string[],
): Promise<Record<string, number>> {
  const byTopic = new Map<string, Message[]>();
  const copied: Record<string, number> = {};
  await readToEnd(
    kafka,
    names.map((n) => fromPrefix + n),
    ({ topic, partition, message }) => {
      const to = toPrefix + topic.slice(fromPrefix.length);
      const list = byTopic.get(to) ?? [];
      list.push({
        partition,
        key: message.key,
        value: message.value,
        ...(message.headers ? { headers: message.headers } : {}),
        timestamp: message.timestamp,
      });
      byTopic.set(to, list);
    },
    { groupPrefix: 'crash-copy' },
  );
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    for (const [topic, messages] of byTopic) {
      // One topic per request keeps each partition's records in their original order.
      await producer.sendBatch({ topicMessages: [{ topic, messages }], acks: -1 });
      copied[topic.slice(toPrefix.length)] = messages.length;
    }
  } finally {
    await producer.disconnect();
  }
  return copied;
}

/** Offsets a read_uncommitted consumer has seen so far on one topic, per partition (live). */
export interface UncommittedWatch {
  /** Highest offset seen per partition (records of open and aborted transactions included). */
  readonly maxOffset: ReadonlyMap<number, bigint>;
  /** Every offset seen per partition. */
  readonly offsets: ReadonlyMap<number, ReadonlySet<bigint>>;
  /** Called after each fetched batch, while the consumer waits (it fetches nothing meanwhile). */
  onBatch(fn: ((partition: number) => Promise<void>) | null): void;
  stop(): Promise<void>;
}

/** Reads `topic` read_uncommitted from the beginning, live, so records of open transactions are seen. */
export async function watchUncommitted(kafka: Kafka, topic: string): Promise<UncommittedWatch> {
  const maxOffset = new Map<number, bigint>();
  const offsets = new Map<number, Set<bigint>>();
  let hook: ((partition: number) => Promise<void>) | null = null;
  const consumer = createConsumer(kafka, {
    groupId: `${uniquePrefix(topic)}watch-uncommitted`,
    readUncommitted: true,
    maxWaitTimeInMs: 50,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const seen = offsets.get(batch.partition) ?? new Set<bigint>();
      offsets.set(batch.partition, seen);
      for (const m of batch.messages) {
        const o = BigInt(m.offset);
        seen.add(o);
        if (o > (maxOffset.get(batch.partition) ?? -1n)) maxOffset.set(batch.partition, o);
      }
      if (batch.messages.length > 0 && hook) await hook(batch.partition);
    },
  });
  return {
    maxOffset,
    offsets,
    onBatch: (fn) => {
      hook = fn;
    },
    stop: () => consumer.disconnect(),
  };
}
