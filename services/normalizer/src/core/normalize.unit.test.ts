import { DIMENSION_NAMES, emptyDimensionValues } from '@llmpt/schemas';
import { describe, expect, it } from 'vitest';
import { contentIdOf, normalize } from './normalize.ts';
import { T0, component, rawPrice } from '../testing/fixtures.ts';

const NULLS = emptyDimensionValues();

describe('normalize: dimensions (docs/price-model.md §1)', () => {
  it('maps every published key to its registered dimension: tokens per 1M, the rest per unit, discount a ratio', () => {
    const raw = rawPrice({
      components: [
        component('prompt', '0.000003'),
        component('completion', '0.000015'),
        component('internal_reasoning', '0.00001'),
        component('input_cache_read', '0.0000003'),
        component('input_cache_write', '0.00000375'),
        component('request', '0.005', 'per_request'),
        component('image', '0.0048', 'per_image'),
        component('web_search', '0.01', 'per_web_search'),
        component('input_cache_write_1h', '0.000006'),
        component('audio', '0.000032'), // OpenRouter `audio` is audio input
        component('input_audio_cache', '0.0000032'),
        component('audio_output', '0.000064'),
        component('image_token', '0.0000025'),
        component('image_output', '0.00003'),
        component('discount', '0.25', 'ratio'),
      ],
    });
    const np = normalize(raw);
    const expected = {
      prompt: '3.00000000',
      completion: '15.00000000',
      internal_reasoning: '10.00000000',
      input_cache_read: '0.30000000',
      input_cache_write: '3.75000000',
      request: '0.00500000',
      image: '0.00480000',
      web_search: '0.01000000',
      input_cache_write_1h: '6.00000000',
      input_audio: '32.00000000',
      input_audio_cache: '3.20000000',
      audio_output: '64.00000000',
      image_token: '2.50000000',
      image_output: '30.00000000',
      discount: '0.25000000',
    };
    expect(np).toMatchObject({ status: 'ok', unavailable_reason: null, currency: 'USD', ...expected });
    // Every dimension of the registry is covered, and without tiers the base is the columns.
    expect(Object.keys(expected).sort()).toEqual([...DIMENSION_NAMES].sort());
    expect(np.base).toEqual(DIMENSION_NAMES.map((d) => ({ dimension: d, amount: expected[d] })));
    expect(np).toMatchObject({ tiers: [], unregistered: [], notes: [] });
  });

  it('carries identity and times from the raw observation; the id hashes the full content', () => {
    const raw = rawPrice({
      model_id: 'openai/o1-pro',
      provider: 'openai',
      source_type: 'openrouter_endpoints',
      fetched_at: Date.UTC(2026, 3, 18, 23, 59, 59, 999),
      prices: { prompt: '0.00015', completion: '0.0006' },
    });
    const np = normalize(raw);
    expect(np).toMatchObject({
      price_key: 'openai/o1-pro|openai|openrouter_endpoints',
      model_id: 'openai/o1-pro',
      provider: 'openai',
      source_type: 'openrouter_endpoints',
      source_url: raw.source_url,
      run_id: raw.run_id,
      caused_by: raw.event_id,
      observed_at: raw.fetched_at,
      occurred_at: raw.fetched_at,
      snapshot_date: '2026-04-18', // UTC date, last millisecond of the day
      prompt: '150.00000000',
      completion: '600.00000000',
    });
    expect(np.event_id).toBe(contentIdOf(np));
    // A tier or an unregistered key is content: another id.
    const tiered = normalize({
      ...raw,
      components: [
        ...raw.components,
        component('prompt', '0.0003', 'per_token', { tier: 'prompt_tokens>=200000' }),
      ],
    });
    const unknown = normalize({
      ...raw,
      components: [...raw.components, component('voice_clone', '1', 'per_unit')],
    });
    expect(new Set([np.event_id, tiered.event_id, unknown.event_id]).size).toBe(3);
  });

  it('gives the same id to the same prices the same day, another id on another day or another price', () => {
    const prices = { prompt: '0.000003', completion: '0.000015' };
    const morning = normalize(rawPrice({ fetched_at: T0, prices, run_id: 'a' }));
    const evening = normalize(rawPrice({ fetched_at: T0 + 10 * 3600_000, prices, run_id: 'b' }));
    const tomorrow = normalize(rawPrice({ fetched_at: T0 + 86_400_000, prices }));
    const artifact = normalize(
      rawPrice({ fetched_at: T0, prices: { ...prices, prompt: '0.0000030000000000001' } }),
    );
    const cut = normalize(rawPrice({ fetched_at: T0, prices: { ...prices, prompt: '0.000002' } }));
    expect(evening.event_id).toBe(morning.event_id);
    expect(artifact.event_id).toBe(morning.event_id); // same at stored precision: the same fact
    expect(tomorrow.event_id).not.toBe(morning.event_id);
    expect(cut.event_id).not.toBe(morning.event_id);
  });

  it('keeps a key the registry does not know raw in `unregistered`, never in a column, never dropped', () => {
    const np = normalize(
      rawPrice({
        components: [
          component('prompt', '0.00000125'),
          component('prompt_audio_duration', '0.0001', 'per_second'),
          component('audio', '0.5', 'per_minute', { currency: 'EUR' }), // per minute: not the token dimension
          component('voice_clone', 'call us', 'per_unit', { tier: 'variant=pro' }), // not parsed: kept as published
        ],
      }),
    );
    expect(np).toMatchObject({ ...NULLS, prompt: '1.25000000', status: 'ok' });
    expect(np.unregistered).toEqual([
      { key: 'prompt_audio_duration', raw_value: '0.0001', unit: 'per_second', currency: 'USD', tier: null },
      { key: 'audio', raw_value: '0.5', unit: 'per_minute', currency: 'EUR', tier: null },
      { key: 'voice_clone', raw_value: 'call us', unit: 'per_unit', currency: 'USD', tier: 'variant=pro' },
    ]);
    expect(np.tiers).toEqual([]);
  });

  it('an unknown unit on a registered key is poison; on an unregistered key it is kept raw', () => {
    expect(() => normalize(rawPrice({ components: [component('prompt', '1', 'per_fortnight')] }))).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_PRICE_UNIT' }) as Error,
    );
    const np = normalize(
      rawPrice({ components: [component('prompt', '0.000001'), component('karma', '1', 'per_fortnight')] }),
    );
    expect(np.unregistered.map((u) => u.key)).toEqual(['karma']);
  });
});

