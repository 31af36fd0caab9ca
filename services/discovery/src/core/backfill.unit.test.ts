// Oracle: docs/design.md "Backfill" (time grammar, refusal, order, events of a live run at the
// capture time, ids stable across runs). Expected values are written from the rules, not the code.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedData } from '@llmpt/core/paths';
import { contentHash, eventId, priceKey } from '@llmpt/schemas';
import { describe, expect, it } from 'vitest';
import {
  apiBaseOf,
  backfillEvents,
  backfillRunId,
  backfillTotals,
  captureKindOf,
  captureTimeOf,
  parseManifest,
  parseManifestTime,
  planBackfill,
  timeFromFileName,
  type ArchiveFile,
} from './backfill.ts';
import { createBlocklist, emptyBlocklist } from './blocklist.ts';

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const URL = 'https://openrouter.ai/api/v1/models';
const enc = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v), 'utf8');

const entry = (id: string, prompt: string) => ({
  id,
  name: id,
  pricing: { prompt, completion: '0.00001' },
});

describe('capture time from the file name', () => {
  it('reads YYYYMMDD-HHMM, YYYY-MM-DDTHH:MM and YYYY-MM-DD as UTC', () => {
    expect(timeFromFileName('skissue_20260303-0105_d04372e9.json')).toBe(Date.UTC(2026, 2, 3, 1, 5));
    expect(timeFromFileName('dir/models_2026-03-04T06:30.json')).toBe(Date.UTC(2026, 2, 4, 6, 30));
    expect(timeFromFileName('openrouter_models_2026-05-07.json')).toBe(Date.UTC(2026, 4, 7));
  });

  it('uses the base name only and needs non-digits around the stamp', () => {
    expect(timeFromFileName('2026-01-01/models.json')).toBeNull();
    expect(timeFromFileName('x120260303-0105.json')).toBeNull();
    expect(timeFromFileName('models.json')).toBeNull();
  });

  it('refuses dates and times that do not exist', () => {
    expect(timeFromFileName('s_20260230-0100.json')).toBeNull();
    expect(timeFromFileName('s_20260301-2460.json')).toBeNull();
    expect(timeFromFileName('s_2026-13-01.json')).toBeNull();
  });
});

describe('capture time from the manifest', () => {
  it('reads ISO times with Z or an offset, and dates as UTC midnight', () => {
    expect(parseManifestTime('2026-03-03T00:00:00Z')).toBe(Date.UTC(2026, 2, 3));
    expect(parseManifestTime('2026-03-03T02:00+02:00')).toBe(Date.UTC(2026, 2, 3));
    expect(parseManifestTime('2026-03-02T22:30:00.500-01:30')).toBe(Date.UTC(2026, 2, 3, 0, 0, 0, 500));
    expect(parseManifestTime('2026-03-03')).toBe(Date.UTC(2026, 2, 3));
  });

  it('refuses a time without a zone, other formats and impossible dates', () => {
    expect(parseManifestTime('2026-03-03T00:00:00')).toBeNull();
    expect(parseManifestTime('March 3, 2026')).toBeNull();
    expect(parseManifestTime('2026-02-29')).toBeNull();
    expect(parseManifestTime('')).toBeNull();
  });

  it('wins over the name; matches by path, then base name', () => {
    const m = parseManifest(
      JSON.stringify({ 'a/s_20260303-0105.json': '2026-01-01', 'b.json': '2026-01-02' }),
    );
    expect(captureTimeOf('a/s_20260303-0105.json', m)).toEqual({ time: Date.UTC(2026, 0, 1) });
    expect(captureTimeOf('deep/b.json', m)).toEqual({ time: Date.UTC(2026, 0, 2) });
    expect(captureTimeOf('c_2026-01-03.json', m)).toEqual({ time: Date.UTC(2026, 0, 3) });
  });

  it('a bad manifest entry is a refusal naming the value, not a fall-back to the name', () => {
    const m = parseManifest(JSON.stringify({ 's_20260303-0105.json': 'yesterday' }));
    const r = captureTimeOf('s_20260303-0105.json', m);
    expect('reason' in r && r.reason).toContain('"yesterday"');
  });

  it('refuses a manifest that is not an object of strings', () => {
    expect(() => parseManifest('[]')).toThrow(/object/);
    expect(() => parseManifest('{"a.json": 5}')).toThrow(/a\.json/);
    expect(() => parseManifest('{')).toThrow(/not JSON/);
  });
});

