// The ACLs of docs/kafka-acls.md against the broker's own authorizer: a private broker with SASL_SSL
// and the StandardAuthorizer (scripts/stack/kafka.sh, nothing allowed without an ACL), the ACLs applied
// by `npm run acls -- apply` as the admin, then each principal over SCRAM does what it needs and is
// refused what it must not do. The refusals are the broker's Kafka error codes.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { prefixedTopics, Secret, topics, type Logger } from '@llmpt/runtime';
import { createConsumer, createKafka, createProducer, ensureTopics, runStage } from '@llmpt/runtime/kafka';
import { restoreState } from '@llmpt/normalizer';
import { createBindings } from '@llmpt/runtime/ops';
import { repoRoot, startPrivateStack, waitFor, type PrivateStack } from '@llmpt/testkit';

const PREFIX = 'acl.';
const t = (key: keyof typeof topics) => PREFIX + topics[key].name;
// Kafka's error codes (org.apache.kafka.common.protocol.Errors).
const TOPIC_AUTHORIZATION_FAILED = { type: 'TOPIC_AUTHORIZATION_FAILED', code: 29 };
const GROUP_AUTHORIZATION_FAILED = { type: 'GROUP_AUTHORIZATION_FAILED', code: 30 };
const TRANSACTIONAL_ID_AUTHORIZATION_FAILED = { type: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', code: 53 };

let stack: PrivateStack;
let ca: string;
const quiet: Logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** A client as `user` over SASL_SSL (SCRAM-SHA-512), few and fast retries (idempotent producers need some). */
function kafkaAs(
  user: string,
  o: { logger?: Logger; retry?: { retries: number; initialRetryTime?: number; maxRetryTime?: number } } = {},
): Kafka {
  return createKafka({
    brokers: stack.security.saslSslBrokers,
    clientId: `acls-int-${user}`,
    retry: o.retry ?? { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
    logger: o.logger ?? quiet,
    security: {
      protocol: 'SASL_SSL',
      tls: { ca },
      sasl: {
        mechanism: 'SCRAM-SHA-512',
        username: user,
        password: new Secret(stack.security.password(user)),
      },
    },
  });
}

/** The broker's error inside what kafkajs threw (it wraps protocol errors in retry errors). */
function brokerError(err: unknown): { type: string; code: number } | undefined {
  let e = err as { type?: unknown; code?: unknown; cause?: unknown; originalError?: unknown } | undefined;
  for (let depth = 0; e && depth < 6; depth++) {
    if (typeof e.type === 'string' && typeof e.code === 'number') return { type: e.type, code: e.code };
    e = (e.cause ?? e.originalError) as typeof e;
  }
  return undefined;
}

/**
 * What the broker answered: 'allowed', or its error. kafkajs drops the error of a refused FindCoordinator
 * (a group or transactional id without ACL) and throws "Failed to find group coordinator"; the broker's
 * error is then in kafkajs's debug log of that request, which `client` records.
 */
async function refusal(
  p: Promise<unknown>,
  client?: { readonly refused: { type: string; code: number }[] },
): Promise<{ type: string; code: number } | 'allowed'> {
  try {
    await p;
    return 'allowed';
  } catch (err) {
    const found = brokerError(err) ?? client?.refused.at(-1);
    if (!found) throw err;
    return found;
  }
}

/** A client as `user` whose kafkajs debug log is searched for the broker's authorization errors. */
function recordingClient(user: string): { kafka: Kafka; refused: { type: string; code: number }[] } {
  const refused: { type: string; code: number }[] = [];
  const logger = pino(
    { level: 'debug', serializers: { error: (e: unknown) => brokerError(e) ?? null } },
    {
      write(line: string) {
        const error = (JSON.parse(line) as { error?: { type: string; code: number } | null }).error;
        if (error?.type.endsWith('_AUTHORIZATION_FAILED')) refused.push(error);
      },
    },
  );
  return { kafka: kafkaAs(user, { logger }), refused };
}

const runAcls = async (action: string) =>
  (
    await promisify(execFile)(
      'node',
      ['--import', 'tsx', path.join(repoRoot, 'packages/runtime/src/ops/cli/acls.ts'), action],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          KAFKA_BROKERS: stack.security.saslSslBrokers.join(','),
          TOPIC_PREFIX: PREFIX,
          KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
          KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
          KAFKA_SASL_USERNAME: 'llmpt-admin',
          KAFKA_SASL_PASSWORD: stack.security.password('llmpt-admin'),
          KAFKA_SSL_CA_FILE: stack.security.caFile,
        },
      },
    )
  ).stdout;