describe('normalize: tiers (docs/price-model.md §2)', () => {
  it('splits base and tiers with typed conditions; the columns hold the highest', () => {
    // Gemini 2.5 Pro: $1.25/$10 per 1M, $2.50/$15 from 200k prompt tokens (OpenRouter: inclusive).
    const np = normalize(
      rawPrice({
        components: [
          component('prompt', '0.00000125'),
          component('completion', '0.00001'),
          component('prompt', '0.0000025', 'per_token', { tier: 'prompt_tokens>=200000' }),
          component('completion', '0.000015', 'per_token', { tier: 'prompt_tokens>=200000' }),
        ],
      }),
    );
    expect(np).toMatchObject({ prompt: '2.50000000', completion: '15.00000000' });
    expect(np.base).toEqual([
      { dimension: 'prompt', amount: '1.25000000' },
      { dimension: 'completion', amount: '10.00000000' },
    ]);
    expect(np.tiers).toEqual([
      {
        label: 'prompt_tokens>=200000',
        prompt_tokens_gte: 200000,
        prompt_tokens_gt: null,
        utc_start: null,
        utc_end: null,
        variant: null,
        other: [],
        prices: [
          { dimension: 'prompt', amount: '2.50000000' },
          { dimension: 'completion', amount: '15.00000000' },
        ],
      },
    ]);
  });

  it('reads v1 labels and prints them canonically: the same conditions are one tier', () => {
    const np = normalize(
      rawPrice({
        components: [
          component('prompt', '0.000001'),
          component('prompt', '0.000002', 'per_token', { tier: 'min_prompt_tokens>=128000' }),
          component('completion', '0.000004', 'per_token', { tier: 'prompt_tokens >= 128000' }),
          component('prompt', '0.000003', 'per_token', { tier: 'min_prompt_tokens=200000' }), // pages: strict
          component('prompt', '0.0000005', 'per_token', { tier: 'fp8' }),
          component('prompt', '0.0000007', 'per_token', { tier: 'utc 16:30-00:30' }),
        ],
      }),
    );
    expect(np.tiers.map((t) => [t.label, t.prices.map((p) => p.dimension)])).toEqual([
      ['prompt_tokens>=128000', ['prompt', 'completion']],
      ['prompt_tokens>200000', ['prompt']],
      ['variant=fp8', ['prompt']],
      ['utc 16:30-00:30', ['prompt']],
    ]);
    expect(np.tiers[1]).toMatchObject({ prompt_tokens_gt: 200000, prompt_tokens_gte: null });
    expect(np.tiers[2]).toMatchObject({ variant: 'fp8' });
    expect(np.tiers[3]).toMatchObject({ utc_start: 16 * 60 + 30, utc_end: 30 }); // wraps midnight
    expect(np.prompt).toBe('3.00000000');
  });

  it('keeps tiers in the order first seen, the base first wherever it is listed', () => {
    const np = normalize(
      rawPrice({
        components: [
          component('prompt', '0.000002', 'per_token', { tier: 'utc 01:00-04:00' }),
          component('prompt', '0.000001'),
          component('prompt', '0.000003', 'per_token', { tier: 'utc 06:00-10:00' }),
        ],
      }),
    );
    expect(np.base).toEqual([{ dimension: 'prompt', amount: '1.00000000' }]);
    expect(np.tiers.map((t) => t.label)).toEqual(['utc 01:00-04:00', 'utc 06:00-10:00']);
  });

  it('an unreadable tier label is poison: INVALID_TIER (dead-lettered), never guessed', () => {
    for (const tier of ['prompt_tokens>=lots', 'utc 25:00-01:00'])
      expect(() =>
        normalize(rawPrice({ components: [component('prompt', '0.000001', 'per_token', { tier })] })),
      ).toThrow(expect.objectContaining({ code: 'INVALID_TIER', retriable: false }) as Error);
  });

  it('a tier with no available value is left out; unavailable values are no price', () => {
    const np = normalize(
      rawPrice({
        components: [
          component('prompt', '0.000001'),
          component('completion', '-1'),
          component('completion', '', 'per_token', { tier: 'prompt_tokens>=128000' }),
        ],
      }),
    );
    expect(np).toMatchObject({ status: 'ok', prompt: '1.00000000', completion: null, tiers: [] });
    expect(np.base).toEqual([{ dimension: 'prompt', amount: '1.00000000' }]);
  });

  it('the same dimension published twice in one group: the highest, the tie to the first', () => {
    // `image` per token and `image_token` both feed image_token.
    const np = normalize(
      rawPrice({ components: [component('image', '0.000001'), component('image_token', '0.000002')] }),
    );
    expect(np.base).toEqual([{ dimension: 'image_token', amount: '2.00000000' }]);
  });
});

