// The broker goes away in the middle of the normalizer's kind of batch: after the transaction's
// outputs and offsets were sent, before its commit. kafkajs then leaves its transaction state machine
// half way (COMMITTING), and every later transaction on that producer throws a non-retriable error:
// the consumer crashed for good while the process ran on. This, or a crash kafkajs does not restart
// (stage.int), hung the broker restart e2e in CI with lag 124 for 180 s. The stage must start over
// with a new producer and commit the batch exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleProvider } from '@llmpt/schemas/samples';
import {
  createKafka,
  createProducer,
  produceEvents,
  readToEnd,
  runStage,
  type Kafka,
  type RunningStage,
} from '@llmpt/runtime/kafka';
import { createLogger } from '@llmpt/runtime';
import {
  createTestTopics,
  waitForGroups,
  startPrivateStack,
  type PrivateStack,
  uniquePrefix,
  waitFor,
} from '@llmpt/testkit';

type Transaction = Awaited<ReturnType<ReturnType<Kafka['producer']>['transaction']>>;

describe('broker down between sending a transaction and committing it', () => {
  let stack: PrivateStack;
  let stage: RunningStage | undefined;
  const prefix = uniquePrefix('tx-outage');

  beforeAll(async () => {
    // Its own ports: the outages e2e uses the private stack's defaults.
    stack = await startPrivateStack({
      name: 'tx-outage',
      kafkaPort: 29292,
      kafkaControllerPort: 29293,
      pgPort: 29522,
      migrate: false,
    });
  });
  afterAll(async () => {
    await stage?.stop().catch(() => undefined);
    await stack?.stop();
  });

  it('the stage starts over with a new producer and commits the batch once; the consumer never dies', async () => {
    const topics = await createTestTopics(prefix, { kafka: stack.kafka });
    const out = topics.modelDiscovered;
    const logger = createLogger({ service: 'tx-outage', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
    // Few, quick retries: the commit gives up while the broker is down instead of outwaiting it.
    const kafka = createKafka({
      brokers: stack.kafkaBrokers,
      clientId: 'tx-outage-stage',
      security: stack.kafkaSecurity,
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
      logger,
    });
    // The real producers and transactions, with one hook: the second commit takes the broker down
    // first (a real controlled shutdown), and starts it again once that commit has failed.
    let commits = 0;
    let brokerBack = false;
    const failedCommits: string[] = [];
    const producerOf = kafka.producer.bind(kafka);
    kafka.producer = (config) => {
      const producer = producerOf(config);
      const transactionOf = producer.transaction.bind(producer);
      producer.transaction = async (): Promise<Transaction> => {
        const tx = await transactionOf();
        return {
          ...tx,
          commit: async () => {
            commits++;
            if (commits !== 2) return tx.commit();
            await stack.kafkaDown();
            try {
              return await tx.commit();
            } catch (err) {
              failedCommits.push(err instanceof Error ? err.name : String(err));
              throw err;
            } finally {
              await stack.kafkaUp();
              brokerBack = true;
            }
          },
        };
      };
      return producer;
    };

    const groupId = `${prefix}tx-outage`;
    let fatal: unknown;
    const handled: string[] = [];
    stage = await runStage({
      kafka,
      stage: 'tx-outage',
      groupId,
      topics: [topics.providerDiscovered],
      deadLetterTopic: topics.deadLetter,
      transactionalId: `${prefix}tx-outage-1`,
      logger,
      // Each input copied to the output topic, inside the batch's transaction.
      handle: async (messages) => {
        for (const m of messages) handled.push(m.decoded.event.event_id);
        return {
          rawOutputs: messages.map((m) => ({ topic: out, key: m.decoded.event.event_id, value: m.value })),
        };
      },
      onFatal: (err) => (fatal = err),
    });

    const producer = createProducer(stack.kafka);
    await producer.connect();
    const send = async (slug: string) =>
      produceEvents(producer, topics.providerDiscovered, [
        { key: 'k', name: 'ProviderDiscovered', event: sampleProvider(slug) },
      ]);
    const drained = () =>
      waitForGroups(stack.kafka, [[groupId, [topics.providerDiscovered]]], { timeoutMs: 90_000 });
    try {
      await send('a');
      await drained();
      expect(commits).toBe(1);
      // The batch whose commit meets the outage.
      await send('b');
      await waitFor(async () => brokerBack, {
        timeoutMs: 90_000,
        message: 'the commit to fail, the broker to be back',
      });
      await drained();
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
    expect(fatal).toBeUndefined();
    expect(failedCommits).toHaveLength(1);
    // Handled again after the failed commit, published once: the first attempt's records were
    // aborted by the new producer's InitProducerId and are invisible to read_committed readers.
    const ids = [sampleProvider('a'), sampleProvider('b')].map((e) => e.event_id);
    expect(handled.filter((id) => id === ids[1]).length).toBeGreaterThanOrEqual(2);
    const committed = await readToEnd(stack.kafka, [out], () => undefined);
    expect(committed.records).toBe(2);
    const written = await readToEnd(stack.kafka, [out], () => undefined, { readUncommitted: true });
    expect(written.records).toBe(3);
  });
});
