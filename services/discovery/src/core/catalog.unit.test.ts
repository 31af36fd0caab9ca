import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { sharedData } from '@llmpt/core/paths';
import { eventId } from '@llmpt/schemas';
import { describe, expect, it } from 'vitest';
import { createBlocklist, emptyBlocklist } from './blocklist.ts';
import { catalogSnapshotOf, catalogVerdict } from './catalog.ts';
import { discoverModels, parseModelsResponse, type ModelsList } from './discover.ts';

const modelsDir = sharedData('openrouter', 'models');
const readJson = (file: string): unknown => JSON.parse(readFileSync(path.join(modelsDir, file), 'utf8'));

const FETCHED_AT = Date.UTC(2026, 7, 19, 6, 0, 0);
const MODELS_URL = 'https://openrouter.ai/api/v1/models';
const ctx = { runId: 'run-1', fetchedAt: FETCHED_AT, sourceUrl: MODELS_URL };

function snapshotOfFile(file: string, sourceUrl = MODELS_URL, blocklist = emptyBlocklist) {
  const list = parseModelsResponse(readJson(file));
  const result = discoverModels(list.entries, { ...ctx, sourceUrl, blocklist });
  return { list, result, snapshot: catalogSnapshotOf(list, result, { ...ctx, sourceUrl }) };
}

const entry = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: id,
  pricing: { prompt: '0.000001', completion: '0.000002' },
  ...extra,
});

// The files fetched with a filter (docs/data-sources.md §2): diffed with a full catalog they look like mass
// removals. Their envelope does not say so; only the request URL did.
const FILTERED = new Set([
  'openrouter_models_tools-filter_wikiarena_2025-07-20.json',
  'openrouter_models_tools-filter_wikiarena_2025-07-29.json',
]);

describe('catalogSnapshotOf over every recorded snapshot', () => {
  const files = readdirSync(modelsDir).filter((f) => f.endsWith('.json') && !FILTERED.has(f));

  it.each(files)('%s: every listed id once, sorted', (file) => {
    const { list, snapshot } = snapshotOfFile(file);
    const ids = list.entries.map((e) => (e as { id: string }).id);
    expect(snapshot?.model_ids).toHaveLength(new Set(ids).size);
    expect(snapshot?.model_ids).toEqual([...new Set(ids)].sort());
    expect(snapshot?.snapshot_date).toBe('2026-08-19');
  });

  it('counts 336 models on 2026-08-01 (total_count agrees) and lists the 5 with an expiration_date', () => {
    const { snapshot } = snapshotOfFile('openrouter_models_token-tariff_2026-08-01.json');
    expect(snapshot?.model_ids).toHaveLength(336);
    expect(snapshot?.expirations).toHaveLength(5);
    expect(snapshot?.expirations).toContainEqual({
      model_id: 'openai/gpt-5.3-chat',
      expiration_date: '2026-08-10',
    });
    // The far-future sentinel is kept as published: the normalizer decides what it means.
    expect(snapshot?.expirations).toContainEqual({
      model_id: 'z-ai/glm-5-turbo',
      expiration_date: '2098-12-31',
    });
    const ids = snapshot?.expirations.map((e) => e.model_id) ?? [];
    expect(ids).toEqual([...ids].sort());
  });

  it('gives a deterministic id over (source, day, ids): a same-day re-run is the same snapshot', () => {
    const a = snapshotOfFile('openrouter_models_unified-llm-pricing_2026-08-19.json').snapshot;
    const { list, result } = snapshotOfFile('openrouter_models_unified-llm-pricing_2026-08-19.json');
    const again = catalogSnapshotOf(list, result, {
      ...ctx,
      runId: 'run-2',
      fetchedAt: FETCHED_AT + 3_600_000,
    });
    expect(a?.model_ids).toHaveLength(414);
    expect(again?.event_id).toBe(a?.event_id);
    expect(again?.run_id).toBe('run-2');
    expect(a?.event_id).toBe(eventId('CatalogSnapshot', MODELS_URL, '2026-08-19', ...(a?.model_ids ?? [])));
  });
});