describe('normalize: single rates and units', () => {
  it('fills prompt and completion from a blended rate', () => {
    const np = normalize(rawPrice({ components: [component('blended', '$0.60', 'per_1m_tokens')] }));
    expect(np).toMatchObject({ prompt: '0.60000000', completion: '0.60000000' });
    expect(np.base).toEqual([
      { dimension: 'prompt', amount: '0.60000000' },
      { dimension: 'completion', amount: '0.60000000' },
    ]);
  });

  it('prefers an explicit prompt or completion price over a blended rate', () => {
    const np = normalize(
      rawPrice({
        components: [
          component('blended', '0.6', 'per_1m_tokens'),
          component('completion', '2', 'per_1m_tokens'),
        ],
      }),
    );
    expect(np).toMatchObject({ prompt: '0.60000000', completion: '2.00000000' });
  });

  it('keeps per-second and per-minute speech prices per unit, and says so for humans', () => {
    // openai/whisper-1 puts $0.006 per audio minute in `prompt`; the scraper tags the unit.
    const np = normalize(
      rawPrice({
        model_id: 'openai/whisper-1',
        components: [component('prompt', '0.006', 'per_minute'), component('completion', '0')],
      }),
    );
    expect(np).toMatchObject({ status: 'ok', prompt: '0.00600000', completion: '0.00000000' });
    expect(np.notes).toEqual(['prompt: USD per_minute as published, not per 1M tokens']);
  });

  it('`image` per image is the per-image dimension, per token the image-token one: never one column for both', () => {
    const y2025 = normalize(rawPrice({ components: [component('image', '0.0048', 'per_image')] }));
    const y2026 = normalize(rawPrice({ components: [component('image', '0.0000025', 'per_token')] }));
    expect(y2025).toMatchObject({ image: '0.00480000', image_token: null });
    expect(y2026).toMatchObject({ image: null, image_token: '2.50000000' });
  });

  it('a non-zero price that rounds to 0 at scale 8 is 0, with a note', () => {
    const np = normalize(rawPrice({ components: [component('request', '0.000000001', 'per_request')] }));
    expect(np.request).toBe('0.00000000');
    expect(np.notes).toEqual(['request: 0.000000001 per_request rounds to 0 at scale 8']);
  });
});

