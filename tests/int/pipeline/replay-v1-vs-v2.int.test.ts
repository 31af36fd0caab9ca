// Replay from v1 events: what the v1 pipeline (commit b001a84) wrote to the topics, saved as bytes in
// fixtures/v1-events, still decodes, replays through the sink's own replay into the v2 schema, and
// lands as the same observation rows a v2 run of the same two days writes, the v2 columns null and the
// structure empty where v1 carried nothing.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DIMENSION_NAMES,
  DIMENSIONS,
  contentHash,
  decodeEvent,
  encodeEvent,
  type EventName,
  type NormalizedPrice,
  type PriceChanged,
  type RawPriceObserved,
} from '@llmpt/schemas';
import { discoverModels, emptyBlocklist, parseModelsResponse } from '@llmpt/discovery';
import { endpointObservations, endpointsUrl, routedPriceObservation } from '@llmpt/scraper';
import { normalizeAndDecide, type PriceState } from '@llmpt/normalizer';
import { replay } from '@llmpt/sink';
import { PLAINTEXT_SECURITY } from '@llmpt/runtime';
import {
  freshDatabase,
  withClient,
  type FreshDatabase,
  stackEnv,
  createTestTopics,
  deleteTestTopics,
  testKafka,
  repoRoot,
  uniquePrefix,
} from '@llmpt/testkit';

interface Message {
  readonly name: EventName;
  readonly key: string;
  readonly value: Buffer;
}

const fixture = path.join(repoRoot, 'fixtures', 'v1-events', 'sample-catalog.v1.jsonl');
const v1Messages: Message[] = readFileSync(fixture, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => {
    const m = JSON.parse(l) as { name: EventName; key: string; value: string };
    return { name: m.name, key: m.key, value: Buffer.from(m.value, 'base64') };
  });

/** The v2 stages over the same two days, with the instants the v1 fixture was written with. */
function v2Messages(): Message[] {
  const out: Message[] = [];
  const state = new Map<string, PriceState>();
  const days = [
    { day: 'day1', at: Date.parse('2026-08-01T06:00:00Z') },
    { day: 'day2', at: Date.parse('2026-08-19T06:00:00Z') },
  ];
  const catalog = path.join(repoRoot, 'fixtures', 'sample-catalog');
  for (const { day, at } of days) {
    const body = JSON.parse(readFileSync(path.join(catalog, `${day}.models.json`), 'utf8')) as unknown;
    const endpoints = JSON.parse(
      readFileSync(path.join(catalog, 'endpoints', `${day}.json`), 'utf8'),
    ) as Record<string, unknown>;
    const runId = `v1-fixture-${day}`;
    const { events } = discoverModels(parseModelsResponse(body).entries, {
      runId,
      fetchedAt: at,
      sourceUrl: 'https://openrouter.ai/api/v1/models',
      blocklist: emptyBlocklist,
    });
    for (const md of events) {
      const raws: RawPriceObserved[] = [routedPriceObservation(md, { runId, fetchedAt: at + 1000 })];
      const list = endpoints[md.model_id];
      if (Array.isArray(list)) {
        const resp = { data: { id: md.model_id, endpoints: list } };
        raws.push(
          ...endpointObservations(md, resp, {
            runId,
            fetchedAt: at + 2000,
            sourceUrl: endpointsUrl('https://openrouter.ai', md),
            contentHash: contentHash(JSON.stringify(resp)),
          }).observations,
        );
      }
      for (const raw of raws) {
        const { normalized, changed, next } = normalizeAndDecide(state, raw);
        if (next) state.set(normalized.price_key, next);
        out.push({
          name: 'NormalizedPrice',
          key: normalized.price_key,
          value: encodeEvent('NormalizedPrice', normalized),
        });
        if (changed)
          out.push({
            name: 'PriceChanged',
            key: changed.price_key,
            value: encodeEvent('PriceChanged', changed),
          });
      }
    }
  }
  return out;
}

const V1_COLUMNS = DIMENSIONS.filter((d) => d.since === 1).map((d) => d.name);
const V2_COLUMNS = DIMENSIONS.filter((d) => d.since === 2).map((d) => d.name);

type Row = Record<string, unknown>;

async function observations(db: pg.Client): Promise<Map<string, Row>> {
  const { rows } = await db.query<Row>(
    `select price_key, observed_at, status, unavailable_reason, source_url, snapshot_date::text,
            ${DIMENSION_NAMES.map((d) => `${d}::text`).join(', ')}, base, tiers, unregistered
       from price_observations order by price_key, observed_at`,
  );
  return new Map(rows.map((r) => [`${String(r.price_key)} ${(r.observed_at as Date).toISOString()}`, r]));
}

