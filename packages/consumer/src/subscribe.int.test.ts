// subscribePriceChanges on the real broker, on topics of its own: a duplicated event id reaches the
// handler once, and a handler failure is retried before anything after it is committed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducer, groupLag, produceEvents, type Producer } from '@llmpt/runtime/kafka';
import type { PriceChanged } from '@llmpt/schemas';
import { priceChanged } from '@llmpt/schemas/samples';
import { createTestTopics, deleteTestTopics, testKafka, uniquePrefix, waitFor } from '@llmpt/testkit';
import { memoryDedupeStore, subscribePriceChanges } from './subscribe.ts';

const prefix = uniquePrefix('consumer-subscribe');
const kafka = testKafka('consumer-subscribe');
let producer: Producer;
let topic: string;

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

async function lag(groupId: string): Promise<bigint> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await groupLag(admin, groupId, [topic]);
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  topic = (await createTestTopics(prefix, { kafka, partitions: 1 })).priceChanged;
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
});
