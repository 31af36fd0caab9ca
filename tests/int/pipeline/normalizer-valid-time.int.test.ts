// The normalizer process in valid time (docs/price-model.md §4) on the real broker: inputs in time, then,
// while it is stopped, late inputs; restarted, it restores its key histories and the snapshots it placed
// from its changelog (a key's record over Kafka's 1 MB default among them) and places the late inputs.
// The oracle is §4.1: the PriceChanged versions in force (published minus retracted, by the reader's
// rule of §4.4) are those the rules give over every input taken in time order (rebuildChanges over the
// NormalizedPrice topic sorted by time, and the distinct snapshots), whatever order they arrived in.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createProducer,
  describeTopicConfigs,
  produceEvents,
  readToEnd,
  runStage,
  type EventMessage,
} from '@llmpt/runtime/kafka';
import {
  eventId,
  priceKey,
  type CatalogSnapshot,
  type NormalizedPrice,
  type PriceChanged,
  type PriceChangeRetracted,
  type RawPriceObserved,
} from '@llmpt/schemas';
import { samples } from '@llmpt/schemas/samples';
import {
  changeDigest,
  isSnapshotRecordKey,
  parseDaySegmentKey,
  rebuildChanges,
  stateFromChangelog,
  versionOf,
} from '@llmpt/normalizer';
import {
  consumeAll,
  createTestTopics,
  deleteTestTopics,
  groupIds,
  repoRoot,
  stackEnv,
  startService,
  testKafka,
  uniquePrefix,
  waitFor,
  waitForGroups,
  type PipelineSettings,
  type ServiceProcess,
  type TopicKey,
} from '@llmpt/testkit';
import { createLogger } from '@llmpt/runtime';

const T0 = Date.UTC(2026, 2, 3, 6, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MB = 1_048_576;

const prefix = uniquePrefix('norm-valid-time');
const kafka = testKafka('norm-valid-time-int');
let names: Record<TopicKey, string>;
let settings: PipelineSettings;
let normalizer: ServiceProcess | undefined;

/** A routed-price observation as the scraper publishes it (one per-token prompt price). */
function observation(model: string, at: number, prompt: string): RawPriceObserved {
  const key = priceKey(model, null, 'openrouter_api');
  const components = [
    { dimension: 'prompt', raw_value: prompt, unit: 'per_token', currency: 'USD', tier: null },
  ];
  return {
    event_id: eventId('RawPriceObserved', key, at, JSON.stringify(components)),
    run_id: `run-${new Date(at).toISOString().slice(0, 10)}`,
    caused_by: null,
    occurred_at: at,
    backfill: false,
    model_id: model,
    provider: null,
    provider_name: null,
    source_type: 'openrouter_api',
    source_url: 'https://openrouter.ai/api/v1/models',
    fetched_at: at,
    content_hash: 'ab'.repeat(32),
    status: 'ok',
    unavailable_reason: null,
    components,
    endpoint: null,
  };
}

/** A complete snapshot fetched at `at`, listing `ids`. */
function snapshot(at: number, ids: string[]): CatalogSnapshot {
  const day = new Date(at).toISOString().slice(0, 10);
  return {
    event_id: eventId('CatalogSnapshot', 'https://openrouter.ai/api/v1/models', day, ...ids),
    run_id: `run-${day}`,
    caused_by: null,
    occurred_at: at,
    source_url: 'https://openrouter.ai/api/v1/models',
    backfill: false,
    fetched_at: at,
    snapshot_date: day,
    model_ids: [...ids].sort(),
    expirations: [],
  };
}

async function produce(raw: readonly RawPriceObserved[], snapshots: readonly CatalogSnapshot[]) {
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    const snaps: EventMessage[] = snapshots.map((s) => ({
      key: s.source_url,
      name: 'CatalogSnapshot',
      event: s,
    }));
    if (snaps.length) await produceEvents(producer, names.catalogSnapshot, snaps);
    const obs: EventMessage[] = raw.map((r) => ({
      key: priceKey(r.model_id, r.provider, r.source_type),
      name: 'RawPriceObserved',
      event: r,
    }));
    for (let i = 0; i < obs.length; i += 1000)
      await produceEvents(producer, names.rawPriceObserved, obs.slice(i, i + 1000));
  } finally {
    await producer.disconnect();
  }
}

