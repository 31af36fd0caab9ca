// Against the real broker that scripts/stack/kafka.sh starts (Kafka 3.9.1, KRaft): every event type
// through kafkajs and the Avro codec, the topic configs as the broker holds them, and transactions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPE_HEADER, priceKey } from '@llmpt/schemas';
import { samples } from '@llmpt/schemas/samples';
import {
  consumeAll,
  createTestTopics,
  deleteTestTopics,
  testKafka,
  uniquePrefix as newPrefix,
} from '@llmpt/testkit';
import {
  createProducer,
  describeTopicConfigs,
  ensureTopics,
  produceEvents,
  TopicMismatchError,
  type EventMessage,
  type Kafka,
  type Producer,
} from '@llmpt/runtime/kafka';
import { prefixedTopics, topics } from '@llmpt/runtime';

// One event of each type (schemas/test/samples.ts); the keys below are the ones the stages use.
const {
  ModelDiscovered: discovered,
  ProviderDiscovered: provider,
  RawPriceObserved: raw,
  NormalizedPrice: normalized,
  PriceChanged: changed,
  DeadLetter: dead,
} = samples;
const fetchedAt = discovered.fetched_at;
const sonnet = 'anthropic/claude-sonnet-4';
const endpointKey = priceKey(sonnet, 'anthropic', 'openrouter_endpoints');

// Partitions out of 3 that Java's producer picks for these keys, from Kafka's own
// org.apache.kafka.common.utils.Utils.murmur2 (toPositive(murmur2(utf8 key)) % 3), run on the broker's jars.
const javaPartition: Record<string, number> = {
  'anthropic/claude-sonnet-4': 2,
  'anthropic/claude-sonnet-4|anthropic|openrouter_endpoints': 0,
  'openrouter/auto': 2,
  'openai/gpt-4o-mini': 0,
  // Kafka's own Utils.murmur2 on the broker's jars: toPositive(murmur2("google-vertex")) % 3 = 1.
  'google-vertex': 1,
};

const oneOfEach: { topic: keyof typeof topics; item: EventMessage }[] = [
  { topic: 'modelDiscovered', item: { key: sonnet, name: 'ModelDiscovered', event: discovered } },
  {
    topic: 'providerDiscovered',
    item: { key: 'google-vertex', name: 'ProviderDiscovered', event: provider },
  },
  { topic: 'rawPriceObserved', item: { key: endpointKey, name: 'RawPriceObserved', event: raw } },
  { topic: 'normalizedPrice', item: { key: endpointKey, name: 'NormalizedPrice', event: normalized } },
  { topic: 'priceChanged', item: { key: endpointKey, name: 'PriceChanged', event: changed } },
  { topic: 'deadLetter', item: { key: 'openrouter/auto', name: 'DeadLetter', event: dead } },
];

let kafka: Kafka;
const producers: Producer[] = [];
const prefixes: string[] = [];

function uniquePrefix(name: string): string {
  const p = newPrefix(name);
  prefixes.push(p);
  return p;
}

beforeAll(() => {
  kafka = testKafka('kafka-int-test');
});

afterAll(async () => {
  await Promise.all(producers.map((p) => p.disconnect()));
  for (const p of prefixes) await deleteTestTopics(p, { kafka });
});

async function connected(producer: Producer): Promise<Producer> {
  producers.push(producer);
  await producer.connect();
  return producer;
}

