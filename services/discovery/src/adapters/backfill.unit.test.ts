import { createLogger } from '@llmpt/runtime';
import { decodeEvent } from '@llmpt/schemas';
import { describe, expect, it } from 'vitest';
import { emptyBlocklist } from '../core/blocklist.ts';
import { runBackfill } from './backfill.ts';
import type { BackfillSource } from './backfill-source.ts';

// docs/design.md "Backfill": validate everything first (one refusal: nothing published), then publish
// file after file in capture-time order, each file's ModelDiscovered before its CatalogSnapshot.
const logger = createLogger({ service: 'test', level: 'silent' });
const NOW = Date.UTC(2026, 11, 6);
const enc = (v: unknown) => Buffer.from(JSON.stringify(v));
const entry = (id: string) => ({ id, name: id, pricing: { prompt: '0.000001', completion: '0.000002' } });

function recorder() {
  const sent: { topic: string; names: string[]; fetchedAt: number[] }[] = [];
  return {
    sent,
    producer: {
      send: (r: { topic: string; messages: { value: Buffer | string | null }[] }) => {
        const decoded = r.messages.map((m) => decodeEvent(m.value as Buffer));
        sent.push({
          topic: r.topic,
          names: decoded.map((d) => d.name),
          fetchedAt: decoded.map((d) => ('fetched_at' in d.event ? d.event.fetched_at : -1)),
        });
        return Promise.resolve([]);
      },
    },
  };
}

const run = (
  source: BackfillSource,
  producer: ReturnType<typeof recorder>['producer'] | null,
  extra: { newestFirst?: boolean } = {},
) => {
  const lines: string[] = [];
  return runBackfill({
    source,
    sourceUrl: 'https://openrouter.ai/api/v1/models',
    blocklist: emptyBlocklist,
    producer: producer,
    topicPrefix: 't.',
    now: NOW,
    logger,
    progress: (l) => lines.push(l),
    ...extra,
  }).then((outcome) => ({ outcome, lines }));
};

