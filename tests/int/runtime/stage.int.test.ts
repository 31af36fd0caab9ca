// The stage loop against the real broker: a batch that takes longer than the consumer's session
// timeout keeps its partitions (the stage heartbeats while it works), so it is handled once, not
// handed to a new member and redone over and over; and a bug in a handler stops the stage loudly
// (onFatal, the service then exits 1) instead of leaving a process that runs on and consumes nothing.
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaJSNonRetriableError } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderDiscovered } from '@llmpt/schemas';
import { sampleProvider } from '@llmpt/schemas/samples';
import {
  createTestTopics,
  deleteTestTopics,
  testKafka,
  uniquePrefix,
  waitFor,
  waitForGroups,
} from '@llmpt/testkit';
import {
  createProducer,
  groupLag,
  produceEvents,
  runStage,
  type Kafka,
  type RunningStage,
  type StageOptions,
} from '@llmpt/runtime/kafka';
import { createLogger } from '@llmpt/runtime';

/**
 * Topics of the describe block's own, and one stage on them: `send` puts ProviderDiscovered events on
 * one partition (one key: one batch), `start` runs a stage over them with the given handler.
 */
function stageOnTopics(name: string) {
  const prefix = uniquePrefix(name);
  const groupId = `${prefix}${name}`;
  let kafka: Kafka;
  let topics: Awaited<ReturnType<typeof createTestTopics>>;
  let stage: RunningStage | undefined;
  beforeAll(async () => {
    kafka = testKafka(`${name}-int`);
    topics = await createTestTopics(prefix, { kafka });
  });
  afterAll(async () => {
    await stage?.stop();
    await deleteTestTopics(prefix, { kafka });
  });
  return {
    groupId,
    async send(slugs: readonly string[]): Promise<ProviderDiscovered[]> {
      const events = slugs.map(sampleProvider);
      const producer = createProducer(kafka);
      await producer.connect();
      await produceEvents(
        producer,
        topics.providerDiscovered,
        events.map((event) => ({ key: 'k', name: 'ProviderDiscovered' as const, event })),
      );
      await producer.disconnect();
      return events;
    },
    async start(o: Pick<StageOptions, 'handle' | 'onFatal' | 'onCommitted'>): Promise<RunningStage> {
      stage = await runStage({
        ...o,
        kafka,
        stage: name,
        groupId,
        topics: [topics.providerDiscovered],
        deadLetterTopic: topics.deadLetter,
        logger: createLogger({ service: name, level: 'silent' }),
      });
      return stage;
    },
    /** Until the group has committed everything on the topic. */
    drained: (timeoutMs: number) =>
      waitForGroups(kafka, [[groupId, [topics.providerDiscovered]]], { timeoutMs }),
    async lag(): Promise<bigint> {
      const admin = kafka.admin();
      await admin.connect();
      try {
        return await groupLag(admin, groupId, [topics.providerDiscovered]);
      } finally {
        await admin.disconnect();
      }
    },
  };
}

describe('a batch longer than the session timeout', () => {
  const t = stageOnTopics('stage');

  it('is handled once and committed: the member heartbeats while it works', async () => {
    const events = await t.send(['a', 'b', 'c']);
    const handled: string[] = [];
    let committed = 0;
    await t.start({
      handle: async (messages) => {
        for (const m of messages) handled.push(m.decoded.event.event_id);
        // Longer than the 10 s session timeout: without heartbeats the group evicts this member.
        await sleep(14_000);
        return {};
      },
      onCommitted: () => committed++,
    });
    await t.drained(90_000);
    expect(handled).toEqual(events.map((e) => e.event_id));
    expect(committed).toBe(1);
  });
});

describe('a handler that throws an error of ours (a bug, not the broker)', () => {
  const t = stageOnTopics('stage-fatal');

  it('is fatal: onFatal gets that error once, nothing is committed', async () => {
    await t.send(['x']);
    const fatal: unknown[] = [];
    const stage = await t.start({
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
    expect(await t.lag()).toBe(1n);
  });
});

describe('a consumer crash kafkajs will not restart (a Kafka client error it does not retry)', () => {
  const t = stageOnTopics('stage-replace');

  it('gets a new consumer: the batch is handled again and committed, nothing is fatal', async () => {
    await t.send(['y']);
    const fatal: unknown[] = [];
    let calls = 0;
    let committed = 0;
    const stage = await t.start({
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
    await t.drained(60_000);
    expect(fatal).toEqual([]);
    expect(calls).toBe(2);
    expect(committed).toBe(1);
    expect(stage.consumer).not.toBe(before);
    expect(stage.isReady()).toBe(true);
  });
});
