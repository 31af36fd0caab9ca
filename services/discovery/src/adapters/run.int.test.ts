import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Producer, ProducerRecord } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCatalog, startFixtureServer, type FixtureServer } from '@llmpt/fixture-server';
import { createLogger } from '@llmpt/runtime';
import { createProducer } from '@llmpt/runtime/kafka';
import type { CatalogSnapshot, ModelDiscovered } from '@llmpt/schemas';
import {
  consumeAll,
  createTestTopics,
  deleteTestTopics,
  testKafka,
  uniquePrefix,
  type TopicKey,
} from '@llmpt/testkit';
import { emptyBlocklist } from '../core/blocklist.ts';
import { runDiscovery } from './run.ts';

// One discovery run against the local OpenRouter-compatible server and the real broker: the
// CatalogSnapshot lands once per complete run, after the run's ModelDiscovered events.
const logger = createLogger({ service: 'test', level: 'silent' });
const kafka = testKafka('discovery-run-int');
const prefix = uniquePrefix('discovery-run');
const workDir = mkdtempSync(path.join(tmpdir(), 'discovery-run-'));
let names: Record<TopicKey, string>;
let producer: Producer;
let complete: FixtureServer;
let truncated: FixtureServer;
const sent: string[] = [];

beforeAll(async () => {
  names = await createTestTopics(prefix, { kafka, partitions: 1 });
  const raw = createProducer(kafka);
  await raw.connect();
  // Records which topic each send went to, in order, then sends for real.
  producer = Object.assign(Object.create(raw) as Producer, {
    send: (record: ProducerRecord) => {
      sent.push(record.topic);
      return raw.send(record);
    },
    disconnect: () => raw.disconnect(),
  });
  const catalog = sampleCatalog();
  complete = await startFixtureServer(catalog);
  // The same day-1 list with one entry cut off: total_count no longer matches the entries.
  const day1 = JSON.parse(readFileSync(catalog.models[0], 'utf8')) as {
    data: unknown[];
    total_count: number;
  };
  const cut = path.join(workDir, 'cut.models.json');
  writeFileSync(cut, JSON.stringify({ ...day1, data: day1.data.slice(1) }));
  truncated = await startFixtureServer({ ...catalog, models: cut });
});

afterAll(async () => {
  await producer?.disconnect();
  await complete?.close();
  await truncated?.close();
  await deleteTestTopics(prefix, { kafka });
  rmSync(workDir, { recursive: true, force: true });
});

const run = (server: FixtureServer, runId: string) =>
  runDiscovery({
    baseUrl: server.url,
    runId,
    blocklist: emptyBlocklist,
    producer,
    topicPrefix: prefix,
    timeoutMs: 5000,
    attempts: 1,
    logger,
    now: () => Date.UTC(2026, 7, 1, 6, 0, 0),
  });

describe('runDiscovery and the CatalogSnapshot', () => {
  it('publishes one snapshot of every discovered id, keyed by the source URL, after the models', async () => {
    sent.length = 0;
    const summary = await run(complete, 'run-complete');
    expect(summary.catalogSnapshot).toBe(true);
    expect(sent.lastIndexOf(names.modelDiscovered)).toBeLessThan(sent.indexOf(names.catalogSnapshot));
    expect(sent.filter((t) => t === names.catalogSnapshot)).toHaveLength(1);

    const models = await consumeAll(kafka, names.modelDiscovered);
    const snapshots = await consumeAll(kafka, names.catalogSnapshot);
    expect(snapshots).toHaveLength(1);
    const snapshot = snapshots[0]?.event as CatalogSnapshot;
    const ids = models.map((m) => (m.event as ModelDiscovered).model_id);
    expect(snapshot.model_ids).toEqual([...new Set(ids)].sort());
    expect(snapshot.model_ids).toHaveLength(summary.sent);
    expect(snapshots[0]?.key?.toString()).toBe(`${complete.url}/api/v1/models`);
    expect(snapshot).toMatchObject({ run_id: 'run-complete', source_url: `${complete.url}/api/v1/models` });
    const expiring = models
      .map((m) => m.event as ModelDiscovered)
      .filter((m) => m.expiration_date !== null)
      .map((m) => ({ model_id: m.model_id, expiration_date: m.expiration_date }));
    expect([...snapshot.expirations]).toEqual(expiring.sort((a, b) => a.model_id.localeCompare(b.model_id)));
  });

  it('a list whose total_count disagrees with its entries publishes its models but no snapshot', async () => {
    const before = (await consumeAll(kafka, names.catalogSnapshot)).length;
    sent.length = 0;
    const summary = await run(truncated, 'run-truncated');
    expect(summary.catalogSnapshot).toBe(false);
    expect(summary.sent).toBeGreaterThan(0);
    expect(sent).not.toContain(names.catalogSnapshot);
    expect(await consumeAll(kafka, names.catalogSnapshot)).toHaveLength(before);
  });
});
