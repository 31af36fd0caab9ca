// Against the real broker that scripts/stack/kafka.sh starts (Kafka 3.9.1, KRaft): every event type
// through kafkajs and the Avro codec, the topic configs as the broker holds them, and transactions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contentHash,
  EVENT_TYPE_HEADER,
  eventId,
  priceKey,
  type DeadLetter,
  type ModelDiscovered,
  type NormalizedPrice,
  type PriceChanged,
  type ProviderDiscovered,
  type RawPriceObserved,
} from '@llmpt/schemas';
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

const runId = 'run-2026-05-18T06:00:00Z';
const fetchedAt = Date.UTC(2026, 4, 18, 6, 0, 1, 234);
const sonnet = 'anthropic/claude-sonnet-4';
const rawEntry = JSON.stringify({
  id: sonnet,
  name: 'Anthropic: Claude Sonnet 4',
  pricing: {
    prompt: '0.000003',
    completion: '0.000015',
    input_cache_read: '0.0000003',
    input_cache_write: '0.00000375',
  },
});

const discovered: ModelDiscovered = {
  event_id: eventId('ModelDiscovered', sonnet, contentHash(rawEntry)),
  run_id: runId,
  caused_by: null,
  occurred_at: fetchedAt,
  model_id: sonnet,
  canonical_slug: 'anthropic/claude-4-sonnet-20250522',
  name: 'Anthropic: Claude Sonnet 4',
  description: 'Claude Sonnet 4 significantly enhances the capabilities of its predecessor.',
  created: 1747930371,
  expiration_date: null,
  context_length: 1_000_000,
  architecture: {
    modality: 'text+image->text',
    input_modalities: ['image', 'text', 'file'],
    output_modalities: ['text'],
    tokenizer: 'Claude',
    instruct_type: null,
  },
  supported_parameters: ['include_reasoning', 'max_tokens', 'reasoning', 'temperature', 'tools'],
  top_provider: { context_length: 1_000_000, max_completion_tokens: 64_000, is_moderated: true },
  pricing: {
    prompt: '0.000003',
    completion: '0.000015',
    request: '0',
    image: '0.0048',
    web_search: '0.01',
    internal_reasoning: '0',
    input_cache_read: '0.0000003',
    input_cache_write: '0.00000375',
  },
  pricing_tiers: [
    {
      conditions: { min_prompt_tokens: '200000' },
      pricing: { prompt: '0.000006', completion: '0.0000225' },
    },
  ],
  raw_entry: rawEntry,
  source_url: 'https://openrouter.ai/api/v1/models',
  fetched_at: fetchedAt,
  content_hash: contentHash(rawEntry),
};

const endpointKey = priceKey(sonnet, 'anthropic', 'openrouter_endpoints');

const raw: RawPriceObserved = {
  event_id: eventId('RawPriceObserved', endpointKey, 'c0ffee'),
  run_id: runId,
  caused_by: discovered.event_id,
  occurred_at: fetchedAt + 1500,
  model_id: sonnet,
  provider: 'anthropic',
  provider_name: 'Anthropic',
  source_type: 'openrouter_endpoints',
  source_url: 'https://openrouter.ai/api/v1/models/anthropic/claude-sonnet-4/endpoints',
  fetched_at: fetchedAt + 1400,
  content_hash: contentHash('endpoints body'),
  status: 'ok',
  unavailable_reason: null,
  components: [
    { dimension: 'prompt', raw_value: '0.000003', unit: 'per_token', currency: 'USD', tier: null },
    { dimension: 'completion', raw_value: '0.000015', unit: 'per_token', currency: 'USD', tier: null },
    {
      dimension: 'prompt',
      raw_value: '0.000006',
      unit: 'per_token',
      currency: 'USD',
      tier: 'prompt_tokens>200000',
    },
  ],
  endpoint: {
    tag: 'anthropic',
    context_length: 1_000_000,
    max_prompt_tokens: null,
    max_completion_tokens: 64_000,
    quantization: null,
    status: 0,
  },
};

