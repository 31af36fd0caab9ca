// Poison at pipeline level (issue 4): with the real scraper, normalizer and sink running, bad messages
// are produced straight into the live topics: random bytes, a real event cut short, a real body behind
// a fingerprint no schema has, and well-formed Avro that breaks the contract (an empty model id, a
// money field that is not a decimal string, an event of another type than the topic carries). Each
// lands in the dead-letter topic once per stage that consumes the topic, with its code, its exact
// source coordinates and its bytes; the partitions move on, and a normal day run afterwards lands in
// full. `dead-letters list` shows them, and `redrive` refuses to put them back as they are.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCatalog, startFixtureServer, type FixtureServer } from '@llmpt/fixture-server';
import { createProducer, readToEnd } from '@llmpt/runtime/kafka';
import {
  decodeEventAs,
  encodeEvent,
  HEADER_LENGTH,
  type DeadLetter,
  type NormalizedPrice,
} from '@llmpt/schemas';
import { modelDiscovered, normalizedPrice, rawPriceObserved } from '@llmpt/schemas/samples';
import { sumOf, waitForDrain } from '@llmpt/testkit';
import { count, eventsOf, observationRows, observed } from './checks.ts';
import { deadLettersCli, listDeadLetters } from './dead-letters-cli.ts';
import { expectedEndpoints, expectedRoutedDay, readModels, type ExpectedObservation } from './expected.ts';
import { startPipeline, type E2EPipeline } from './harness.ts';
import { deadLettersByStageAndCode, drainedMetrics, metricDeadLetters } from './metrics-checks.ts';

type TopicName = 'modelDiscovered' | 'rawPriceObserved' | 'normalizedPrice';

interface Poison {
  readonly label: string;
  readonly topic: TopicName;
  readonly key: string;
  readonly value: Buffer;
  readonly code: string;
  readonly message: RegExp;
}

/** Random bytes that do not start with the single-object magic (0xC3 0x01), or the code would vary. */
function randomGarbage(size: number): Buffer {
  const b = randomBytes(size);
  if (b[0] === 0xc3) b[0] = 0x42;
  return b;
}

function truncated(real: Buffer): Buffer {
  return real.subarray(0, HEADER_LENGTH + Math.floor((real.length - HEADER_LENGTH) / 2));
}

/** A real body behind the magic and 8 random fingerprint bytes (no schema of ours has them). */
function unknownFingerprint(real: Buffer): { value: Buffer; hex: string } {
  const fp = randomBytes(8);
  return {
    value: Buffer.concat([Buffer.from([0xc3, 0x01]), fp, real.subarray(HEADER_LENGTH)]),
    hex: fp.readBigUInt64LE(0).toString(16).padStart(16, '0'),
  };
}

function poisonFor(
  topic: TopicName,
  real: Buffer,
  invalid: Omit<Poison, 'topic' | 'key' | 'label'>,
): Poison[] {
  const fp = unknownFingerprint(real);
  return [
    {
      label: 'random bytes',
      topic,
      key: `poison-random-${topic}`,
      value: randomGarbage(64),
      code: 'BAD_MAGIC',
      message: /^message starts with 0x[0-9a-f]{4}, expected 0xc301 \(Avro single-object\)/,
    },
    {
      label: 'truncated Avro body',
      topic,
      key: `poison-truncated-${topic}`,
      value: truncated(real),
      code: 'TRUNCATED',
      message: /: field \S+ at byte \d+: (string needs \d+ bytes but only \d+ are left|message ends inside)/,
    },
    {
      label: 'unknown fingerprint',
      topic,
      key: `poison-fingerprint-${topic}`,
      value: fp.value,
      code: 'UNKNOWN_FINGERPRINT',
      message: new RegExp(`^no schema in schemas/ or schemas/history/ has fingerprint 0x${fp.hex}$`),
    },
    { label: 'valid Avro, invalid event', topic, key: `poison-invalid-${topic}`, ...invalid },
  ];
}

const STAGES: Record<TopicName, readonly string[]> = {
  modelDiscovered: ['scraper', 'sink'],
  rawPriceObserved: ['normalizer', 'sink'],
  normalizedPrice: ['sink'],
};

const catalog = sampleCatalog();
const RUN = 'e2e-poison-day1';

