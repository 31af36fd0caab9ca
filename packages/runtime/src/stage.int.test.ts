// The stage loop against the real broker: a batch that takes longer than the consumer's session
// timeout keeps its partitions (the stage heartbeats while it works), so it is handled once, not
// handed to a new member and redone over and over; and a bug in a handler stops the stage loudly
// (onFatal, the service then exits 1) instead of leaving a process that runs on and consumes nothing.
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaJSNonRetriableError } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventId, type ProviderDiscovered } from '@llmpt/schemas';
import { createTestTopics, deleteTestTopics, testKafka, uniquePrefix, waitFor } from '@llmpt/testkit';
import { createProducer, produceEvents, type Kafka } from './kafka.ts';
import { groupLag } from './lag.ts';
import { createLogger } from './logger.ts';
import { runStage, type RunningStage } from './stage.ts';

function provider(slug: string): ProviderDiscovered {
  return {
    event_id: eventId('ProviderDiscovered', slug),
    run_id: 'run-stage-int',
    caused_by: null,
    occurred_at: Date.UTC(2026, 10, 27),
    slug,
    name: slug,
    privacy_policy_url: null,
    terms_of_service_url: null,
    status_page_url: null,
    headquarters: null,
    datacenters: null,
    raw_entry: JSON.stringify({ slug }),
    source_url: 'http://127.0.0.1/api/v1/providers',
    fetched_at: Date.UTC(2026, 10, 27),
    content_hash: slug,
  };
}

describe('a batch longer than the session timeout', () => {
  const prefix = uniquePrefix('stage');
  let kafka: Kafka;
  let topics: Awaited<ReturnType<typeof createTestTopics>>;
  let stage: RunningStage | undefined;

  beforeAll(async () => {
    kafka = testKafka('stage-int');
    topics = await createTestTopics(prefix, { kafka });
  });
  afterAll(async () => {
    await stage?.stop();
    await deleteTestTopics(prefix, { kafka });
  });

  it('is handled once and committed: the member heartbeats while it works', async () => {
    const producer = createProducer(kafka);
    await producer.connect();
    // One key: one partition, one batch.
    const events = ['a', 'b', 'c'].map((s) => ({
      key: 'k',
      name: 'ProviderDiscovered' as const,
      event: provider(s),
    }));
    await produceEvents(producer, topics.providerDiscovered, events);
    await producer.disconnect();

    const handled: string[] = [];
    let committed = 0;
    const groupId = `${prefix}stage-int`;
    stage = await runStage({
      kafka,
      stage: 'stage-int',
      groupId,
      topics: [topics.providerDiscovered],
      deadLetterTopic: topics.deadLetter,
      logger: createLogger({ service: 'stage-int', level: 'silent' }),
      handle: async (messages) => {
        for (const m of messages) handled.push(m.decoded.event.event_id);
        // Longer than the 10 s session timeout: without heartbeats the group evicts this member.
        await sleep(14_000);
        return {};
      },
      onCommitted: () => committed++,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitFor(async () => (await groupLag(admin, groupId, [topics.providerDiscovered])) === 0n, {
        timeoutMs: 90_000,
        message: 'the slow batch to be committed',
      });
    } finally {
      await admin.disconnect();
    }
    expect(handled).toEqual(events.map((e) => e.event.event_id));
    expect(committed).toBe(1);
  });
});

describe('a handler that throws an error of ours (a bug, not the broker)', () => {
  const prefix = uniquePrefix('stage-fatal');
  let kafka: Kafka;
  let topics: Awaited<ReturnType<typeof createTestTopics>>;
  let stage: RunningStage | undefined;

  beforeAll(async () => {
    kafka = testKafka('stage-fatal-int');
    topics = await createTestTopics(prefix, { kafka });
  });
  afterAll(async () => {
    await stage?.stop();
    await deleteTestTopics(prefix, { kafka });
  });

  it('is fatal: onFatal gets that error once, nothing is committed', async () => {
    const producer = createProducer(kafka);
    await producer.connect();
    await produceEvents(producer, topics.providerDiscovered, [
      { key: 'k', name: 'ProviderDiscovered', event: provider('x') },
    ]);
    await producer.disconnect();
    const fatal: unknown[] = [];
    const groupId = `${prefix}stage-fatal`;
    stage = await runStage({
      kafka,
      stage: 'stage-fatal',
      groupId,
      topics: [topics.providerDiscovered],
      deadLetterTopic: topics.deadLetter,
      logger: createLogger({ service: 'stage-fatal', level: 'silent' }),
      handle: async () => {
        throw new TypeError('handler bug');
      },
      onFatal: (err) => fatal.push(err),
    });
    await waitFor(async () => fatal.length > 0, { timeoutMs: 60_000, message: 'onFatal' });
    // kafkajs does not restart a consumer on an error that is not its own, and neither does the stage.
    await sleep(2_000);
    expect(fatal).toHaveLength(1);
    // kafkajs wraps it (KafkaJSNonRetriableError); the handler's own error is the cause.
    const chain: unknown[] = [];
    for (let e: unknown = fatal[0]; e instanceof Error; e = e.cause) chain.push(e);
    expect(chain.at(-1)).toBeInstanceOf(TypeError);
    expect((chain.at(-1) as Error).message).toBe('handler bug');
    expect(stage.isReady()).toBe(false);
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await groupLag(admin, groupId, [topics.providerDiscovered])).toBe(1n);
    } finally {
      await admin.disconnect();
    }
  });
});

describe('a consumer crash kafkajs will not restart (a Kafka client error it does not retry)', () => {
  const prefix = uniquePrefix('stage-replace');
  let kafka: Kafka;
  let topics: Awaited<ReturnType<typeof createTestTopics>>;
  let stage: RunningStage | undefined;

  beforeAll(async () => {
    kafka = testKafka('stage-replace-int');
    topics = await createTestTopics(prefix, { kafka });
  });
  afterAll(async () => {
    await stage?.stop();
    await deleteTestTopics(prefix, { kafka });
  });

  it('gets a new consumer: the batch is handled again and committed, nothing is fatal', async () => {
    const producer = createProducer(kafka);
    await producer.connect();
    await produceEvents(producer, topics.providerDiscovered, [
      { key: 'k', name: 'ProviderDiscovered', event: provider('y') },
    ]);
    await producer.disconnect();
    const fatal: unknown[] = [];
    let calls = 0;
    let committed = 0;
    const groupId = `${prefix}stage-replace`;
    stage = await runStage({
      kafka,
      stage: 'stage-replace',
      groupId,
      topics: [topics.providerDiscovered],
      deadLetterTopic: topics.deadLetter,
      logger: createLogger({ service: 'stage-replace', level: 'silent' }),
      // What kafkajs raised after a broker restart ("Failed to find group coordinator"): one of its own
      // errors it does not retry, so it stops the consumer for good.
      handle: async () => {
        if (++calls === 1) throw new KafkaJSNonRetriableError('Failed to find group coordinator');
        return {};
      },
      onFatal: (err) => fatal.push(err),
      onCommitted: () => committed++,
    });
    const before = stage.consumer;
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitFor(async () => (await groupLag(admin, groupId, [topics.providerDiscovered])) === 0n, {
        timeoutMs: 60_000,
        message: 'the batch to be committed by the new consumer',
      });
    } finally {
      await admin.disconnect();
    }
    expect(fatal).toEqual([]);
    expect(calls).toBe(2);
    expect(committed).toBe(1);
    expect(stage.consumer).not.toBe(before);
    expect(stage.isReady()).toBe(true);
  });
});
