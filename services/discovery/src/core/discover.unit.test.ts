import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { sharedData } from '@llmpt/core/paths';
import { contentHash, eventId } from '@llmpt/schemas';
import { describe, expect, it } from 'vitest';
import { PipelineError } from '@llmpt/core';
import { createBlocklist, emptyBlocklist } from './blocklist.ts';
import { canonicalJson, discoverModels, parseModelsResponse, utcDate } from './discover.ts';
import { DiscoveryError } from '../errors.ts';

const modelsDir = sharedData('openrouter', 'models');
const readJson = (file: string): unknown => JSON.parse(readFileSync(path.join(modelsDir, file), 'utf8'));

const FETCHED_AT = Date.UTC(2026, 7, 19, 6, 0, 0);
const ctx = {
  runId: 'run-1',
  fetchedAt: FETCHED_AT,
  sourceUrl: 'http://127.0.0.1:1/api/v1/models',
  blocklist: emptyBlocklist,
};

function discoverFile(file: string, overrides: Partial<typeof ctx> = {}) {
  const { entries } = parseModelsResponse(readJson(file));
  return discoverModels(entries, { ...ctx, ...overrides });
}

// Model counts as listed in docs/data-sources.md §2.
const expectedCounts: Record<string, number> = {
  'openrouter_models_madviking_2025-05-22.json': 319,
  'openrouter_models_madviking_2025-05-23.json': 321,
  'openrouter_models_tools-filter_wikiarena_2025-07-20.json': 147,
  'openrouter_models_tools-filter_wikiarena_2025-07-29.json': 151,
  'openrouter_models_obsidian-openchat_2025-11-10.json': 341,
  'openrouter_models_jetpack_2026-01-20.json': 258,
  'openrouter_models_skissue_2026-02-27_raw.json': 344,
  'openrouter_models_skissue_2026-03-03_data-array.json': 342,
  'openrouter_models_skissue_2026-03-04_data-array.json': 343,
  'openrouter_models_skissue_2026-03-17_data-array.json': 345,
  'openrouter_models_skissue_2026-03-18_data-array.json': 348,
  'openrouter_models_skissue_2026-04-01_data-array.json': 348,
  'openrouter_models_skissue_2026-04-17_data-array.json': 345,
  'openrouter_models_skissue_2026-04-18_data-array.json': 344,
  'openrouter_models_skissue_2026-04-19_data-array.json': 342,
  'openrouter_models_skissue_2026-05-01_data-array.json': 371,
  'openrouter_models_aiscanner_2026-05-07.json': 368,
  'openrouter_models_aiscanner_2026-05-18.json': 356,
  'openrouter_models_models-pie_2026-06-16.json': 337,
  'openrouter_models_token-tariff_2026-08-01.json': 336,
  'openrouter_models_unified-llm-pricing_2026-08-19.json': 414,
  'openrouter_models_output-modalities-all_unified-llm-pricing_2026-08-19.json': 549,
};

describe('parseModelsResponse', () => {
  it('accepts the {data,total_count,links} envelope and reads total_count', () => {
    const list = parseModelsResponse(
      readJson('openrouter_models_output-modalities-all_unified-llm-pricing_2026-08-19.json'),
    );
    expect(list.entries).toHaveLength(549);
    expect(list.totalCount).toBe(549);
  });

  it('accepts a bare top-level array', () => {
    const list = parseModelsResponse(readJson('openrouter_models_skissue_2026-03-03_data-array.json'));
    expect(list.entries).toHaveLength(342);
    expect(list.totalCount).toBeNull();
  });

  it.each([[null], [{}], [{ data: {} }], ['models'], [42]])('rejects %j with NOT_A_MODELS_LIST', (body) => {
    expect(() => parseModelsResponse(body)).toThrow(DiscoveryError);
    try {
      parseModelsResponse(body);
    } catch (error) {
      expect((error as DiscoveryError).code).toBe('NOT_A_MODELS_LIST');
      expect((error as DiscoveryError).retriable).toBe(false);
      expect(error).toBeInstanceOf(PipelineError);
      expect((error as DiscoveryError).name).toBe('DiscoveryError');
    }
  });
});

describe('discoverModels on every recorded snapshot', () => {
  const files = readdirSync(modelsDir).filter((f) => f.endsWith('.json'));

  it('knows every snapshot file in the data folder', () => {
    expect(files.sort()).toEqual(Object.keys(expectedCounts).sort());
  });

  it.each(files)('%s: one event per model, nothing rejected', (file) => {
    const result = discoverFile(file);
    expect(result.rejected).toEqual([]);
    expect(result.events).toHaveLength(expectedCounts[file] ?? -1);
    expect(new Set(result.events.map((e) => e.event_id)).size).toBe(result.events.length);
  });
});