describe('normalize: provenance', () => {
  it("copies the raw observation's content_hash (the fetched bytes' sha256) as it is", () => {
    const hash = 'cd'.repeat(32);
    expect(normalize({ ...rawPrice(), content_hash: hash }).content_hash).toBe(hash);
    expect(normalize({ ...rawPrice({ status: 'unavailable' }), content_hash: hash }).content_hash).toBe(hash);
  });

  it('an unavailable observation that fetched nothing (empty hash) has content_hash null', () => {
    expect(normalize({ ...rawPrice({ status: 'unavailable' }), content_hash: '' }).content_hash).toBeNull();
  });

  it('the hash is provenance, not price: it leaves the event id alone', () => {
    const a = normalize({ ...rawPrice(), content_hash: 'cd'.repeat(32) });
    const b = normalize({ ...rawPrice(), content_hash: 'ef'.repeat(32) });
    expect(a.event_id).toBe(b.event_id);
  });
});

describe('normalize: free and unavailable', () => {
  it('"0" is free, not unavailable', () => {
    const np = normalize(rawPrice({ prices: { prompt: '0', completion: '0' } }));
    expect(np).toMatchObject({ status: 'ok', prompt: '0.00000000', completion: '0.00000000', image: null });
  });

  it('an unavailable raw stays unavailable, with its reason and no money', () => {
    const np = normalize(
      rawPrice({
        status: 'unavailable',
        unavailable_reason: 'bot challenge page',
        prices: { prompt: '0.000003' },
      }),
    );
    expect(np).toMatchObject({
      status: 'unavailable',
      unavailable_reason: 'bot challenge page',
      ...NULLS,
      base: [],
      tiers: [],
    });
    expect(normalize(rawPrice({ status: 'unavailable' })).unavailable_reason).toBe('unavailable at source');
  });

  it('an ok raw with only "-1" prices (openrouter/auto) is unavailable: variable price', () => {
    const np = normalize(
      rawPrice({ model_id: 'openrouter/auto', prices: { prompt: '-1', completion: '-1' } }),
    );
    expect(np).toMatchObject({
      status: 'unavailable',
      unavailable_reason: 'variable price (-1)',
      ...NULLS,
      base: [],
    });
  });

  it('an ok raw with no usable price says why, and keeps its unregistered keys', () => {
    expect(normalize(rawPrice({ components: [] }))).toMatchObject({
      status: 'unavailable',
      unavailable_reason: 'no price published',
    });
    const unknownOnly = normalize(rawPrice({ components: [component('karaoke', '0.00001')] }));
    expect(unknownOnly).toMatchObject({ status: 'unavailable', unavailable_reason: 'no price published' });
    expect(unknownOnly.unregistered.map((u) => u.key)).toEqual(['karaoke']);
    expect(
      normalize(rawPrice({ components: [component('prompt', '1', 'per_1m_tokens', { currency: 'EUR' })] }))
        .unavailable_reason,
    ).toBe('currency EUR not supported (no FX conversion)');
  });

  it('a partly variable price stays ok, the variable dimension absent', () => {
    const np = normalize(rawPrice({ prices: { prompt: '-1', completion: '0.00001' } }));
    expect(np).toMatchObject({ status: 'ok', prompt: null, completion: '10.00000000' });
    expect(np.base).toEqual([{ dimension: 'completion', amount: '10.00000000' }]);
  });

  it('throws UNPARSABLE_PRICE for garbage in a registered dimension, not in an unregistered key', () => {
    expect(() => normalize(rawPrice({ prices: { prompt: 'call us' } }))).toThrow(
      expect.objectContaining({ code: 'UNPARSABLE_PRICE' }) as Error,
    );
    expect(() => normalize(rawPrice({ prices: { completion: '-0.5' } }))).toThrow(
      expect.objectContaining({ code: 'UNPARSABLE_PRICE' }) as Error,
    );
    expect(() => normalize(rawPrice({ prices: { prompt: '0.000001', audio: 'call us' } }))).toThrow(
      expect.objectContaining({ code: 'UNPARSABLE_PRICE' }) as Error,
    );
    expect(normalize(rawPrice({ prices: { prompt: '0.000001', karaoke: 'call us' } })).unregistered).toEqual([
      { key: 'karaoke', raw_value: 'call us', unit: 'per_token', currency: 'USD', tier: null },
    ]);
  });
});
