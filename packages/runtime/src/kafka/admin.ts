import kafkajs, { type Admin, type Kafka } from 'kafkajs';
import { errorMessage, isRetriable, PipelineError } from '../core/errors.ts';
import { sleep } from '../core/retry.ts';
import type { Logger } from '../core/logger.ts';
import type { TopicSpec } from '../core/topics.ts';

// Node's CommonJS export detection misses most of kafkajs's exports: read them off the default export.
const { ConfigResourceTypes } = kafkajs;

export interface EnsureTopicsOptions {
  /** Partitions for topics created now; an existing topic with another count is reported. */
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly logger?: Logger;
  /** Report mismatches in the result instead of throwing (the default throws). */
  readonly allowMismatch?: boolean;
  /** How long new topics may take to get a leader for every partition (default 30 s). */
  readonly leaderTimeoutMs?: number;
}

export interface TopicMismatch {
  readonly topic: string;
  /** A config name, or `partitions`. */
  readonly setting: string;
  readonly expected: string;
  readonly actual: string | null;
}

export interface EnsureTopicsResult {
  readonly created: string[];
  readonly existing: string[];
  readonly mismatches: TopicMismatch[];
}

export class TopicMismatchError extends PipelineError {
  readonly mismatches: readonly TopicMismatch[];
  constructor(mismatches: readonly TopicMismatch[]) {
    super(
      'TOPIC_CONFIG_MISMATCH',
      `existing topics differ from their specs (packages/runtime/src/core/topics.ts):\n` +
        mismatches
          .map((m) => `  ${m.topic}: ${m.setting} is ${m.actual ?? '(unset)'}, expected ${m.expected}`)
          .join('\n') +
        `\nfix: alter the configs (kafka-configs.sh --alter --entity-type topics); a partition count differs when ` +
        `KAFKA_PARTITIONS changed after the topic was created: set it back, or recreate the topic`,
    );
    this.mismatches = mismatches;
  }
}

async function withAdmin<T>(kafka: Kafka, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Pure: which of the expected settings differ from what the broker holds. */
export function compareTopicConfigs(
  spec: TopicSpec,
  actual: Readonly<Record<string, string>>,
  actualPartitions: number | undefined,
  expectedPartitions: number | undefined,
): TopicMismatch[] {
  const out: TopicMismatch[] = Object.entries(spec.configs)
    .filter(([k, v]) => actual[k] !== v)
    .map(([k, v]) => ({ topic: spec.name, setting: k, expected: v, actual: actual[k] ?? null }));
  if (
    expectedPartitions !== undefined &&
    actualPartitions !== undefined &&
    actualPartitions !== expectedPartitions
  )
    out.push({
      topic: spec.name,
      setting: 'partitions',
      expected: String(expectedPartitions),
      actual: String(actualPartitions),
    });
  return out;
}

/** Polls metadata until every partition of the topics has a leader: then producers and consumers can use them. */
async function waitForLeaders(admin: Admin, names: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = 'no leader yet';
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: [...names] });
      const ready =
        meta.length === names.length && meta.every((t) => t.partitions.every((p) => p.leader >= 0));
      // The metadata can name a leader before that broker serves the partition: listing its offsets
      // (a request the leader itself answers) answers NOT_LEADER_FOR_PARTITION until it does.
      if (ready) {
        for (const name of names) await admin.fetchTopicOffsets(name);
        return;
      }
    } catch (err) {
      if (!isRetriable(err)) throw err;
      last = err;
    }
    if (Date.now() >= deadline)
      throw new PipelineError(
        'TOPIC_NOT_READY',
        `topics ${names.join(', ')} have no leader after ${timeoutMs}ms: ${errorMessage(last)}`,
        { retriable: true, cause: last },
      );
    await sleep(100);
  }
}

/** Every config value of each topic as the broker reports it (defaults included). */
export async function describeTopicConfigs(
  kafka: Kafka,
  topicNames: readonly string[],
): Promise<Record<string, Record<string, string>>> {
  return withAdmin(kafka, (admin) => describeWith(admin, topicNames));
}

async function describeWith(
  admin: Admin,
  topicNames: readonly string[],
): Promise<Record<string, Record<string, string>>> {
  if (topicNames.length === 0) return {};
  const res = await admin.describeConfigs({
    resources: topicNames.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
    includeSynonyms: false,
  });
  const out: Record<string, Record<string, string>> = {};
  for (const r of res.resources) {
    if (r.errorCode !== 0)
      throw new PipelineError(
        'TOPIC_DESCRIBE_FAILED',
        `describeConfigs ${r.resourceName}: ${r.errorMessage ?? r.errorCode}`,
        {
          retriable: true,
        },
      );
    out[r.resourceName] = Object.fromEntries(r.configEntries.map((e) => [e.configName, e.configValue]));
  }
  return out;
}

/**
 * Creates the missing topics with their configs and checks the existing ones against their specs.
 * Safe to run concurrently and repeatedly (a topic created by someone else in between is just "existing").
 */
export async function ensureTopics(
  kafka: Kafka,
  specs: readonly TopicSpec[],
  opts: EnsureTopicsOptions,
): Promise<EnsureTopicsResult> {
  return withAdmin(kafka, async (admin) => {
    const before = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !before.has(s.name));
    if (missing.length > 0) {
      await admin.createTopics({
        // kafkajs's own wait gives up on UNKNOWN_TOPIC_OR_PARTITION, which a KRaft broker answers until
        // the new topic's metadata has propagated; waitForLeaders below retries that.
        waitForLeaders: false,
        topics: missing.map((s) => ({
          topic: s.name,
          numPartitions: opts.partitions,
          replicationFactor: opts.replicationFactor,
          configEntries: Object.entries(s.configs).map(([name, value]) => ({ name, value })),
        })),
      });
    }
    const created = missing.map((s) => s.name);
    if (created.length > 0) await waitForLeaders(admin, created, opts.leaderTimeoutMs ?? 30_000);
    const existing = specs.filter((s) => before.has(s.name)).map((s) => s.name);
    opts.logger?.info({ created, existing }, 'topics ensured');

    // Created topics are verified too: the broker may have rejected or rewritten a config silently.
    const configs = await describeWith(
      admin,
      specs.map((s) => s.name),
    );
    // An empty topic list would fetch every topic in the cluster.
    const meta = existing.length > 0 ? (await admin.fetchTopicMetadata({ topics: existing })).topics : [];
    const partitionsOf = new Map(meta.map((t) => [t.name, t.partitions.length]));
    const mismatches = specs.flatMap((s) =>
      compareTopicConfigs(
        s,
        configs[s.name] ?? {},
        partitionsOf.get(s.name),
        before.has(s.name) ? opts.partitions : undefined,
      ),
    );
    if (mismatches.length > 0 && !opts.allowMismatch) throw new TopicMismatchError(mismatches);
    if (mismatches.length > 0) opts.logger?.warn({ mismatches }, 'existing topics differ from their specs');
    return { created, existing, mismatches };
  });
}