describe('discoverModels field mapping', () => {
  it('maps the old May-2025 schema (no canonical_slug, zero-valued keys present)', () => {
    const { events } = discoverFile('openrouter_models_madviking_2025-05-22.json');
    expect(events.every((e) => e.canonical_slug === null)).toBe(true);
    const gpt4o = events.find((e) => e.model_id === 'openai/gpt-4o');
    expect(gpt4o).toMatchObject({
      name: 'OpenAI: GPT-4o',
      canonical_slug: null,
      created: 1715558400_000,
      context_length: 128000,
      architecture: {
        modality: 'text+image->text',
        input_modalities: ['text', 'image', 'file'],
        output_modalities: ['text'],
        tokenizer: 'GPT',
        instruct_type: null,
      },
      top_provider: { context_length: 128000, max_completion_tokens: 16384, is_moderated: true },
      pricing: {
        prompt: '0.0000025',
        completion: '0.00001',
        request: '0',
        image: '0.003613',
        web_search: '0',
        internal_reasoning: '0',
        input_cache_read: '0.00000125',
      },
      pricing_tiers: [],
      caused_by: null,
      run_id: 'run-1',
      occurred_at: FETCHED_AT,
      fetched_at: FETCHED_AT,
      source_url: 'http://127.0.0.1:1/api/v1/models',
    });
    expect(gpt4o?.supported_parameters).toContain('structured_outputs');
  });

  it('turns pricing.overrides into tiers: context tiers and time-of-day windows', () => {
    const { events } = discoverFile(
      'openrouter_models_output-modalities-all_unified-llm-pricing_2026-08-19.json',
    );
    const byId = new Map(events.map((e) => [e.model_id, e]));
    const gpt55 = byId.get('openai/gpt-5.5');
    expect(gpt55?.pricing).toEqual({
      prompt: '0.000005',
      completion: '0.00003',
      web_search: '0.01',
      input_cache_read: '0.0000005',
    });
    expect(gpt55?.pricing_tiers).toEqual([
      {
        conditions: { min_prompt_tokens: '272000' },
        pricing: { prompt: '0.00001', completion: '0.000045', input_cache_read: '0.000001' },
      },
    ]);
    const v4pro = byId.get('deepseek/deepseek-v4-pro');
    expect(v4pro?.pricing_tiers).toHaveLength(4);
    // The first window wraps midnight (10:00 → 01:00 UTC); kept exactly as published.
    expect(v4pro?.pricing_tiers[0]).toEqual({
      conditions: { utc_start: '1000', utc_end: '100' },
      pricing: { prompt: '0.00000066', completion: '0.00000198', input_cache_read: '0.000000022' },
    });
    expect(v4pro?.pricing_tiers[1]?.pricing.prompt).toBe('0.00000132');
    expect(events.filter((e) => e.pricing_tiers.length > 0)).toHaveLength(61);
    expect(events.every((e) => !('overrides' in e.pricing))).toBe(true);
  });

  it('keeps speech models with context_length 0 and routers with "-1" as published', () => {
    const { events } = discoverFile(
      'openrouter_models_output-modalities-all_unified-llm-pricing_2026-08-19.json',
    );
    const whisper = events.find((e) => e.model_id === 'openai/whisper-1');
    expect(whisper).toMatchObject({ context_length: 0, pricing: { prompt: '0.006', completion: '0' } });
    const auto = events.find((e) => e.model_id === 'openrouter/auto');
    expect(auto?.pricing).toEqual({ prompt: '-1', completion: '-1' });
    expect(auto?.top_provider).toEqual({
      context_length: null,
      max_completion_tokens: null,
      is_moderated: false,
    });
  });

  it('keeps unknown fields in raw_entry and hashes the canonical JSON', () => {
    const entries = parseModelsResponse(readJson('openrouter_models_token-tariff_2026-08-01.json')).entries;
    const { events } = discoverModels(entries, ctx);
    const first = events[0];
    expect(first).toBeDefined();
    expect(JSON.parse(first?.raw_entry ?? '')).toEqual(entries[0]);
    expect(first?.content_hash).toBe(contentHash(canonicalJson(entries[0])));
    expect(first?.raw_entry).toContain('"links"');
  });
});

