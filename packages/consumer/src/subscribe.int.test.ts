// subscribePriceChanges on the real broker, on topics of its own: a duplicated event id reaches the
// handler once, and a handler failure is retried before anything after it is committed. With
// onRetraction it also follows the retraction topic (docs/price-model.md §4.3–4.4): a second version of
// an id reaches the handler, a retraction record reaches onRetraction once, and the versions in force
// are the ones the records leave.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducer, groupLag, produceEvents, type Producer } from '@llmpt/runtime/kafka';
import { changeDigest, type PriceChanged, type PriceChangeRetracted } from '@llmpt/schemas';
import { priceChanged } from '@llmpt/schemas/samples';
import { createTestTopics, deleteTestTopics, testKafka, uniquePrefix, waitFor } from '@llmpt/testkit';
import { memoryDedupeStore, subscribePriceChanges, type PriceChangeMeta } from './subscribe.ts';
import { changeVersion, versionsInForce } from './versions.ts';

const prefix = uniquePrefix('consumer-subscribe');
const kafka = testKafka('consumer-subscribe');
let producer: Producer;
let topic: string;
let retractionTopic: string;

const change = (id: string, model: string): PriceChanged =>
  priceChanged({
    event_id: id,
    run_id: 'r1',
    caused_by: null,
    occurred_at: 1_786_000_000_000,
    model_id: model,
    provider: null,
    source_type: 'openrouter_api',
    kind: 'new',
    changes: [
      {
        dimension: 'prompt',
        previous: null,
        current: '1.00000000',
        relative_change: null,
        tier: null,
        change: 'new',
      },
    ],
    previous_observed_at: null,
    current_observed_at: 1_786_000_000_000,
    snapshot_date: '2026-08-01',
    alert: false,
  }).event;

async function lag(groupId: string, of: readonly string[] = [topic]): Promise<bigint> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await groupLag(admin, groupId, [...of]);
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  const created = await createTestTopics(prefix, { kafka, partitions: 1 });
  topic = created.priceChanged;
  retractionTopic = created.priceChangeRetracted;
  producer = createProducer(kafka);
  await producer.connect();
  // e2 is published twice (a re-run of the same day publishes the same deterministic id).
  const events = [
    change('e1', 'a/one'),
    change('e2', 'a/two'),
    change('e2', 'a/two'),
    change('e3', 'a/three'),
  ];
  await produceEvents(
    producer,
    topic,
    events.map((e) => ({ key: e.price_key, name: 'PriceChanged' as const, event: e })),
  );
});

afterAll(async () => {
  await producer?.disconnect();
  await deleteTestTopics(prefix, { kafka });
});

