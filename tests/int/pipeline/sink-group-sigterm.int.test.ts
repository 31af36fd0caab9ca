// docs/design.md, group commit, rule 7: "SIGTERM while accumulating: the stage stops fetching, closes the
// open group at once (without waiting for its time bound), commits it once, commits the offsets, then
// the process disconnects and exits 0: nothing fetched is lost and nothing is written twice."
// A REAL sink process on the shared stack, its group held open by a 60 s time bound (and a size bound
// it never reaches), gets SIGTERM once its batches have joined the open group. Afterwards: it exited 0,
// every event is one row, the group's committed offsets are the topics' ends, and a second sink in the
// same consumer group has nothing left to read (its lag is zero and it writes nothing).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@llmpt/runtime';
import { createProducer, produceEvents, type Kafka } from '@llmpt/runtime/kafka';
import { normalizedPrice, T0, HOUR } from '@llmpt/schemas/samples';
import {
  createTestTopics,
  deleteTestTopics,
  freshDatabase,
  groupIds,
  repoRoot,
  stackEnv,
  startService,
  testKafka,
  uniquePrefix,
  waitFor,
  withClient,
  type FreshDatabase,
  type PipelineSettings,
} from '@llmpt/testkit';

const EVENTS = 600;
const PARTITIONS = 6;
/** The time bound: far longer than the signal and the exit take, even on a loaded machine. */
const MAX_WAIT_MS = 60_000;

const prefix = uniquePrefix('groupterm');
const kafka: Kafka = testKafka('sink-group-sigterm-int');
let db: FreshDatabase;
let settings: PipelineSettings;

const logFile = () => path.join(settings.logDir, 'sink.log');
const log = () => readFileSync(logFile(), 'utf8');

async function rows(): Promise<{ n: number; distinct: number }> {
  return withClient(db.url, async (c) => {
    const r = await c.query<{ n: string; d: string }>(
      'select count(*)::text n, count(distinct event_id)::text d from price_observations',
    );
    return { n: Number(r.rows[0]!.n), distinct: Number(r.rows[0]!.d) };
  });
}

/** The sink group's committed offset on every partition of the NormalizedPrice topic. */
async function committed(): Promise<Map<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({
      groupId: groupIds(prefix).sink,
      topics: [prefix + topics.normalizedPrice.name],
    });
    return new Map(t!.partitions.map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

async function ends(): Promise<Map<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(prefix + topics.normalizedPrice.name);
    return new Map(offsets.map((p) => [p.partition, p.high]));
  } finally {
    await admin.disconnect();
  }
}

describe('SIGTERM while the sink accumulates a group (group commit, rule 7)', () => {
  beforeAll(async () => {
    await createTestTopics(prefix, { kafka, partitions: PARTITIONS });
    db = await freshDatabase('groupterm');
    const env = stackEnv();
    settings = {
      kafkaBrokers: env.kafkaBrokers.join(','),
      databaseUrl: db.url,
      store: 'postgres',
      topicPrefix: prefix,
      openRouterBaseUrl: 'http://127.0.0.1:9',
      scrapeProviderSites: false,
      logDir: path.join(repoRoot, '.cache', 'int', prefix.replace(/\W+/g, '-')),
      logLevel: 'debug',
    };
    const producer = createProducer(kafka);
    await producer.connect();
    // Many price keys, so the events spread over every partition.
    await produceEvents(
      producer,
      prefix + topics.normalizedPrice.name,
      Array.from({ length: EVENTS }, (_, i) => {
        const e = normalizedPrice({ model_id: `vendor/model-${i}`, observed_at: T0 + (i % 12) * HOUR });
        return { key: e.event.price_key, name: 'NormalizedPrice' as const, event: e.event };
      }),
    );
    await producer.disconnect();
  });
  afterAll(async () => {
    await deleteTestTopics(prefix, { kafka });
    await db?.drop();
  });

  it('commits the open group once, commits its offsets and exits 0; a new sink reads nothing again', async () => {
    const sink = startService('sink', settings, {
      SINK_BATCH_MAX_WAIT_MS: String(MAX_WAIT_MS),
      SINK_BATCH_MAX_EVENTS: '1000000',
    });
    const joinedAt = await waitFor(
      () => {
        const n = log()
          .split('\n')
          .filter((l) => l.includes('"msg":"batch joined the open group"')).length;
        return n > 0 ? Date.now() : null;
      },
      { timeoutMs: 60_000, message: 'a batch in the open group' },
    );
    // Accumulating: nothing is written and nothing committed yet.
    expect((await rows()).n).toBe(0);
    const before = await committed();
    expect([...before.values()].every((o) => BigInt(o) <= 0n)).toBe(true);

    sink.child.kill('SIGTERM');
    expect(await sink.exited).toBe(0);
    // The signal closed the group, not its time bound; and the handler ran once: one group, one commit.
    expect(Date.now() - joinedAt).toBeLessThan(MAX_WAIT_MS);
    expect(log()).toContain('"msg":"shutdown complete"');
    expect(log()).toMatch(
      new RegExp(`"batches":1,"events":${EVENTS},"observations":${EVENTS},[^\\n]*"msg":"sink stopped"`),
    );

    // Every event is one row, once.
    expect(await rows()).toEqual({ n: EVENTS, distinct: EVENTS });
    // The group's offsets are committed: every partition's committed offset is its end.
    expect(await committed()).toEqual(await ends());

    // A new sink in the same consumer group finds nothing to read and writes nothing.
    const from = log().length;
    const again = startService('sink', settings, { SINK_BATCH_MAX_WAIT_MS: '100' });
    await waitFor(() => (log().slice(from).includes('"msg":"sink running"') ? true : null), {
      timeoutMs: 60_000,
      message: 'the second sink running',
    });
    await waitFor(
      () => (/"msg":"(group join|Consumer has joined the group)"/i.test(log().slice(from)) ? true : null),
      { timeoutMs: 60_000, message: 'the second sink joined its group' },
    );
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    expect(log().slice(from)).not.toContain('"msg":"batch joined the open group"');
    expect(await rows()).toEqual({ n: EVENTS, distinct: EVENTS });
    expect(await committed()).toEqual(await ends());
  });
});