const normalized: NormalizedPrice = {
  event_id: eventId('NormalizedPrice', raw.event_id),
  run_id: runId,
  caused_by: raw.event_id,
  occurred_at: fetchedAt + 2000,
  price_key: endpointKey,
  model_id: sonnet,
  provider: 'anthropic',
  source_type: 'openrouter_endpoints',
  source_url: raw.source_url,
  snapshot_date: '2026-05-18',
  observed_at: raw.fetched_at,
  status: 'ok',
  unavailable_reason: null,
  currency: 'USD',
  // The highest tier per dimension is published (docs/price-model.md §2): 0.000006 per token = 6 USD per 1M.
  prompt: '6.00000000',
  completion: '15.00000000',
  internal_reasoning: null,
  input_cache_read: '0.30000000',
  input_cache_write: '3.75000000',
  request: '0.00000000',
  image: null,
  web_search: null,
  input_cache_write_1h: null,
  input_audio: null,
  input_audio_cache: null,
  audio_output: null,
  image_token: null,
  image_output: null,
  discount: null,
  notes: ['context tiers: prompt 3.00000000 below 200000 prompt tokens'],
  base: [
    { dimension: 'prompt', amount: '3.00000000' },
    { dimension: 'completion', amount: '15.00000000' },
    { dimension: 'input_cache_read', amount: '0.30000000' },
    { dimension: 'input_cache_write', amount: '3.75000000' },
    { dimension: 'request', amount: '0.00000000' },
  ],
  tiers: [
    {
      label: 'prompt_tokens>200000',
      prompt_tokens_gte: null,
      prompt_tokens_gt: 200000,
      utc_start: null,
      utc_end: null,
      variant: null,
      other: [],
      prices: [{ dimension: 'prompt', amount: '6.00000000' }],
    },
  ],
  unregistered: [],
};

const changed: PriceChanged = {
  event_id: eventId('PriceChanged', normalized.event_id),
  run_id: runId,
  caused_by: normalized.event_id,
  occurred_at: fetchedAt + 2500,
  price_key: endpointKey,
  model_id: sonnet,
  provider: 'anthropic',
  source_type: 'openrouter_endpoints',
  kind: 'changed',
  changes: [
    {
      dimension: 'prompt',
      previous: '4.00000000',
      current: '6.00000000',
      relative_change: '0.50000000',
      tier: 'prompt_tokens>200000',
      change: 'changed',
    },
  ],
  previous_observed_at: fetchedAt - 86_400_000,
  current_observed_at: raw.fetched_at,
  snapshot_date: '2026-05-18',
  alert: true,
  alert_threshold: '0.30000000',
  expiration_date: null,
};

const dead: DeadLetter = {
  event_id: eventId('DeadLetter', 'discovery', 'openrouter/auto'),
  run_id: runId,
  caused_by: null,
  occurred_at: fetchedAt + 10,
  stage: 'discovery',
  source_topic: null,
  source_partition: null,
  source_offset: null,
  source_url: 'https://openrouter.ai/api/v1/models',
  key: Buffer.from('openrouter/auto'),
  payload: Buffer.from('{"id":"openrouter/auto","pricing":{"prompt":-1}}'),
  error_code: 'INVALID_ENTRY',
  error_message: 'pricing.prompt: expected string, received number',
  retriable: false,
};

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

const provider: ProviderDiscovered = {
  event_id: eventId('ProviderDiscovered', 'google-vertex', 'c0ffee', '2026-05-18'),
  run_id: runId,
  caused_by: null,
  occurred_at: fetchedAt,
  slug: 'google-vertex',
  name: 'Google',
  privacy_policy_url: 'https://cloud.google.com/terms/cloud-privacy-notice',
  terms_of_service_url: null,
  status_page_url: null,
  headquarters: 'US',
  datacenters: ['US', 'BE'],
  raw_entry: '{"slug":"google-vertex","name":"Google"}',
  source_url: 'https://openrouter.ai/api/v1/providers',
  fetched_at: fetchedAt,
  content_hash: contentHash('{"slug":"google-vertex","name":"Google"}'),
};

const samples: { topic: keyof typeof topics; item: EventMessage }[] = [
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

    for (const { topic, item } of samples) {
      const [meta] = await produceEvents(producer, names[topic], [item]);
      expect(meta?.errorCode).toBe(0);
    }

    for (const { topic, item } of samples) {
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
    expect(first.created).toHaveLength(8);

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