describe('planBackfill', () => {
  const day = (d: number, models: unknown): ArchiveFile => ({
    path: `s_202603${String(d).padStart(2, '0')}-0000.json`,
    bytes: enc(models),
  });

  it('orders files by capture time (then path), whatever their order in the archive', () => {
    const files = [
      day(5, [entry('a/x', '1')]),
      { path: 'z/m_2026-03-01.json', bytes: enc([entry('a/x', '1')]) },
      day(3, { data: [entry('a/x', '1')] }),
      { path: 'a/m_2026-03-01.json', bytes: enc([entry('a/x', '1')]) },
    ];
    const plan = planBackfill(files, null, NOW);
    expect(plan.refused).toEqual([]);
    expect(plan.files.map((f) => f.path)).toEqual([
      'a/m_2026-03-01.json',
      'z/m_2026-03-01.json',
      's_20260303-0000.json',
      's_20260305-0000.json',
    ]);
  });

  it('accepts both the {data} envelope and a bare array', () => {
    const plan = planBackfill(
      [day(1, { data: [entry('a/x', '1')], total_count: 1 }), day(2, [entry('a/x', '1')])],
      null,
      NOW,
    );
    expect(plan.files.map((f) => f.list.entries.length)).toEqual([1, 1]);
    expect(plan.files[0]!.list.totalCount).toBe(1);
  });

  it('refuses, naming each file: no time, a future time, not a models list; skips the manifest and non-JSON', () => {
    const plan = planBackfill(
      [
        day(1, [entry('a/x', '1')]),
        { path: 'models.json', bytes: enc([]) },
        { path: 's_2026-12-06T12:01.json', bytes: enc([]) },
        { path: 's_2026-12-06T12:00.json', bytes: enc([entry('a/x', '1')]) },
        { path: 's_2026-03-02.json', bytes: enc({ models: [] }) },
        { path: 's_2026-03-03.json', bytes: Buffer.from('not json') },
        { path: 'manifest.json', bytes: enc({}) },
        { path: 'README.txt', bytes: Buffer.from('x') },
      ],
      null,
      NOW,
    );
    expect(plan.refused.map((r) => r.path)).toEqual([
      'models.json',
      's_2026-03-02.json',
      's_2026-03-03.json',
      's_2026-12-06T12:01.json',
    ]);
    expect(plan.refused[0]!.reason).toMatch(/no capture time/);
    expect(plan.refused[3]!.reason).toMatch(/future/);
    expect(plan.refused[1]!.reason).toMatch(/not a \/models response/);
    // A time equal to now is not in the future.
    expect(plan.files.map((f) => f.path)).toEqual(['s_20260301-0000.json', 's_2026-12-06T12:00.json']);
  });
});