async function send(kafka: Kafka, topic: string, value: string | null = 'v'): Promise<void> {
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value }] });
  } finally {
    await producer.disconnect();
  }
}

/** One record in a transaction under `transactionalId`, offsets of `group` committed with it when given. */
async function sendInTransaction(
  kafka: Kafka,
  topic: string,
  transactionalId: string,
  offsets?: { group: string; topic: string; offset: string },
): Promise<void> {
  const producer = createProducer(kafka, { transactionalId });
  await producer.connect();
  try {
    const txn = await producer.transaction();
    await txn.send({ topic, messages: [{ key: 'k', value: 'v' }] });
    if (offsets)
      await txn.sendOffsets({
        consumerGroupId: offsets.group,
        topics: [{ topic: offsets.topic, partitions: [{ partition: 0, offset: offsets.offset }] }],
      });
    await txn.commit();
  } finally {
    await producer.disconnect();
  }
}

/** Joins `groupId`, reads `topic` from the start until one record, commits past it. */
async function consumeOne(kafka: Kafka, topic: string, groupId: string): Promise<void> {
  const consumer = createConsumer(kafka, {
    groupId,
    maxWaitTimeInMs: 200,
    // Retries for a fresh offsets topic ("coordinator loading"); an authorization error is never retried.
    retry: {
      retries: 5,
      initialRetryTime: 100,
      maxRetryTime: 1000,
      restartOnFailure: () => Promise.resolve(false),
    },
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
      void consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            await consumer.commitOffsets([{ topic, partition, offset: String(BigInt(message.offset) + 1n) }]);
            resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

/** Offsets of a group as the ops principal sees them (Describe on the group). */
async function committed(groupId: string, topic: string): Promise<string[]> {
  const admin = kafkaAs('llmpt-ops').admin();
  await admin.connect();
  try {
    const [res] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return res?.partitions.map((p) => p.offset) ?? [];
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  stack = await startPrivateStack({
    name: 'acls-int',
    postgres: false,
    kafkaPort: 29450,
    kafkaControllerPort: 29451,
    kafkaSaslSslPort: 29452,
    kafkaSslPort: 29453,
  });
  ca = readFileSync(stack.security.caFile, 'utf8');
  expect(await runAcls('apply')).toMatch(/acls: apply done \(\d+ added, 0 removed\)/);
  // The ops principal creates the topics (Create, DescribeConfigs); the ACLs reach the authorizer
  // through the metadata log just after the command returns.
  const ops = kafkaAs('llmpt-ops');
  await waitFor(
    async () => {
      await ensureTopics(ops, prefixedTopics(PREFIX), { partitions: 1, replicationFactor: 1 });
      return true;
    },
    { timeoutMs: 30_000, intervalMs: 250, message: 'ops creating the topics' },
  );
  await send(ops, t('modelDiscovered'));
  await send(ops, t('rawPriceObserved'));
  await send(ops, t('priceChanged'));
  // The first group and the first transaction create the offsets and transaction topics: as the admin,
  // patiently, so that no test below meets "coordinator not available" instead of an answer.
  const admin = kafkaAs('llmpt-admin', {
    retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 2000 },
  });
  await waitFor(() => consumeOne(admin, t('modelDiscovered'), 'warm-up').then(() => true), {
    timeoutMs: 60_000,
    message: 'the offsets topic',
  });
  await waitFor(() => sendInTransaction(admin, t('deadLetter'), 'warm-up').then(() => true), {
    timeoutMs: 60_000,
    message: 'the transaction state topic',
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe('Kafka ACLs: each principal can do what it needs and nothing else', () => {
  it('apply is idempotent: a second run finds nothing to change', async () => {
    expect(await runAcls('apply')).toContain('acls: 0 to add, 0 to remove');
  });

  it('scraper: consumes ModelDiscovered in its group, writes RawPriceObserved; PriceChanged is refused', async () => {
    const scraper = kafkaAs('llmpt-scraper');
    await consumeOne(scraper, t('modelDiscovered'), `${PREFIX}pricing-scraper`);
    expect(await committed(`${PREFIX}pricing-scraper`, t('modelDiscovered'))).toEqual(['1']);
    expect(await refusal(send(scraper, t('rawPriceObserved')))).toBe('allowed');
    expect(await refusal(send(scraper, t('priceChanged')))).toEqual(TOPIC_AUTHORIZATION_FAILED);
    // Another service's group is not its own.
    const recorded = recordingClient('llmpt-scraper');
    expect(
      await refusal(consumeOne(recorded.kafka, t('modelDiscovered'), `${PREFIX}pricing-sink`), recorded),
    ).toEqual(GROUP_AUTHORIZATION_FAILED);
  });

  it('sink: writes the dead letters (idempotent, no cluster ACL) and no other topic', async () => {
    const sink = kafkaAs('llmpt-sink');
    expect(await refusal(send(sink, t('deadLetter')))).toBe('allowed');
    const others = (Object.keys(topics) as (keyof typeof topics)[]).filter((key) => key !== 'deadLetter');
    expect(others).toHaveLength(10);
    for (const key of others)
      expect([key, await refusal(send(sink, t(key)))]).toEqual([key, TOPIC_AUTHORIZATION_FAILED]);
    await consumeOne(sink, t('priceChanged'), `${PREFIX}pricing-sink`);
  });

  it('normalizer: a transaction with its id commits outputs and offsets; another id is refused', async () => {
    const normalizer = kafkaAs('llmpt-normalizer');
    await sendInTransaction(normalizer, t('normalizedPrice'), `pricing-normalizer-${PREFIX}`, {
      group: `${PREFIX}pricing-normalizer`,
      topic: t('rawPriceObserved'),
      offset: '1',
    });
    expect(await committed(`${PREFIX}pricing-normalizer`, t('rawPriceObserved'))).toEqual(['1']);
    const wrongId = recordingClient('llmpt-normalizer');
    expect(
      await refusal(
        sendInTransaction(wrongId.kafka, t('normalizedPrice'), 'pricing-normalizer-other'),
        wrongId,
      ),
    ).toEqual(TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    // Nor may another principal produce under the normalizer's id (it would fence the normalizer).
    const scraper = recordingClient('llmpt-scraper');
    expect(
      await refusal(
        sendInTransaction(scraper.kafka, t('rawPriceObserved'), `pricing-normalizer-${PREFIX}`),
        scraper,
      ),
    ).toEqual(TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  });

  it("the services' own code paths run under their ACLs: the normalizer's restore, its transactional stage, the sink's stage", async () => {
    // restoreState reads the state topic to its end with a throwaway group (normalizer-restore-<uuid>).
    const ops = kafkaAs('llmpt-ops');
    await send(ops, t('normalizerState'), null);
    await send(ops, t('providerDiscovered'));
    const state = await restoreState(kafkaAs('llmpt-normalizer'), t('normalizerState'), quiet);
    expect(state.histories.size).toBe(0);
    // The stage runner: each undecodable record above ('v') is dead-lettered and its offset committed,
    // inside a transaction under the normalizer's id, or by the sink's idempotent producer.
    const stageUnder = async (user: string, group: string, inputs: string[], transactionalId?: string) => {
      const committed: string[] = [];
      const stage = await runStage({
        kafka: kafkaAs(user),
        stage: user,
        groupId: group,
        topics: inputs,
        deadLetterTopic: t('deadLetter'),
        handle: () => Promise.resolve({}),
        logger: quiet,
        fromBeginning: true,
        ...(transactionalId ? { transactionalId } : {}),
        onCommitted: (c) => committed.push(`${c.topic}@${c.lastOffset}`),
        onFatal: (err) => committed.push(`fatal: ${String(err)}`),
      });
      try {
        await waitFor(() => committed.length >= inputs.length, {
          timeoutMs: 30_000,
          message: `${user}'s stage`,
        });
      } finally {
        await stage.stop();
      }
      return committed.sort();
    };
    // Side by side: each joins its own group.
    const [normalizerCommits, sinkCommits] = await Promise.all([
      stageUnder(
        'llmpt-normalizer',
        `${PREFIX}pricing-normalizer`,
        [t('rawPriceObserved')],
        `pricing-normalizer-${PREFIX}`,
      ),
      stageUnder('llmpt-sink', `${PREFIX}pricing-sink`, [t('modelDiscovered'), t('providerDiscovered')]),
    ]);
    expect(normalizerCommits).toEqual([`${t('rawPriceObserved')}@1`]);
    expect(sinkCommits).toEqual([`${t('modelDiscovered')}@0`, `${t('providerDiscovered')}@0`]);
  });

  it('consumer: reads PriceChanged in a group of its own; the dead letters are refused', async () => {
    const consumer = kafkaAs('llmpt-consumer');
    await consumeOne(consumer, t('priceChanged'), `${PREFIX}llmpt-consumer-acl-test`);
    expect(await refusal(consumeOne(consumer, t('deadLetter'), `${PREFIX}llmpt-consumer-acl-test`))).toEqual(
      TOPIC_AUTHORIZATION_FAILED,
    );
  });

  it('a stranger (no ACL) cannot read: neither the topic nor a group', async () => {
    const stranger = kafkaAs('llmpt-stranger');
    const admin = stranger.admin();
    await admin.connect();
    try {
      expect(await refusal(admin.fetchTopicOffsets(t('priceChanged')))).toEqual(TOPIC_AUTHORIZATION_FAILED);
    } finally {
      await admin.disconnect();
    }
    // It cannot even see the topic, so the consumer is refused at its first metadata request.
    expect(await refusal(consumeOne(stranger, t('priceChanged'), 'stranger-group'))).toEqual(
      TOPIC_AUTHORIZATION_FAILED,
    );
    // Nor a group's committed offsets.
    const recorded = recordingClient('llmpt-stranger');
    const groups = recorded.kafka.admin();
    await groups.connect();
    try {
      expect(
        await refusal(
          groups.fetchOffsets({ groupId: `${PREFIX}pricing-sink`, topics: [t('priceChanged')] }),
          recorded,
        ),
      ).toEqual(GROUP_AUTHORIZATION_FAILED);
    } finally {
      await groups.disconnect();
    }
  });

  it('plan shows a binding outside the data, apply removes it, and the broker refuses again', async () => {
    const admin = kafkaAs('llmpt-admin').admin();
    await admin.connect();
    try {
      await createBindings(admin, [
        {
          resourceType: 'Topic',
          patternType: 'literal',
          name: t('priceChanged'),
          principal: 'User:llmpt-sink',
          host: '*',
          operation: 'Write',
          permission: 'Allow',
        },
      ]);
    } finally {
      await admin.disconnect();
    }
    const sink = kafkaAs('llmpt-sink');
    await waitFor(async () => (await refusal(send(sink, t('priceChanged')))) === 'allowed', {
      timeoutMs: 15_000,
    });
    const stale = `- User:llmpt-sink Allow Write Topic:literal:${t('priceChanged')} from *`;
    expect(await runAcls('plan')).toContain(stale);
    expect(await runAcls('apply')).toContain('acls: apply done (0 added, 1 removed)');
    await waitFor(
      async () => {
        const r = await refusal(send(sink, t('priceChanged')));
        return r !== 'allowed' && r.code === TOPIC_AUTHORIZATION_FAILED.code;
      },
      { timeoutMs: 15_000 },
    );
  });

  it('remove deletes every binding of these principals: the scraper is refused what it could do', async () => {
    expect(await runAcls('remove')).toMatch(/acls: remove done \(0 added, \d+ removed\)/);
    expect(await runAcls('plan')).toMatch(/acls: \d+ to add, 0 to remove, 0 in place/);
    const scraper = kafkaAs('llmpt-scraper');
    await waitFor(
      async () => {
        const r = await refusal(send(scraper, t('rawPriceObserved')));
        // With Write on no topic left, its idempotent producer may already be refused its producer id.
        return r !== 'allowed' && [29, 31].includes(r.code) ? r : undefined;
      },
      { timeoutMs: 15_000, message: 'the scraper refused once its ACLs are removed' },
    );
  });
});