describe('catalogSnapshotOf publishes nothing for a list that is not the whole catalog', () => {
  it.each([...FILTERED])('%s fetched with ?supported_parameters=tools: no snapshot', (file) => {
    const { snapshot, result } = snapshotOfFile(file, `${MODELS_URL}?supported_parameters=tools`);
    expect(result.events.length).toBeGreaterThan(100);
    expect(snapshot).toBeNull();
  });

  it.each([
    `${MODELS_URL}?supported_parameters=tools`,
    `${MODELS_URL}?output_modalities=all`,
    `${MODELS_URL}?category=programming#top`,
  ])('any query on the request is a filter: %s', (url) => {
    const list: ModelsList = { entries: [entry('a/b')], totalCount: null };
    expect(catalogVerdict(list, url)).toMatchObject({ complete: false, reason: 'FILTERED_REQUEST' });
  });

  it('a total_count that disagrees with the entries (a truncated or paged answer): no snapshot', () => {
    const list: ModelsList = { entries: [entry('a/one'), entry('a/two')], totalCount: 3 };
    const result = discoverModels(list.entries, { ...ctx, blocklist: emptyBlocklist });
    expect(catalogVerdict(list, MODELS_URL)).toMatchObject({
      complete: false,
      reason: 'TOTAL_COUNT_MISMATCH',
    });
    expect(catalogSnapshotOf(list, result, ctx)).toBeNull();
    expect(catalogSnapshotOf({ ...list, totalCount: 2 }, result, ctx)?.model_ids).toEqual(['a/one', 'a/two']);
  });

  it('an empty list is an outage, not a catalog every model left', () => {
    const list: ModelsList = { entries: [], totalCount: 0 };
    const result = discoverModels([], { ...ctx, blocklist: emptyBlocklist });
    expect(catalogVerdict(list, MODELS_URL)).toMatchObject({ complete: false, reason: 'EMPTY_CATALOG' });
    expect(catalogSnapshotOf(list, result, ctx)).toBeNull();
  });
});

describe('catalogSnapshotOf ids and expirations', () => {
  const entries = [
    entry('b/model', { expiration_date: '2026-09-01' }),
    entry('a/model', { expiration_date: null }),
    entry('c/unreadable', { pricing: 'n/a' }),
    entry('b/model', { name: 'duplicate' }),
    entry('fake-provider/x', { expiration_date: '2026-09-01' }),
    entry('d/odd-expiry', { expiration_date: 20260901 }),
    { name: 'no id at all', pricing: {} },
  ];
  const blocklist = createBlocklist({ globs: ['fake-provider/*'] });
  const list: ModelsList = { entries, totalCount: null };
  const result = discoverModels(entries, { ...ctx, blocklist });
  const snapshot = catalogSnapshotOf(list, result, ctx);

  it('lists every readable id once, blocked ids excluded, a rejected entry included (its model is still listed)', () => {
    expect(result.rejected.map((r) => r.code)).toEqual(['INVALID_ENTRY', 'DUPLICATE_ID', 'INVALID_ENTRY']);
    expect(snapshot?.model_ids).toEqual(['a/model', 'b/model', 'c/unreadable', 'd/odd-expiry']);
  });

  it('keeps expiration_date as a published string; null or another type is no expiration', () => {
    expect(result.events.map((e) => [e.model_id, e.expiration_date])).toEqual([
      ['b/model', '2026-09-01'],
      ['a/model', null],
      ['d/odd-expiry', null],
    ]);
    expect(snapshot?.expirations).toEqual([{ model_id: 'b/model', expiration_date: '2026-09-01' }]);
  });

  it('carries the run, the source and the clock it was given', () => {
    const at = catalogSnapshotOf(list, result, { ...ctx, occurredAt: FETCHED_AT + 5 });
    expect(at).toMatchObject({
      run_id: 'run-1',
      caused_by: null,
      source_url: MODELS_URL,
      fetched_at: FETCHED_AT,
      occurred_at: FETCHED_AT + 5,
    });
  });
});