describe('discoverModels ids', () => {
  const entry = {
    id: 'vendor/model',
    name: 'Vendor: Model',
    created: 1700000000,
    pricing: { prompt: '0.000003', completion: '0.000015' },
    future_field: { nested: [1, 2] },
  };

  it('gives the same id for a same-day re-run and a new id on another day', () => {
    const a = discoverModels([entry], ctx).events[0];
    const again = discoverModels([entry], { ...ctx, runId: 'run-2', fetchedAt: FETCHED_AT + 3_600_000 })
      .events[0];
    const nextDay = discoverModels([entry], { ...ctx, fetchedAt: FETCHED_AT + 86_400_000 }).events[0];
    expect(again?.event_id).toBe(a?.event_id);
    expect(nextDay?.event_id).not.toBe(a?.event_id);
    expect(a?.event_id).toBe(eventId('ModelDiscovered', 'vendor/model', a?.content_hash ?? '', '2026-08-19'));
    expect(utcDate(FETCHED_AT)).toBe('2026-08-19');
  });

  it('ignores key order in the content hash and sees a price change', () => {
    const reordered = {
      pricing: { completion: '0.000015', prompt: '0.000003' },
      future_field: { nested: [1, 2] },
      created: 1700000000,
      name: 'Vendor: Model',
      id: 'vendor/model',
    };
    const a = discoverModels([entry], ctx).events[0];
    const b = discoverModels([reordered], ctx).events[0];
    expect(b?.content_hash).toBe(a?.content_hash);
    const cut = discoverModels([{ ...entry, pricing: { prompt: '0.000002', completion: '0.000015' } }], ctx)
      .events[0];
    expect(cut?.content_hash).not.toBe(a?.content_hash);
    expect(cut?.event_id).not.toBe(a?.event_id);
    expect(a?.created).toBe(1700000000_000);
  });
});

describe('discoverModels malformed entries', () => {
  const good = { id: 'a/good', name: 'Good', pricing: { prompt: '0.000001', completion: '0.000002' } };

  it('rejects bad entries with a reason and goes on', () => {
    const entries = [
      good,
      { name: 'No id', pricing: { prompt: '0', completion: '0' } },
      { id: 'a/pricing-string', name: 'X', pricing: '0.000001' },
      { id: 'a/prompt-number', name: 'X', pricing: { prompt: 0.000001, completion: '0' } },
      null,
      'a string',
      { id: '', name: 'Empty id', pricing: { prompt: '0', completion: '0' } },
      { id: 'a/good', name: 'Duplicate', pricing: { prompt: '9', completion: '9' } },
    ];
    const result = discoverModels(entries, ctx);
    expect(result.events.map((e) => e.model_id)).toEqual(['a/good']);
    expect(result.events[0]?.name).toBe('Good');
    expect(result.rejected.map((r) => [r.index, r.code])).toEqual([
      [1, 'INVALID_ENTRY'],
      [2, 'INVALID_ENTRY'],
      [3, 'INVALID_ENTRY'],
      [4, 'INVALID_ENTRY'],
      [5, 'INVALID_ENTRY'],
      [6, 'INVALID_ENTRY'],
      [7, 'DUPLICATE_ID'],
    ]);
    expect(result.rejected[0]?.reason).toMatch(/^id: /);
    expect(result.rejected[1]?.reason).toMatch(/^pricing: /);
    expect(result.rejected[2]?.reason).toMatch(/^pricing\.prompt: /);
    expect(result.rejected[6]?.reason).toMatch(/duplicate id a\/good/);
    expect(result.rejected[3]?.entry).toBeNull();
  });

  it('reads odd optional fields leniently instead of rejecting', () => {
    const odd = {
      id: 'a/odd',
      name: 'Odd',
      hugging_face_id: '',
      canonical_slug: 42,
      created: 'yesterday',
      context_length: -5,
      architecture: 'text',
      top_provider: { context_length: '1000', is_moderated: 'yes' },
      supported_parameters: ['tools', 7, null],
      pricing: {
        prompt: '0.000001',
        completion: '0.000002',
        image: 0.003,
        discount: 0,
        weird: { a: 1 },
        nothing: null,
        overrides: [{ min_prompt_tokens: 1000, prompt: '0.000002', note: { x: 1 } }, 'junk', null],
      },
    };
    const result = discoverModels([odd], ctx);
    expect(result.rejected).toEqual([]);
    expect(result.events[0]).toMatchObject({
      canonical_slug: null,
      created: null,
      context_length: null,
      architecture: null,
      top_provider: { context_length: null, max_completion_tokens: null, is_moderated: null },
      supported_parameters: ['tools'],
      pricing: { prompt: '0.000001', completion: '0.000002', image: '0.003', discount: '0' },
      pricing_tiers: [{ conditions: { min_prompt_tokens: '1000' }, pricing: { prompt: '0.000002' } }],
    });
  });

  it('drops blocked ids without rejecting them', () => {
    const blocklist = createBlocklist({ globs: ['fake-provider/*'] });
    const result = discoverModels(
      [good, { id: 'fake-provider/model', name: 'Fake', pricing: { prompt: '0', completion: '0' } }],
      { ...ctx, blocklist },
    );
    expect(result.events.map((e) => e.model_id)).toEqual(['a/good']);
    expect(result.blocked).toEqual(['fake-provider/model']);
    expect(result.rejected).toEqual([]);
  });
});