describe('poison in the live topics', () => {
  let server: FixtureServer;
  let p: E2EPipeline;

  beforeAll(async () => {
    server = await startFixtureServer(catalog);
    p = await startPipeline({ name: 'poison', store: 'postgres', openRouterBaseUrl: server.url });
  });
  afterAll(async () => {
    await p?.stop();
    await server?.close();
  });

  // Real events of a model the catalog does not have, so nothing of them can hide in the day's rows.
  const model_id = 'e2e-poison/model';
  const md = encodeEvent('ModelDiscovered', modelDiscovered({ model_id }).event);
  const raw = encodeEvent('RawPriceObserved', rawPriceObserved({ model_id }).event);
  const np = encodeEvent('NormalizedPrice', normalizedPrice({ model_id }).event);
  const poisons: Poison[] = [
    ...poisonFor('modelDiscovered', md, {
      value: encodeEvent('ModelDiscovered', { ...modelDiscovered().event, model_id: '' }),
      code: 'INVALID_EVENT',
      message: /^invalid ModelDiscovered \S+: model_id: empty$/,
    }),
    ...poisonFor('rawPriceObserved', raw, {
      // Well-formed, but not what the topic carries: the sink would otherwise write it as a price.
      value: np,
      code: 'WRONG_TYPE',
      message: /^expected a RawPriceObserved event on this topic, got a NormalizedPrice$/,
    }),
    ...poisonFor('normalizedPrice', np, {
      value: encodeEvent('NormalizedPrice', {
        ...normalizedPrice({ model_id }).event,
        prompt: 'abc',
      }),
      code: 'INVALID_EVENT',
      message: /prompt: "abc" is not a decimal string of scale 8/,
    }),
  ];

  it('dead-letters each bad message once per consuming stage, with code and coordinates', async () => {
    const producer = createProducer(p.kafka);
    await producer.connect();
    const sent: (Poison & { partition: number; offset: string })[] = [];
    try {
      for (const x of poisons) {
        // One message per send: the base offset is the message's own offset.
        const [meta] = await producer.send({
          topic: p.topics[x.topic],
          messages: [{ key: x.key, value: x.value }],
          acks: -1,
        });
        if (!meta?.baseOffset) throw new Error(`no offset for ${x.label} on ${x.topic}`);
        sent.push({ ...x, partition: meta.partition, offset: meta.baseOffset });
      }
    } finally {
      await producer.disconnect();
    }
    const t0 = Date.now();
    await waitForDrain(p.kafka, p.prefix, { services: p.services, timeoutMs: 240_000 });
    const drainMs = Date.now() - t0;

    const dead = await eventsOf(p, 'DeadLetter');
    const expectedCount = sent.reduce((n, x) => n + STAGES[x.topic].length, 0);
    expect(expectedCount).toBe(20);
    expect(dead).toHaveLength(expectedCount);
    for (const x of sent) {
      for (const stage of STAGES[x.topic]) {
        const mine = dead.filter(
          (d: DeadLetter) =>
            d.stage === stage &&
            d.source_topic === p.topics[x.topic] &&
            d.source_partition === x.partition &&
            d.source_offset === x.offset,
        );
        expect(mine, `${stage} on ${x.label} in ${x.topic}`).toHaveLength(1);
        const d = mine[0]!;
        expect(d.error_code, `${stage} on ${x.label} in ${x.topic}`).toBe(x.code);
        expect(d.error_message).toMatch(x.message);
        expect(d.payload.equals(x.value)).toBe(true);
        expect(d.key?.toString()).toBe(x.key);
        expect(d).toMatchObject({ run_id: null, caused_by: null, retriable: false });
      }
    }

    // docs/metrics.md: each stage counts the dead letters it published by code, as the topic holds them,
    // and the poison among the records it consumed.
    const metrics = await drainedMetrics(p);
    expect(metricDeadLetters(metrics)).toEqual(deadLettersByStageAndCode(dead));
    expect(
      sumOf(metrics.scraper, 'llmpt_events_consumed_total', { topic: 'pricing.model-discovered.v1' }),
    ).toBe(sent.filter((x) => x.topic === 'modelDiscovered').length);

    // The tool shows them: all, and filtered by the unprefixed topic name.
    const all = await listDeadLetters(p.prefix);
    expect(all.total).toBe(expectedCount);
    expect(all.summary).toEqual([
      { stage: 'normalizer', code: 'BAD_MAGIC', count: 1 },
      { stage: 'normalizer', code: 'TRUNCATED', count: 1 },
      { stage: 'normalizer', code: 'UNKNOWN_FINGERPRINT', count: 1 },
      { stage: 'normalizer', code: 'WRONG_TYPE', count: 1 },
      { stage: 'scraper', code: 'BAD_MAGIC', count: 1 },
      { stage: 'scraper', code: 'INVALID_EVENT', count: 1 },
      { stage: 'scraper', code: 'TRUNCATED', count: 1 },
      { stage: 'scraper', code: 'UNKNOWN_FINGERPRINT', count: 1 },
      { stage: 'sink', code: 'BAD_MAGIC', count: 3 },
      { stage: 'sink', code: 'INVALID_EVENT', count: 2 },
      { stage: 'sink', code: 'TRUNCATED', count: 3 },
      { stage: 'sink', code: 'UNKNOWN_FINGERPRINT', count: 3 },
      { stage: 'sink', code: 'WRONG_TYPE', count: 1 },
    ]);
    const onNormalized = await listDeadLetters(p.prefix, ['--topic', 'pricing.normalized-price.v1']);
    expect(onNormalized.deadLetters.map((d) => [d.stage, d.error_code]).sort()).toEqual(
      [
        ['sink', 'BAD_MAGIC'],
        ['sink', 'INVALID_EVENT'],
        ['sink', 'TRUNCATED'],
        ['sink', 'UNKNOWN_FINGERPRINT'],
      ].sort(),
    );
    const text = await deadLettersCli(p.prefix, ['list', '--code', 'BAD_MAGIC']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`5 dead letters selected of ${expectedCount}`);

    // As they are, none can be put back: it would only dead-letter again.
    const redrive = await deadLettersCli(p.prefix, ['redrive', '--dry-run']);
    expect(redrive.code, redrive.stderr).toBe(0);
    expect(redrive.stdout).toContain(
      `0 messages to re-publish (for 0 dead letters), ${expectedCount} skipped`,
    );
    expect(redrive.stdout.match(/payload still does not decode or validate/g)).toHaveLength(expectedCount);
    console.info('[e2e poison]', { poisonMessages: sent.length, deadLetters: dead.length, drainMs });
  });

  it('goes on: a normal day run afterwards lands in full', async () => {
    const models = readModels(catalog.models[0]);
    const endpoints = JSON.parse(readFileSync(catalog.endpoints[0], 'utf8')) as Record<string, unknown[]>;
    const expected = new Map<string, ExpectedObservation>(expectedRoutedDay(models));
    for (const m of models)
      for (const [k, v] of expectedEndpoints(m.id, endpoints[m.id] ?? [])) expected.set(k, v);

    server.setDay(0);
    const res = await p.runDay(RUN);
    // The topic holds the poison too: read it the way the tool does, keeping what decodes.
    const prices: NormalizedPrice[] = [];
    await readToEnd(p.kafka, [p.topics.normalizedPrice], ({ message: m }) => {
      try {
        const e = decodeEventAs('NormalizedPrice', m.value ?? Buffer.alloc(0));
        if (e.run_id === RUN) prices.push(e);
      } catch {
        // one of the poison messages of the first test
      }
    });
    expect(observed(prices)).toEqual(expected);
    const rows = await observationRows(
      p.db,
      prices.map((e) => e.event_id),
    );
    expect(rows).toHaveLength(expected.size);
    expect(await count(p.db, 'select count(*) as n from price_observations')).toBe(expected.size);
    expect(await count(p.db, 'select count(*) as n from models_catalog')).toBe(
      new Set(models.map((m) => m.id)).size,
    );
    // Nothing of the poison reached the database, and the day added no dead letter of its own.
    for (const table of [
      'price_observations',
      'models_catalog',
      'model_providers',
      'model_versions',
      'model_sightings',
    ])
      expect(await count(p.db, `select count(*) as n from ${table} where model_id like 'e2e-poison/%'`)).toBe(
        0,
      );
    const dead = await eventsOf(p, 'DeadLetter');
    expect(dead.filter((d) => d.run_id === RUN)).toEqual([]);
    expect(dead).toHaveLength(20);
    console.info('[e2e poison]', { dayRunMs: res.ms, observations: rows.length });
  });
});
