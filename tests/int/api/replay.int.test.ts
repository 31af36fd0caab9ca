// Exports across a replay (issue 13: "Exports for a past date are byte-identical across two calls and
// across a replay into a fresh database"). Database A is filled from the recorded days' events by the
// sink's projection (tests/int/api/setup.ts); the same events, Avro-encoded on their own topics, are
// rebuilt into a fresh database B by the sink's replay (the library function `npm run replay` runs),
// and a second app instance serves B. Every export format for past days must be the same bytes from
// A twice and from B; so must the history (content hashes included), and the provenance columns of
// migrations/0013 must have crossed Kafka intact.
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEvent, EVENT_TYPE_HEADER, priceKey, type DecodedEvent } from '@llmpt/schemas';
import { PLAINTEXT_SECURITY, topicOfEvent } from '@llmpt/runtime';
import { replay } from '@llmpt/sink';
import { EXPORT_FORMATS } from '@llmpt/api';
import {
  createTestTopics,
  deleteTestTopics,
  freshDatabase,
  repoRoot,
  stackEnv,
  testKafka,
  uniquePrefix,
  withClient,
  type FreshDatabase,
} from '@llmpt/testkit';
import { serveApi, startRecordedApi, type RecordedApi } from './setup.ts';

/** The Kafka key each stage writes an event with (schemas/README.md "Topics and keys"). */
function keyOf(e: DecodedEvent): string {
  switch (e.name) {
    case 'ModelDiscovered':
      return e.event.model_id;
    case 'ProviderDiscovered':
      return e.event.slug;
    case 'RawPriceObserved':
      return priceKey(e.event.model_id, e.event.provider, e.event.source_type);
    case 'NormalizedPrice':
    case 'PriceChanged':
    case 'PriceChangeRetracted':
      return e.event.price_key;
    case 'CatalogSnapshot':
      return e.event.source_url;
    case 'PriceVerified':
    case 'PriceDiscrepancy':
      return `${e.event.model_id}|${e.event.provider}`;
    case 'DeadLetter':
      throw new Error('replay test: the recorded days publish no dead letter');
  }
}

/** Every event on its topic under `prefix`, in the order the stages published them. */
async function publish(prefix: string, events: readonly DecodedEvent[]): Promise<void> {
  const kafka = testKafka('api-replay-producer');
  await createTestTopics(prefix, { kafka });
  const producer = kafka.producer();
  await producer.connect();
  try {
    const byTopic = new Map<string, { key: string; value: Buffer; headers: Record<string, string> }[]>();
    for (const e of events) {
      const topic = prefix + topicOfEvent[e.name];
      const list = byTopic.get(topic) ?? [];
      list.push({
        key: keyOf(e),
        value: encodeEvent(e.name, e.event as never),
        headers: { [EVENT_TYPE_HEADER]: e.name },
      });
      byTopic.set(topic, list);
    }
    for (const [topic, messages] of byTopic) await producer.send({ topic, messages });
  } finally {
    await producer.disconnect();
  }
}

// Past days: before the first observation, the first recorded day, the day before the change, the
// change's day.
const DAYS = ['2026-07-31', '2026-08-01', '2026-08-18', '2026-08-19'];
const FILES = Object.entries(EXPORT_FORMATS).flatMap(([format, ext]) =>
  DAYS.map((day) => `/v1/exports/${format}/${day}.${ext}`),
);

describe('exports for a past date across a replay into a fresh database', () => {
  const prefix = uniquePrefix('apireplay');
  let api: RecordedApi;
  let replayed: FreshDatabase;
  let second: { base: string; close: () => Promise<void> };

  beforeAll(async () => {
    api = await startRecordedApi('api_replay');
    replayed = await freshDatabase('api_replayed');
    await publish(prefix, api.events.flat());
    const result = await replay({
      brokers: stackEnv().kafkaBrokers,
      security: PLAINTEXT_SECURITY,
      topicPrefix: prefix,
      into: replayed.url,
      migrationsDir: path.join(repoRoot, 'migrations'),
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      intervalMs: 250,
    });
    // At least once: a rebalance under load may deliver a message twice (the writes are idempotent).
    expect(result.events).toBeGreaterThanOrEqual(api.events.flat().length);
    second = await serveApi(replayed.url, api.login, api.password);
  }, 90_000);

  afterAll(async () => {
    await second?.close();
    await api?.stop();
    await replayed?.drop();
    await deleteTestTopics(prefix);
  });

  const bytes = async (base: string, p: string) => {
    const res = await fetch(`${base}${p}`);
    expect(res.status, `${base}${p}`).toBe(200);
    return { text: await res.text(), etag: res.headers.get('etag') };
  };

  it('every format, every past day: the same bytes (and ETag) twice from A, and from the replayed B', async () => {
    expect(FILES.length).toBe(4 * DAYS.length);
    let nonEmpty = 0;
    for (const file of FILES) {
      const first = await bytes(api.base, file);
      const again = await bytes(api.base, file);
      const fromReplay = await bytes(second.base, file);
      expect(again.text, file).toBe(first.text);
      expect(fromReplay.text, `${file} after a replay`).toBe(first.text);
      expect(fromReplay.etag, file).toBe(first.etag);
      if (!file.includes('2026-07-31') && first.text.length > 1000) nonEmpty++;
    }
    // Not a comparison of empty files: every format has prices on the recorded days.
    expect(nonEmpty).toBe(4 * (DAYS.length - 1));
  }, 60_000);

  it('the history is the same from B, content hashes included, and they crossed Kafka', async () => {
    for (const model of ['qwen/qwen3-14b', 'openai/gpt-5.6-sol']) {
      const [a, b] = await Promise.all([
        bytes(api.base, `/v1/models/${model}/history`),
        bytes(second.base, `/v1/models/${model}/history`),
      ]);
      expect(b.text, model).toBe(a.text);
      const intervals = (JSON.parse(a.text) as { data: { intervals: { content_hash: unknown }[] } }).data
        .intervals;
      expect(intervals.length).toBeGreaterThan(0);
      for (const i of intervals) expect(i.content_hash).toMatch(/^[0-9a-f]{64}$/);
    }
    // The provenance columns (migrations/0013), row by row.
    const provenance = (url: string) =>
      withClient(url, async (c) => ({
        observations: (
          await c.query<{ r: string }>(
            `select event_id || ' ' || coalesce(content_hash, '-') as r from price_observations order by event_id`,
          )
        ).rows.map((x) => x.r),
        changes: (
          await c.query<{ r: string }>(
            `select event_id || ' ' || coalesce(occurred_at::text, '-') as r from price_changes order by event_id`,
          )
        ).rows.map((x) => x.r),
      }));
    const [a, b] = await Promise.all([provenance(api.db.url), provenance(replayed.url)]);
    expect(b).toEqual(a);
    expect(a.observations.length).toBeGreaterThan(50);
    expect(a.observations.every((r) => !r.endsWith(' -'))).toBe(true);
    expect(a.changes.length).toBeGreaterThan(0);
    expect(a.changes.every((r) => !r.endsWith(' -'))).toBe(true);
  });
});