describe('backfillEvents', () => {
  const file = (name: string, models: unknown) =>
    planBackfill([{ path: name, bytes: enc(models) }], null, NOW).files[0]!;

  it('stamps every event with the capture time and marks ModelDiscovered as backfilled', () => {
    const f = file('s_20260303-0105_x.json', [entry('a/x', '0.000001'), entry('b/y', '0.000002')]);
    const e = backfillEvents(f, { sourceUrl: URL, blocklist: emptyBlocklist });
    const t = Date.UTC(2026, 2, 3, 1, 5);
    expect(e.discovered.map((d) => [d.model_id, d.fetched_at, d.occurred_at, d.backfill, d.run_id])).toEqual([
      ['a/x', t, t, true, e.runId],
      ['b/y', t, t, true, e.runId],
    ]);
    expect(e.snapshot).not.toBeNull();
    expect(e.snapshot!.fetched_at).toBe(t);
    expect(e.snapshot!.occurred_at).toBe(t);
    expect(e.snapshot!.snapshot_date).toBe('2026-03-03');
    expect(e.snapshot!.model_ids).toEqual(['a/x', 'b/y']);
    expect(e.snapshot!.event_id).toBe(eventId('CatalogSnapshot', URL, '2026-03-03', 'a/x', 'b/y'));
  });

  it('gives the same ids on every run, and a run id from the capture time and the content', () => {
    const models = [entry('a/x', '0.000001')];
    const a = backfillEvents(file('s_20260303-0105.json', models), {
      sourceUrl: URL,
      blocklist: emptyBlocklist,
    });
    const b = backfillEvents(file('other_20260303-0105.json', models), {
      sourceUrl: URL,
      blocklist: emptyBlocklist,
    });
    expect(b).toEqual(a);
    expect(a.runId).toMatch(/^backfill-2026-03-03T01:05:00Z-[0-9a-f]{8}$/);
    const later = backfillEvents(file('s_20260304-0105.json', models), {
      sourceUrl: URL,
      blocklist: emptyBlocklist,
    });
    expect(later.runId).not.toBe(a.runId);
    // The next day's identical listing is a new fact (the day is in the id), as for a live run.
    expect(later.discovered[0]!.event_id).not.toBe(a.discovered[0]!.event_id);
  });

  it('publishes no snapshot for an incomplete list and dead-letters bad entries at the capture time', () => {
    const f = file('s_20260303-0000.json', { data: [entry('a/x', '1'), { id: 'b/y' }], total_count: 5 });
    const e = backfillEvents(f, { sourceUrl: URL, blocklist: emptyBlocklist });
    expect(e.snapshot).toBeNull();
    expect(e.deadLetters.map((d) => [d.occurred_at, d.run_id])).toEqual([[Date.UTC(2026, 2, 3), e.runId]]);
  });

  it('counts files, UTC days, distinct models and events', () => {
    const plan = planBackfill(
      [
        { path: 's_20260303-0000.json', bytes: enc([entry('a/x', '1')]) },
        { path: 's_20260303-1200.json', bytes: enc([entry('a/x', '1'), entry('b/y', '1')]) },
        { path: 's_20260304-0000.json', bytes: enc([entry('b/y', '1'), { id: 'c/z' }]) },
      ],
      null,
      NOW,
    );
    const perFile = plan.files.map((f) => ({
      file: f,
      events: backfillEvents(f, { sourceUrl: URL, blocklist: emptyBlocklist }),
    }));
    // 1+1 snapshot, 2+1, 1 + 1 snapshot + 1 dead letter
    expect(backfillTotals(perFile, 0)).toEqual({
      files: 3,
      days: 2,
      models: 2,
      endpoints: 0,
      providers: 0,
      events: 8,
      refused: 0,
    });
  });
});

describe('the 63-day series', () => {
  it('every member has a time from its name, in order, the first {data}, the rest arrays', () => {
    // Read from the shared folder copy of two members (the archive itself is read by the int test).
    const dir = sharedData('openrouter', 'models');
    const files = [
      'openrouter_models_skissue_2026-02-27_raw.json',
      'openrouter_models_skissue_2026-03-03_data-array.json',
    ];
    const plan = planBackfill(
      files.map((f) => ({ path: f, bytes: readFileSync(path.join(dir, f)) })),
      null,
      NOW,
    );
    expect(plan.refused).toEqual([]);
    expect(plan.files.map((f) => [f.capturedAt, f.list.entries.length])).toEqual([
      [Date.UTC(2026, 1, 27), 344],
      [Date.UTC(2026, 2, 3), 342],
    ]);
    expect(backfillRunId(plan.files[0]!)).toMatch(/^backfill-2026-02-27T00:00:00Z-/);
  });
});