describe('subscribePriceChanges', () => {
  it('hands each event id to the handler once, retrying a failed handler before moving on', async () => {
    const groupId = `${prefix}gateway`;
    const handled: string[] = [];
    let failures = 0;
    const dedupe = memoryDedupeStore();
    const sub = await subscribePriceChanges({
      kafka,
      groupId,
      topicPrefix: prefix,
      dedupe,
      handler: async (e) => {
        // The first attempt at e2 fails: nothing after it may be handled or committed before it succeeds.
        if (e.event_id === 'e2' && failures === 0) {
          failures++;
          throw new Error('downstream unavailable');
        }
        handled.push(e.event_id);
      },
    });
    try {
      await waitFor(async () => handled.length >= 3 && (await lag(groupId)) === 0n, {
        timeoutMs: 60_000,
        message: 'all events handled and committed',
      });
      expect(handled).toEqual(['e1', 'e2', 'e3']);
      expect(failures).toBe(1);
      expect(dedupe.size).toBe(3);
    } finally {
      await sub.stop();
    }
  });

  it('a restarted subscriber resumes after the committed offset (no event handled again)', async () => {
    const groupId = `${prefix}gateway`; // same group as above: everything is committed
    await produceEvents(producer, topic, [
      { key: 'a/four||openrouter_api', name: 'PriceChanged', event: change('e4', 'a/four') },
    ]);
    const handled: string[] = [];
    const sub = await subscribePriceChanges({
      kafka,
      groupId,
      topicPrefix: prefix,
      handler: async (e) => void handled.push(e.event_id),
    });
    try {
      await waitFor(async () => handled.length >= 1 && (await lag(groupId)) === 0n, {
        timeoutMs: 60_000,
        message: 'e4 handled',
      });
      expect(handled).toEqual(['e4']);
    } finally {
      await sub.stop();
    }
  });

  it('with onRetraction: both versions of an id reach the handler, each record onRetraction once', async () => {
    // e1 again with another previous_observed_at (a late observation at the same price before its
    // cause): a second version of e1, and the record retracting the first one, delivered twice.
    const e1 = change('e1', 'a/one');
    const e1v2: PriceChanged = { ...e1, previous_observed_at: 1_785_000_000_000 };
    const retraction: PriceChangeRetracted = {
      event_id: 'r1',
      price_key: e1.price_key,
      retracted_event_id: e1.event_id,
      retracted_digest: changeDigest(e1),
      retracted: true,
      revision: 1,
      caused_by: 'np-late',
      occurred_at: 1_785_000_000_000,
    };
    await produceEvents(producer, topic, [{ key: e1v2.price_key, name: 'PriceChanged', event: e1v2 }]);
    await produceEvents(
      producer,
      retractionTopic,
      [retraction, retraction].map((event) => ({
        key: event.price_key,
        name: 'PriceChangeRetracted' as const,
        event,
      })),
    );
    const groupId = `${prefix}follower`; // a new group: reads both topics from the beginning
    const versions = versionsInForce();
    const handled: string[] = [];
    const retractions: { record: PriceChangeRetracted; meta: PriceChangeMeta }[] = [];
    const sub = await subscribePriceChanges({
      kafka,
      groupId,
      topicPrefix: prefix,
      dedupe: memoryDedupeStore(),
      handler: async (e) => {
        versions.change(e);
        handled.push(e.event_id);
      },
      onRetraction: async (record, meta) => {
        versions.retraction(record);
        retractions.push({ record, meta });
      },
    });
    try {
      await waitFor(
        async () =>
          handled.length >= 5 &&
          retractions.length >= 1 &&
          (await lag(groupId, [topic, retractionTopic])) === 0n,
        { timeoutMs: 60_000, message: 'both topics handled and committed' },
      );
      // e2 twice on the topic is one version; e1 twice with different content is two.
      expect(handled.sort()).toEqual(['e1', 'e1', 'e2', 'e3', 'e4']);
      expect(retractions).toEqual([
        {
          record: retraction,
          meta: { topic: retractionTopic, partition: 0, offset: '0', key: e1.price_key },
        },
      ]);
      const inForce = versions.inForce();
      expect(inForce.map((e) => e.event_id).sort()).toEqual(['e1', 'e2', 'e3', 'e4']);
      expect(inForce.map(changeVersion)).toContain(changeVersion(e1v2));
      expect(inForce.map(changeVersion)).not.toContain(changeVersion(e1));
    } finally {
      await sub.stop();
    }
  });

  it('without onRetraction the retraction topic is not read', async () => {
    const groupId = `${prefix}changes-only`;
    const handled: string[] = [];
    const sub = await subscribePriceChanges({
      kafka,
      groupId,
      topicPrefix: prefix,
      handler: async (e) => void handled.push(e.event_id),
    });
    try {
      await waitFor(async () => handled.length >= 1 && (await lag(groupId)) === 0n, {
        timeoutMs: 60_000,
        message: 'the change topic handled',
      });
      const admin = kafka.admin();
      await admin.connect();
      try {
        const offsets = await admin.fetchOffsets({ groupId, topics: [retractionTopic] });
        expect(offsets.flatMap((t) => t.partitions.map((p) => p.offset))).toEqual(['-1']);
      } finally {
        await admin.disconnect();
      }
    } finally {
      await sub.stop();
    }
  });
});
