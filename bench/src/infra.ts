// The bench's imperative shell: databases, producing the history, watching a consumer group drain,
// reading a process's peak memory.
import { mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import {
  groupLag,
  createProducer,
  toKafkaMessage,
  type EventMessage,
  type Kafka,
} from '@llmpt/runtime/kafka';
import {
  freshDatabase as freshTestDatabase,
  stackEnv,
  startService,
  withClient,
  withDatabase,
  type FreshDatabase,
  type PipelineSettings,
  type ServiceName,
  type ServiceProcess,
} from '@llmpt/testkit';
import { cpuBetween, processCpu, sampleCpu, type CpuUse } from './cpu.ts';

/** The run whose `by` is the median (the lower middle one of an even count). */
export const medianRun = <T>(runs: readonly T[], by: (r: T) => number): T =>
  [...runs].sort((a, b) => by(a) - by(b))[Math.floor((runs.length - 1) / 2)]!;

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

export { withClient, withDatabase };

export type BenchDatabase = FreshDatabase;

const created = new Set<string>();

/** An empty database with every migration applied; remembered until dropped (see below). */
export async function freshDatabase(label: string): Promise<BenchDatabase> {
  const db = await freshTestDatabase(label, { namePrefix: 'llmpt_bench' });
  created.add(db.name);
  return {
    ...db,
    drop: async () => {
      await db.drop();
      created.delete(db.name);
    },
  };
}

/** Drops every bench database still there (after a failure). */
export async function dropLeftoverDatabases(): Promise<void> {
  const main = stackEnv().databaseUrl;
  for (const name of [...created])
    await withClient(main, (c) => c.query(`drop database if exists ${name} with (force)`));
  created.clear();
}

/** Produces events in big batches (idempotent producer, acks=all, as the services do). */
export async function produceAll(
  kafka: Kafka,
  items: readonly (EventMessage & { topic: string })[],
  chunk = 1000,
): Promise<void> {
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    for (let i = 0; i < items.length; i += chunk) {
      const byTopic = new Map<string, ReturnType<typeof toKafkaMessage>[]>();
      for (const item of items.slice(i, i + chunk)) {
        const list = byTopic.get(item.topic) ?? [];
        list.push(toKafkaMessage(item));
        byTopic.set(item.topic, list);
      }
      await producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        acks: -1,
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * Produces a stream of messages, each encoded once as it comes, in requests of about `requestBytes`
 * (the broker takes at most 1 MB per partition in one request: keep this under 1 MB × partitions),
 * without holding the stream in memory. Returns the messages and bytes sent.
 */
export async function produceStream(
  kafka: Kafka,
  items: Iterable<EventMessage & { topic: string }>,
  requestBytes: number,
): Promise<{ messages: number; bytes: number }> {
  const producer = createProducer(kafka);
  await producer.connect();
  let messages = 0;
  let bytes = 0;
  try {
    let byTopic = new Map<string, ReturnType<typeof toKafkaMessage>[]>();
    let pending = 0;
    const flush = async () => {
      if (pending === 0) return;
      await producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list })),
        acks: -1,
      });
      byTopic = new Map();
      pending = 0;
    };
    for (const item of items) {
      const m = toKafkaMessage(item);
      const size = (m.value?.length ?? 0) + (m.key?.length ?? 0) + 64;
      if (pending + size > requestBytes) await flush();
      const list = byTopic.get(item.topic) ?? [];
      list.push(m);
      byTopic.set(item.topic, list);
      pending += size;
      messages++;
      bytes += size;
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
  return { messages, bytes };
}

/** Peak resident set of a process (kB), from /proc; 0 once it has gone. */
export function peakRssKb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export interface DrainTiming {
  /** From the spawn of the processes to lag 0. */
  readonly wallMs: number;
  /** From the first committed progress to lag 0 (startup, tsx and the group join excluded). */
  readonly steadyMs: number;
  readonly peakRssKb: number;
  /** CPU from just after the spawn to lag 0: the machine's, Postgres's, the broker's, the processes'. */
  readonly cpu: CpuUse;
}

/**
 * Polls a group's lag until it is 0, watching that the processes stay up. `t0` is when they were
 * spawned. Peak RSS is read while they are still running (max over the processes).
 */
export async function waitGroupDrained(
  kafka: Kafka,
  groupId: string,
  topicNames: readonly string[],
  procs: readonly ServiceProcess[],
  t0: number,
  timeoutMs = 900_000,
): Promise<DrainTiming> {
  const cpuAtStart = sampleCpu();
  const admin = kafka.admin();
  await admin.connect();
  try {
    const initial = await groupLag(admin, groupId, topicNames);
    let firstProgress: number | undefined;
    for (;;) {
      for (const p of procs)
        if (p.child.exitCode !== null) throw new Error(`${p.name} exited with ${p.child.exitCode}`);
      const lag = await groupLag(admin, groupId, topicNames);
      const now = Date.now();
      if (firstProgress === undefined && lag < initial) firstProgress = now;
      if (lag === 0n) {
        const rss = Math.max(...procs.map((p) => peakRssKb(p.child.pid)));
        const used = procs.reduce((n, p) => n + processCpu(p.child.pid), 0);
        return {
          wallMs: now - t0,
          steadyMs: now - (firstProgress ?? t0),
          peakRssKb: rss,
          cpu: cpuBetween(cpuAtStart, sampleCpu(), used),
        };
      }
      if (now - t0 > timeoutMs) throw new Error(`group ${groupId} did not drain (lag ${lag})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * startService with `--cpu-prof` (not allowed in NODE_OPTIONS, so the command line is built here): the
 * profile is written when the process exits after SIGTERM.
 */
export function startProfiled(
  service: ServiceName,
  s: PipelineSettings,
  extra: Record<string, string>,
  dir: string,
): ServiceProcess {
  mkdirSync(dir, { recursive: true });
  return startService(service, s, extra, ['--cpu-prof', '--cpu-prof-dir', dir]);
}

/** Until every group is Stable with a member: a figure then times the work, not the services' start. */
export async function waitGroupsJoined(k: Kafka, groups: readonly string[]): Promise<void> {
  const admin = k.admin();
  await admin.connect();
  try {
    for (;;) {
      const { groups: described } = await admin.describeGroups([...groups]);
      if (described.every((g) => g.state === 'Stable' && g.members.length > 0)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.disconnect();
  }
}