describe('replay from v1 events into the v2 schema', () => {
  const prefix = uniquePrefix('replayv1');
  const v2Prefix = uniquePrefix('replayv2');
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  let dbV1: FreshDatabase;
  let dbV2: FreshDatabase;

  async function publish(p: string, messages: readonly Message[]): Promise<void> {
    const kafka = testKafka('replay-v1-producer');
    const names = await createTestTopics(p, { kafka });
    const topicOf = { NormalizedPrice: names.normalizedPrice, PriceChanged: names.priceChanged } as Record<
      string,
      string
    >;
    const producer = kafka.producer();
    await producer.connect();
    try {
      for (const name of ['NormalizedPrice', 'PriceChanged'])
        await producer.send({
          topic: topicOf[name]!,
          messages: messages
            .filter((m) => m.name === name)
            .map((m) => ({ key: m.key, value: m.value, headers: { 'event-type': m.name } })),
        });
    } finally {
      await producer.disconnect();
    }
  }

  beforeAll(async () => {
    [dbV1, dbV2] = await Promise.all([freshDatabase('replay_v1'), freshDatabase('replay_v2')]);
    await publish(prefix, v1Messages);
    await publish(v2Prefix, v2Messages());
    const common = {
      brokers: stackEnv().kafkaBrokers,
      security: PLAINTEXT_SECURITY,
      migrationsDir: path.join(repoRoot, 'migrations'),
      logger,
    };
    await replay({ ...common, topicPrefix: prefix, into: dbV1.url });
    await replay({ ...common, topicPrefix: v2Prefix, into: dbV2.url });
  });
  afterAll(async () => {
    await Promise.all([dbV1?.drop(), dbV2?.drop(), deleteTestTopics(prefix), deleteTestTopics(v2Prefix)]);
  });

  it('the saved v1 bytes are v1 (older fingerprints) and decode with the v2 fields defaulted', () => {
    const prices = v1Messages.filter((m) => m.name === 'NormalizedPrice');
    expect(prices.length).toBeGreaterThan(100);
    for (const m of prices) {
      const { name, event } = decodeEvent(m.value);
      expect(name).toBe('NormalizedPrice');
      const e = event as NormalizedPrice;
      expect(e.base).toEqual([]);
      expect(e.tiers).toEqual([]);
      for (const d of V2_COLUMNS) expect(e[d], d).toBeNull();
    }
    const changes = v1Messages.filter((m) => m.name === 'PriceChanged');
    for (const m of changes) {
      const e = decodeEvent(m.value).event as PriceChanged;
      expect(e.changes.every((c) => c.tier === null && c.change === null)).toBe(true);
    }
  });

  it('v1 observations land as the v2 run’s rows: same v1 columns, v2 columns null, no structure', async () => {
    const [rowsV1, rowsV2] = await Promise.all([
      withClient(dbV1.url, observations),
      withClient(dbV2.url, observations),
    ]);
    // Same observations (key, instant) on both sides.
    expect([...rowsV1.keys()].sort()).toEqual([...rowsV2.keys()].sort());
    let withV2Data = 0;
    for (const [id, a] of rowsV1) {
      const b = rowsV2.get(id)!;
      for (const f of ['status', 'unavailable_reason', 'source_url', 'snapshot_date'])
        expect(a[f], f).toEqual(b[f]);
      for (const d of V1_COLUMNS) {
        // v1 wrote a per-token image price into `image`; v2 keeps it apart as image_token.
        const want = d === 'image' ? (b.image ?? b.image_token) : b[d];
        expect(a[d], `${id} ${d}`).toEqual(want);
      }
      for (const d of V2_COLUMNS) expect(a[d], `${id} ${d}`).toBeNull();
      expect([a.base, a.tiers, a.unregistered]).toEqual([[], [], []]);
      if (V2_COLUMNS.some((d) => b[d] !== null) || (b.tiers as unknown[]).length > 0) withV2Data++;
    }
    // The v2 run knows more than v1 could say (tiers, new dimensions): the test would be empty otherwise.
    expect(withV2Data).toBeGreaterThan(0);
  });

  it('v1 changes land with their dimension changes as published and null v2 fields', async () => {
    const published = v1Messages
      .filter((m) => m.name === 'PriceChanged')
      .map((m) => decodeEvent(m.value).event as PriceChanged);
    const rows = await withClient(
      dbV1.url,
      async (db) =>
        (
          await db.query<{
            event_id: string;
            kind: string;
            changes: unknown;
            expiration_date: string | null;
          }>('select event_id, kind, changes, expiration_date from price_changes')
        ).rows,
    );
    expect(rows.length).toBe(published.length);
    const byId = new Map(rows.map((r) => [r.event_id, r]));
    for (const e of published) {
      const r = byId.get(e.event_id)!;
      expect(r.kind).toBe(e.kind);
      expect(r.changes).toEqual(e.changes);
      expect(r.expiration_date).toBeNull();
    }
  });

  it("v1 observations have no content hash (their bytes carry none, none is invented); the current run's all do", async () => {
    const hashes = (url: string) =>
      withClient(url, async (db) =>
        (await db.query<{ h: string | null }>('select content_hash as h from price_observations')).rows.map(
          (r) => r.h,
        ),
      );
    const [v1, v2] = await Promise.all([hashes(dbV1.url), hashes(dbV2.url)]);
    expect(v1.length).toBeGreaterThan(100);
    expect(v1.every((h) => h === null)).toBe(true);
    expect(v2.length).toBe(v1.length);
    expect(v2.every((h) => h !== null && /^[0-9a-f]{64}$/.test(h))).toBe(true);
  });
});