describe('runBackfill', () => {
  const good: BackfillSource = {
    manifest: null,
    files: [
      { path: 's_2026-03-02.json', bytes: enc([entry('a/x'), entry('b/y')]) },
      { path: 's_2026-03-01.json', bytes: enc({ data: [entry('a/x')] }) },
    ],
  };

  it('publishes in capture-time order, each file ModelDiscovered then CatalogSnapshot', async () => {
    const r = recorder();
    const { outcome, lines } = await run(good, r.producer);
    expect(outcome.published).toBe(true);
    const d1 = Date.UTC(2026, 2, 1);
    const d2 = Date.UTC(2026, 2, 2);
    expect(r.sent).toEqual([
      { topic: 't.pricing.model-discovered.v1', names: ['ModelDiscovered'], fetchedAt: [d1] },
      { topic: 't.pricing.catalog-snapshot.v1', names: ['CatalogSnapshot'], fetchedAt: [d1] },
      {
        topic: 't.pricing.model-discovered.v1',
        names: ['ModelDiscovered', 'ModelDiscovered'],
        fetchedAt: [d2, d2],
      },
      { topic: 't.pricing.catalog-snapshot.v1', names: ['CatalogSnapshot'], fetchedAt: [d2] },
    ]);
    expect(lines.map((l) => l.slice(0, 24))).toEqual([
      '[1/2] s_2026-03-01.json ',
      '[2/2] s_2026-03-02.json ',
    ]);
    expect(outcome.totals).toEqual({
      files: 2,
      days: 2,
      models: 2,
      endpoints: 0,
      providers: 0,
      events: 5,
      refused: 0,
    });
  });

  it('--newest-first publishes the same files newest capture first, each still models then snapshot', async () => {
    const r = recorder();
    const { outcome, lines } = await run(good, r.producer, { newestFirst: true });
    expect(outcome.published).toBe(true);
    const d1 = Date.UTC(2026, 2, 1);
    const d2 = Date.UTC(2026, 2, 2);
    expect(r.sent.map((s) => [s.topic.slice(10, 15), s.fetchedAt[0]])).toEqual([
      ['model', d2],
      ['catal', d2],
      ['model', d1],
      ['catal', d1],
    ]);
    expect(lines.map((l) => l.slice(0, 24))).toEqual([
      '[1/2] s_2026-03-02.json ',
      '[2/2] s_2026-03-01.json ',
    ]);
  });

  it('publishes nothing when one file is refused, and names it', async () => {
    const r = recorder();
    const bad = { ...good, files: [...good.files, { path: 'undated.json', bytes: enc([]) }] };
    const { outcome, lines } = await run(bad, r.producer);
    expect(outcome.published).toBe(false);
    expect(r.sent).toEqual([]);
    expect(lines).toEqual([expect.stringMatching(/^refused undated\.json: no capture time/)]);
  });

  it('a dry run publishes nothing and counts the same', async () => {
    const { outcome, lines } = await run(good, null);
    expect(outcome.published).toBe(false);
    expect(outcome.totals.events).toBe(5);
    expect(lines).toHaveLength(2);
  });

  it('skips a file whose CatalogSnapshot is already in the topic, publishes the rest in order', async () => {
    const first = recorder();
    await run(good, first.producer);
    const r = recorder();
    const lines: string[] = [];
    const planned = await runBackfill({
      source: good,
      sourceUrl: 'https://openrouter.ai/api/v1/models',
      blocklist: emptyBlocklist,
      producer: null,
      topicPrefix: 't.',
      now: NOW,
      logger,
      progress: () => undefined,
    });
    const day1Snapshot = planned.plan.files[0]!;
    expect(day1Snapshot.path).toBe('s_2026-03-01.json');
    const { backfillEvents } = await import('../core/backfill.ts');
    const id = backfillEvents(day1Snapshot, {
      sourceUrl: 'https://openrouter.ai/api/v1/models',
      blocklist: emptyBlocklist,
    }).snapshot!.event_id;
    const outcome = await runBackfill({
      source: good,
      sourceUrl: 'https://openrouter.ai/api/v1/models',
      blocklist: emptyBlocklist,
      producer: r.producer,
      topicPrefix: 't.',
      now: NOW,
      logger,
      progress: (l) => lines.push(l),
      publishedSnapshots: new Set([id]),
    });
    expect(outcome.skipped).toBe(1);
    expect(r.sent).toEqual(first.sent.slice(2));
    expect(lines[0]).toMatch(/^\[1\/2\] s_2026-03-01\.json already published/);
  });

  it('waits for the stages after each file: its observations before its snapshot, then the snapshot', async () => {
    const log: string[] = [];
    const r = recorder();
    const producer = {
      send: (x: Parameters<typeof r.producer.send>[0]) => {
        log.push(`send ${x.topic}`);
        return r.producer.send(x);
      },
    };
    await runBackfill({
      source: good,
      sourceUrl: 'https://openrouter.ai/api/v1/models',
      blocklist: emptyBlocklist,
      producer: producer,
      topicPrefix: 't.',
      now: NOW,
      logger,
      progress: () => undefined,
      settle: (after) => {
        log.push(`settle ${after}`);
        return Promise.resolve();
      },
    });
    const file = [
      'send t.pricing.model-discovered.v1',
      'settle observations',
      'send t.pricing.catalog-snapshot.v1',
      'settle snapshot',
    ];
    expect(log).toEqual([...file, ...file]);
  });

  it("publishes a file's providers, models and per-provider observations before the wait, then its snapshot", async () => {
    const endpoints = {
      data: {
        id: 'a/x',
        endpoints: [
          { provider_name: 'P1', tag: 'p1', pricing: { prompt: '0.000001', completion: '0.000002' } },
        ],
      },
    };
    const source: BackfillSource = {
      manifest: new Map([
        ['models.json', '2026-03-01'],
        ['endpoints-a.json', '2026-03-01T00:01:00Z'],
        ['providers.json', '2026-03-01T00:00:30Z'],
      ]),
      files: [
        { path: 'models.json', bytes: enc([entry('a/x')]) },
        { path: 'endpoints-a.json', bytes: enc(endpoints) },
        { path: 'providers.json', bytes: enc({ data: [{ name: 'P1', slug: 'p1' }] }) },
      ],
    };
    const log: string[] = [];
    const r = recorder();
    const producer = {
      send: (x: Parameters<typeof r.producer.send>[0]) => {
        log.push(`send ${x.topic}`);
        return r.producer.send(x);
      },
    };
    const lines: string[] = [];
    const outcome = await runBackfill({
      source,
      sourceUrl: 'https://openrouter.ai/api/v1/models',
      blocklist: emptyBlocklist,
      producer,
      topicPrefix: 't.',
      now: NOW,
      logger,
      progress: (l) => lines.push(l),
      settle: (after) => {
        log.push(`settle ${after}`);
        return Promise.resolve();
      },
    });
    expect(log).toEqual([
      'send t.pricing.provider-discovered.v1',
      'send t.pricing.model-discovered.v1',
      'send t.pricing.raw-price-observed.v1',
      'settle observations',
      'send t.pricing.catalog-snapshot.v1',
      'settle snapshot',
    ]);
    const d = Date.UTC(2026, 2, 1);
    expect(r.sent.map((x) => x.fetchedAt)).toEqual([[d + 30_000], [d], [d + 60_000], [d]]);
    expect(outcome.totals).toMatchObject({ files: 1, endpoints: 1, providers: 1, events: 4 });
    expect(lines[0]).toMatch(/ models=1 endpoints=1 providers=1 snapshot=yes /);
  });
});