// docs/design.md "Backfill": optional /endpoints and /providers captures, each with its own time,
// published with the /models capture they follow, as the live scraper and discovery would.
describe('/endpoints and /providers captures', () => {
  const endpointsOf = (id: string, endpoints: unknown[]) => ({
    data: { id, name: id, created: 1, description: null, architecture: null, endpoints },
  });
  const endpoint = (tag: string, prompt: string) => ({
    provider_name: tag,
    tag,
    pricing: { prompt, completion: '0.00001' },
    context_length: 1000,
  });
  const providers = {
    data: [{ name: 'DeepInfra', slug: 'deepinfra' }, { name: 'no slug here' }],
  };
  const ctx = { sourceUrl: URL, blocklist: emptyBlocklist };

  it('tells the kinds apart: /endpoints by shape, /providers by name, else /models', () => {
    expect(captureKindOf('x_2026-03-03.json', endpointsOf('a/x', []))).toBe('endpoints');
    expect(captureKindOf('d/openrouter_providers_2026-03-03.json', providers)).toBe('providers');
    expect(captureKindOf('d/openrouter_models_2026-03-03.json', providers)).toBe('models');
    expect(captureKindOf('models_2026-03-03.json', { data: [entry('a/x', '1')] })).toBe('models');
  });

  it('attaches each capture to the latest /models capture at or before it, in time order', () => {
    const plan = planBackfill(
      [
        { path: 'm_2026-03-01.json', bytes: enc([entry('a/x', '1'), entry('b/y', '1')]) },
        { path: 'm_2026-03-03.json', bytes: enc([entry('a/x', '1')]) },
        { path: 'e/a_2026-03-02T10:00.json', bytes: enc(endpointsOf('a/x', [])) },
        { path: 'e/b_2026-03-01T09:00.json', bytes: enc(endpointsOf('b/y', [])) },
        { path: 'e/a_2026-03-01.json', bytes: enc(endpointsOf('a/x', [])) },
        { path: 'e/a_2026-03-03T00:00.json', bytes: enc(endpointsOf('a/x', [])) },
        { path: 'p/providers_2026-03-03T06:00.json', bytes: enc(providers) },
      ],
      null,
      NOW,
    );
    expect(plan.refused).toEqual([]);
    expect(
      plan.files.map((f) => [f.path, f.endpoints.map((e) => e.path), f.providers.map((p) => p.path)]),
    ).toEqual([
      [
        'm_2026-03-01.json',
        ['e/a_2026-03-01.json', 'e/b_2026-03-01T09:00.json', 'e/a_2026-03-02T10:00.json'],
        [],
      ],
      ['m_2026-03-03.json', ['e/a_2026-03-03T00:00.json'], ['p/providers_2026-03-03T06:00.json']],
    ]);
    expect(plan.files[0]!.endpoints.map((e) => [e.modelId, e.capturedAt])).toEqual([
      ['a/x', Date.UTC(2026, 2, 1)],
      ['b/y', Date.UTC(2026, 2, 1, 9)],
      ['a/x', Date.UTC(2026, 2, 2, 10)],
    ]);
  });

  it('refuses a capture before any /models capture, one whose model the capture it follows does not list, and bad content', () => {
    const plan = planBackfill(
      [
        { path: 'm_2026-03-02.json', bytes: enc([entry('a/x', '1')]) },
        { path: 'early_2026-03-01.json', bytes: enc(endpointsOf('a/x', [])) },
        { path: 'providers_2026-03-01.json', bytes: enc(providers) },
        { path: 'other_2026-03-02.json', bytes: enc(endpointsOf('b/y', [])) },
        { path: 'noid_2026-03-02.json', bytes: enc({ data: { endpoints: [] } }) },
        { path: 'providers_2026-03-02.json', bytes: enc({ providers: [] }) },
      ],
      null,
      NOW,
    );
    expect(plan.refused.map((r) => r.path)).toEqual([
      'early_2026-03-01.json',
      'noid_2026-03-02.json',
      'other_2026-03-02.json',
      'providers_2026-03-01.json',
      'providers_2026-03-02.json',
    ]);
    const reason = (p: string) => plan.refused.find((r) => r.path === p)!.reason;
    expect(reason('early_2026-03-01.json')).toMatch(
      /no \/models capture at or before 2026-03-01T00:00:00.000Z/,
    );
    expect(reason('other_2026-03-02.json')).toMatch(/b\/y is not in m_2026-03-02\.json/);
    expect(reason('noid_2026-03-02.json')).toMatch(/data\.id/);
    expect(reason('providers_2026-03-02.json')).toMatch(/not a \/providers response/);
  });

  it('matches an /endpoints capture by canonical slug too', () => {
    const m = { ...entry('a/x', '1'), canonical_slug: 'a/x-20260301' };
    const plan = planBackfill(
      [
        { path: 'm_2026-03-01.json', bytes: enc([m]) },
        { path: 'e_2026-03-01.json', bytes: enc(endpointsOf('a/x-20260301', [endpoint('p1', '0.000001')])) },
      ],
      null,
      NOW,
    );
    expect(plan.refused).toEqual([]);
    const e = backfillEvents(plan.files[0]!, ctx);
    expect(e.observations.map((o) => [o.model_id, o.provider, o.source_url])).toEqual([
      ['a/x', 'p1', 'https://openrouter.ai/api/v1/models/a/x-20260301/endpoints'],
    ]);
  });

  it("an /endpoints capture gives the live scraper's per-provider observations, at its own time, marked backfill", () => {
    const body = endpointsOf('a/x', [
      endpoint('p1', '0.000001'),
      endpoint('p2', '0.000002'),
      { provider_name: 'bad', tag: 'bad', pricing: { prompt: '1' } },
    ]);
    const bytes = enc(body);
    const plan = planBackfill(
      [
        { path: 'm_2026-03-01.json', bytes: enc([entry('a/x', '0.000001'), entry('b/y', '1')]) },
        { path: 'e_2026-03-01T00:10.json', bytes },
      ],
      null,
      NOW,
    );
    const e = backfillEvents(plan.files[0]!, ctx);
    const md = e.discovered.find((d) => d.model_id === 'a/x')!;
    const t = Date.UTC(2026, 2, 1, 0, 10);
    const hash = contentHash(bytes);
    expect(
      e.observations.map((o) => [
        o.event_id,
        o.source_type,
        o.provider,
        o.fetched_at,
        o.occurred_at,
        o.run_id,
        o.caused_by,
        o.backfill,
        o.content_hash,
        o.source_url,
        o.status,
        o.components.map((c) => [c.dimension, c.raw_value, c.unit, c.tier]),
      ]),
    ).toEqual(
      [
        ['p1', '0.000001'],
        ['p2', '0.000002'],
      ].map(([p, prompt]) => [
        eventId('RawPriceObserved', priceKey('a/x', p!, 'openrouter_endpoints'), hash, md.event_id),
        'openrouter_endpoints',
        p,
        t,
        t,
        e.runId,
        md.event_id,
        true,
        hash,
        'https://openrouter.ai/api/v1/models/a/x/endpoints',
        'ok',
        [
          ['prompt', prompt, 'per_token', null],
          ['completion', '0.00001', 'per_token', null],
        ],
      ]),
    );
    // The endpoint without a completion price is dead-lettered at the capture's time, the file's run.
    expect(e.deadLetters.map((d) => [d.error_code, d.occurred_at, d.run_id, d.source_url])).toEqual([
      ['INVALID_ENDPOINT', t, e.runId, 'https://openrouter.ai/api/v1/models/a/x/endpoints'],
    ]);
    // ModelDiscovered 2 + observations 2 + snapshot 1 + dead letter 1
    expect(backfillTotals([{ file: plan.files[0]!, events: e }], 0)).toMatchObject({
      files: 1,
      endpoints: 1,
      providers: 0,
      events: 6,
    });
  });

  it('publishes nothing for a capture of a model the run did not discover (blocklisted)', () => {
    const plan = planBackfill(
      [
        { path: 'm_2026-03-01.json', bytes: enc([entry('a/x', '1'), entry('b/y', '1')]) },
        { path: 'e_2026-03-01.json', bytes: enc(endpointsOf('b/y', [endpoint('p1', '0.000001')])) },
      ],
      null,
      NOW,
    );
    const e = backfillEvents(plan.files[0]!, {
      sourceUrl: URL,
      blocklist: createBlocklist({ ids: ['b/y'] }),
    });
    expect(e.observations).toEqual([]);
    expect(e.unmatched).toEqual(['e_2026-03-01.json']);
  });

  it("a /providers capture gives discovery's ProviderDiscovered at its own time; bad entries dead-lettered", () => {
    const plan = planBackfill(
      [
        { path: 'm_2026-03-01.json', bytes: enc([entry('a/x', '1')]) },
        { path: 'providers_2026-03-01T05:00.json', bytes: enc(providers) },
      ],
      null,
      NOW,
    );
    const e = backfillEvents(plan.files[0]!, ctx);
    const t = Date.UTC(2026, 2, 1, 5);
    expect(e.providers.map((p) => [p.slug, p.fetched_at, p.run_id, p.source_url])).toEqual([
      ['deepinfra', t, e.runId, 'https://openrouter.ai/api/v1/providers'],
    ]);
    expect(e.deadLetters.map((d) => [d.error_code, d.source_url])).toEqual([
      ['INVALID_ENTRY', 'https://openrouter.ai/api/v1/providers'],
    ]);
  });

  it('the API root is the source URL without /models, or its origin', () => {
    expect(apiBaseOf('https://openrouter.ai/api/v1/models')).toBe('https://openrouter.ai/api/v1');
    expect(apiBaseOf('https://mirror.example/api/v1/models/')).toBe('https://mirror.example/api/v1');
    expect(apiBaseOf('https://mirror.example/snapshot.json')).toBe('https://mirror.example');
  });
});