async function drained() {
  await waitForGroups(
    kafka,
    [[groupIds(prefix).normalizer, [names.rawPriceObserved, names.catalogSnapshot]]],
    {
      timeoutMs: 240_000,
      services: normalizer ? [normalizer] : [],
    },
  );
}

const BIG = 'vt/big';
const A = 'vt/a';
const B = 'vt/b';
const C = 'vt/c';
const dayAt = (d: number) => T0 + d * DAY;
// A's prices on days 0..5; B at one price; BIG hourly for 3,000 hours (its history passes 1 MB).
const A_PRICES = ['0.000001', '0.000001', '0.000002', '0.000002', '0.000003', '0.000003'];
const inTime = {
  raw: [
    ...A_PRICES.map((p, d) => observation(A, dayAt(d), p)),
    ...A_PRICES.map((_, d) => observation(B, dayAt(d), '0.000005')),
    ...Array.from({ length: 3000 }, (_, h) =>
      observation(BIG, T0 + h * HOUR, h < 1500 ? '0.000001' : '0.000002'),
    ),
  ],
  snapshots: [1, 2, 3, 4, 5].map((d) => snapshot(dayAt(d) - 1, [A, B, BIG])),
};
// While the normalizer is stopped: A late between its day-3 and day-4 observations, at another price;
// a snapshot without B between days 2 and 3 (one absence, reset by day 3's listing); day 3's snapshot
// again (a duplicate); a key first seen with an observation older than the snapshots that omit its model.
const lateA = observation(A, dayAt(3) + 6 * HOUR, '0.000005');
const late = {
  raw: [lateA, observation(C, dayAt(0), '0.000007')],
  snapshots: [snapshot(dayAt(2) + HOUR, [A, BIG]), inTime.snapshots[2]!],
};

beforeAll(async () => {
  names = await createTestTopics(prefix, { kafka });
  const env = stackEnv();
  settings = {
    kafkaBrokers: env.kafkaBrokers.join(','),
    store: 'postgres',
    topicPrefix: prefix,
    openRouterBaseUrl: 'http://127.0.0.1:9',
    scrapeProviderSites: false,
    logDir: path.join(repoRoot, '.stack', 'logs', 'int', prefix.replace(/\.+$/, '')),
    logLevel: 'info',
  };
}, 120_000);

afterAll(async () => {
  await normalizer?.stop('SIGTERM');
  await deleteTestTopics(prefix, { kafka });
}, 120_000);

describe('the changelog topic', () => {
  it('takes records up to 8 MiB, and a transaction of several such records to one partition', async () => {
    const configs = await describeTopicConfigs(kafka, [names.normalizerState]);
    expect(configs[names.normalizerState]?.['max.message.bytes']).toBe('8388608');

    // A stage of its own (own topics) whose one input batch writes three records of 3 MiB under one key:
    // one partition, one transaction, 9 MiB, more than the topic takes in one record batch.
    const own = uniquePrefix('norm-valid-time-big');
    const t = await createTestTopics(own, { kafka });
    try {
      const producer = createProducer(kafka);
      await producer.connect();
      await produceEvents(producer, t.providerDiscovered, [
        { key: 'p', name: 'ProviderDiscovered', event: samples.ProviderDiscovered },
      ]);
      await producer.disconnect();
      let committed = 0;
      const stage = await runStage({
        kafka,
        stage: 'big-records',
        groupId: `${own}big-records`,
        topics: [t.providerDiscovered],
        deadLetterTopic: t.deadLetter,
        transactionalId: `${own}big-records`,
        logger: createLogger({ service: 'big-records', level: 'silent' }),
        handle: async () => ({
          rawOutputs: [0, 1, 2].map((i) => ({
            topic: t.normalizerState,
            key: 'one|big|key',
            value: Buffer.alloc(3 * MB, 48 + i),
          })),
        }),
        onCommitted: () => void committed++,
      });
      await waitFor(() => committed > 0, { timeoutMs: 60_000, message: 'the big transaction committed' });
      await stage.stop();
      // Read back whole, as the normalizer's restore reads its changelog.
      const values: Buffer[] = [];
      await readToEnd(kafka, [t.normalizerState], ({ message }) => values.push(message.value!));
      expect(values.map((v) => [v.length, v[0]])).toEqual([
        [3 * MB, 48],
        [3 * MB, 49],
        [3 * MB, 50],
      ]);
      expect(await consumeAll(kafka, t.deadLetter)).toEqual([]);
    } finally {
      await deleteTestTopics(own, { kafka });
    }
  });
});