describe('events through the real broker', () => {
  it('produces and consumes every event type with its header, key, Java partition and exact values', async () => {
    const names = await createTestTopics(uniquePrefix('every-event-type'), { kafka });
    const producer = await connected(createProducer(kafka));
    expect(producer.isIdempotent()).toBe(true);

    for (const { topic, item } of oneOfEach) {
      const [meta] = await produceEvents(producer, names[topic], [item]);
      expect(meta?.errorCode).toBe(0);
    }

    for (const { topic, item } of oneOfEach) {
      const got = await consumeAll(kafka, names[topic], { count: 1 });
      expect(got).toHaveLength(1);
      const [msg] = got;
      expect(msg?.headers[EVENT_TYPE_HEADER]).toBe(item.name);
      expect(msg?.name).toBe(item.name);
      expect(msg?.key).toBe(item.key);
      expect(msg?.partition).toBe(javaPartition[item.key]);
      expect(msg?.timestamp).toBe(String(item.event.occurred_at));
      expect(msg?.event).toEqual(item.event);
    }
  });

  it('keeps the order of events of one key, writes each once, and spreads keys as Java would', async () => {
    const names = await createTestTopics(uniquePrefix('order'), { kafka });
    const producer = await connected(createProducer(kafka));
    const price = (i: number): EventMessage => ({
      key: i % 2 ? 'openai/gpt-4o-mini' : sonnet,
      name: 'ModelDiscovered',
      event: {
        ...discovered,
        event_id: `e${i}`,
        model_id: i % 2 ? 'openai/gpt-4o-mini' : sonnet,
        occurred_at: fetchedAt + i,
      },
    });
    await produceEvents(
      producer,
      names.modelDiscovered,
      Array.from({ length: 10 }, (_, i) => price(i)),
    );

    const got = await consumeAll(kafka, names.modelDiscovered);
    expect(got).toHaveLength(10);
    const ofKey = (k: string) => got.filter((m) => m.key === k);
    expect(ofKey(sonnet).map((m) => m.event.event_id)).toEqual(['e0', 'e2', 'e4', 'e6', 'e8']);
    expect(ofKey('openai/gpt-4o-mini').map((m) => m.event.event_id)).toEqual(['e1', 'e3', 'e5', 'e7', 'e9']);
    expect(new Set(ofKey(sonnet).map((m) => m.partition))).toEqual(new Set([2]));
    expect(new Set(ofKey('openai/gpt-4o-mini').map((m) => m.partition))).toEqual(new Set([0]));
  });
});

describe('topics on the broker', () => {
  it('holds the configs of docs/design.md §2: event topics kept forever, the normalizer state compacted', async () => {
    const prefix = uniquePrefix('topic-configs');
    const specs = prefixedTopics(prefix);
    const first = await ensureTopics(kafka, specs, { partitions: 3, replicationFactor: 1 });
    expect(first.created).toHaveLength(specs.length);

    const configs = await describeTopicConfigs(
      kafka,
      specs.map((s) => s.name),
    );
    for (const t of [
      'modelDiscovered',
      'providerDiscovered',
      'rawPriceObserved',
      'normalizedPrice',
      'priceChanged',
      'catalogSnapshot',
      'deadLetter',
    ] as const) {
      const c = configs[`${prefix}${topics[t].name}`];
      expect(c?.['retention.ms']).toBe('-1');
      expect(c?.['cleanup.policy']).toBe('delete');
    }
    const state = configs[`${prefix}pricing.normalizer-state.v1`];
    expect(state?.['cleanup.policy']).toBe('compact');
    expect(state?.['min.compaction.lag.ms']).toBe('0');
    // Key histories pass the broker's 1 MB default (docs/price-model.md §4.6).
    expect(state?.['max.message.bytes']).toBe('8388608');

    const again = await ensureTopics(kafka, specs, { partitions: 3, replicationFactor: 1 });
    expect(again).toEqual({ created: [], existing: specs.map((s) => s.name), mismatches: [] });
  });

  it('reports an existing topic whose configs differ from its spec', async () => {
    const prefix = uniquePrefix('topic-mismatch');
    const [spec] = prefixedTopics(prefix);
    if (!spec) throw new Error('no topic specs');
    // A topic someone created by hand with a 7-day retention: the event store would lose events.
    await ensureTopics(
      kafka,
      [{ name: spec.name, configs: { 'cleanup.policy': 'delete', 'retention.ms': '604800000' } }],
      {
        partitions: 1,
        replicationFactor: 1,
      },
    );

    const err = await ensureTopics(kafka, [spec], { partitions: 3, replicationFactor: 1 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TopicMismatchError);
    expect((err as TopicMismatchError).code).toBe('TOPIC_CONFIG_MISMATCH');
    expect((err as TopicMismatchError).mismatches).toEqual([
      { topic: spec.name, setting: 'retention.ms', expected: '-1', actual: '604800000' },
      { topic: spec.name, setting: 'partitions', expected: '3', actual: '1' },
    ]);
    expect((err as Error).message).toContain(`${spec.name}: retention.ms is 604800000, expected -1`);
  });
});

describe('transactions (kafkajs idempotence is experimental: proven here)', () => {
  it('a read_committed consumer sees committed events only, a read_uncommitted one sees the aborted too', async () => {
    const prefix = uniquePrefix('transactions');
    const names = await createTestTopics(prefix, { kafka });
    const producer = await connected(createProducer(kafka, { transactionalId: `${prefix}producer` }));
    expect(producer.isIdempotent()).toBe(true);
    const event = (id: string): EventMessage => ({
      key: endpointKey,
      name: 'NormalizedPrice',
      event: { ...normalized, event_id: id },
    });

    const committed = await producer.transaction();
    await produceEvents(committed, names.normalizedPrice, [event('committed-1'), event('committed-2')]);
    await produceEvents(committed, names.priceChanged, [
      { key: endpointKey, name: 'PriceChanged', event: changed },
    ]);
    await committed.commit();

    const aborted = await producer.transaction();
    await produceEvents(aborted, names.normalizedPrice, [event('aborted-1')]);
    await aborted.abort();

    const last = await producer.transaction();
    await produceEvents(last, names.normalizedPrice, [event('committed-3')]);
    await last.commit();

    // Read to the end: the end offsets include the commit and abort markers, which consumeAll must pass.
    const readCommitted = await consumeAll(kafka, names.normalizedPrice);
    expect(readCommitted.map((m) => m.event.event_id)).toEqual(['committed-1', 'committed-2', 'committed-3']);
    expect(readCommitted.every((m) => m.headers[EVENT_TYPE_HEADER] === 'NormalizedPrice')).toBe(true);

    const readUncommitted = await consumeAll(kafka, names.normalizedPrice, { readUncommitted: true });
    expect(readUncommitted.map((m) => m.event.event_id)).toEqual([
      'committed-1',
      'committed-2',
      'aborted-1',
      'committed-3',
    ]);

    const changes = await consumeAll(kafka, names.priceChanged);
    expect(changes.map((m) => m.event)).toEqual([changed]);
  });

  it('a consume-transform-produce step commits its input offsets inside the transaction', async () => {
    const prefix = uniquePrefix('exactly-once');
    const names = await createTestTopics(prefix, { kafka });
    const groupId = `${prefix}group`;
    const input = await connected(createProducer(kafka));
    await produceEvents(input, names.rawPriceObserved, [
      { key: endpointKey, name: 'RawPriceObserved', event: raw },
    ]);
    const [consumed] = await consumeAll(kafka, names.rawPriceObserved, { count: 1 });
    if (!consumed) throw new Error('nothing consumed');

    const producer = await connected(createProducer(kafka, { transactionalId: `${prefix}normalizer` }));
    const tx = await producer.transaction();
    await produceEvents(tx, names.normalizedPrice, [
      { key: endpointKey, name: 'NormalizedPrice', event: normalized },
    ]);
    await tx.sendOffsets({
      consumerGroupId: groupId,
      topics: [
        {
          topic: names.rawPriceObserved,
          partitions: [{ partition: consumed.partition, offset: (BigInt(consumed.offset) + 1n).toString() }],
        },
      ],
    });
    await tx.commit();

    const admin = kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [names.rawPriceObserved] });
      const committedOffset = offsets?.partitions.find((p) => p.partition === consumed.partition)?.offset;
      expect(committedOffset).toBe((BigInt(consumed.offset) + 1n).toString());
    } finally {
      await admin.disconnect();
    }
    const out = await consumeAll(kafka, names.normalizedPrice);
    expect(out.map((m) => m.event)).toEqual([normalized]);
  });
});