describe('the normalizer in valid time', () => {
  it('places inputs in time, then late ones after a restart; in force is what time order gives', async () => {
    await produce(inTime.raw, inTime.snapshots);
    normalizer = startService('normalizer', settings);
    await drained();
    expect(await normalizer.stop('SIGTERM')).toBe(0);

    const before = await consumeAll(kafka, names.priceChanged);
    const aChanges = before
      .map((e) => e.event as PriceChanged)
      .filter((c) => c.price_key === priceKey(A, null, 'openrouter_api'));
    const jump = aChanges.find(
      (c) => c.changes[0]?.previous === '2.00000000' && c.changes[0]?.current === '3.00000000',
    );
    expect(jump).toBeDefined();

    await produce(late.raw, late.snapshots);
    normalizer = startService('normalizer', settings);
    await drained();
    expect(await normalizer.stop('SIGTERM')).toBe(0);
    normalizer = undefined;

    const changed = (await consumeAll(kafka, names.priceChanged)).map((e) => e.event as PriceChanged);
    const retracted = (await consumeAll(kafka, names.priceChangeRetracted)).map(
      (e) => e.event as PriceChangeRetracted,
    );
    const normalized = (await consumeAll(kafka, names.normalizedPrice)).map(
      (e) => e.event as NormalizedPrice,
    );
    const snapshots = (await consumeAll(kafka, names.catalogSnapshot)).map((e) => e.event as CatalogSnapshot);
    expect(await consumeAll(kafka, names.deadLetter)).toEqual([]);

    // The late observation of A: the changes time order gives from it on, backfilled; the old 2→3 retracted.
    const lateNp = normalized.find((n) => n.model_id === A && n.observed_at === lateA.fetched_at)!;
    const afterLate = changed.filter((c) => c.caused_by === lateNp.event_id);
    expect(
      afterLate.map((c) => [c.kind, c.changes[0]?.previous, c.changes[0]?.current, c.backfilled]),
    ).toEqual([['changed', '2.00000000', '5.00000000', true]]);
    expect(retracted.map((r) => [r.retracted_event_id, r.retracted_digest, r.retracted])).toEqual([
      [jump!.event_id, changeDigest(jump!), true],
    ]);
    // C, first seen late: new, then removed by day 2's snapshot (placed before the restart, restored).
    expect(changed.filter((c) => c.model_id === C).map((c) => [c.kind, c.backfilled])).toEqual([
      ['new', true],
      ['removed', true],
    ]);

    // §4.1 over the whole run.
    const reader = new Map<string, PriceChangeRetracted>();
    for (const r of retracted) {
      const v = versionOf(r.retracted_event_id, r.retracted_digest);
      if ((reader.get(v)?.revision ?? -1) < r.revision) reader.set(v, r);
    }
    const inForce = new Set(
      changed.map((c) => versionOf(c.event_id, changeDigest(c))).filter((v) => !reader.get(v)?.retracted),
    );
    const byTime = [...normalized].sort(
      (x, y) => x.observed_at - y.observed_at || (x.event_id < y.event_id ? -1 : 1),
    );
    const distinct = [...new Map(snapshots.map((s) => [`${s.event_id}@${s.fetched_at}`, s])).values()];
    const expected = rebuildChanges(byTime, { alertThreshold: '0.30' }, distinct).changes;
    expect([...inForce].sort()).toEqual(expected.map((c) => versionOf(c.event_id, changeDigest(c))).sort());

    // The changelog: BIG's history over 1 MB (in its day records), one record per distinct snapshot, all readable.
    const restore = stateFromChangelog();
    const sizes = new Map<string, number>();
    await readToEnd(kafka, [names.normalizerState], ({ message }) => {
      const key = message.key!.toString();
      sizes.set(key, message.value?.length ?? 0);
      restore.add(key, message.value);
    });
    // By day (§4.6): BIG's head and its day segments hold the history, over 1 MB together.
    const big = priceKey(BIG, null, 'openrouter_api');
    const bigBytes = [...sizes].filter(([k]) => k === big || parseDaySegmentKey(k)?.price_key === big);
    expect(bigBytes.reduce((n, [, size]) => n + size, 0)).toBeGreaterThan(MB);
    expect([...sizes.keys()].filter(isSnapshotRecordKey)).toHaveLength(distinct.length);
    expect(restore.state().snapshots).toHaveLength(distinct.length);
  }, 600_000);
});
