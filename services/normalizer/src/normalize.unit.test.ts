import { eventId } from '@llmpt/schemas';
import { describe, expect, it } from 'vitest';
import { normalize } from './normalize.ts';
import { T0, component, rawPrice } from './testing/fixtures.ts';

const NULLS = {
  prompt: null,
  completion: null,
  internal_reasoning: null,
  input_cache_read: null,
  input_cache_write: null,
  request: null,
  image: null,
  web_search: null,
};

describe('normalize: columns', () => {
  it('maps every dimension to its column: tokens per 1M, the rest per unit', () => {
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
      ],
    });
    expect(normalize(raw)).toMatchObject({
      status: 'ok',
      unavailable_reason: null,
      currency: 'USD',
      prompt: '3.00000000',
      completion: '15.00000000',
      internal_reasoning: '10.00000000',
      input_cache_read: '0.30000000',
      input_cache_write: '3.75000000',
      request: '0.00500000',
      image: '0.00480000',
      web_search: '0.01000000',
      notes: [],
    });
  });

  it('carries identity and times from the raw observation, deterministically', () => {
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
    const content = JSON.stringify([
      'ok',
      null,
      'USD',
      JSON.stringify(['150.00000000', '600.00000000', null, null, null, null, null, null]),
      [],
    ]);
    expect(np.event_id).toBe(
      eventId('NormalizedPrice', 'openai/o1-pro|openai|openrouter_endpoints', '2026-04-18', content),
    );
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

  it('lists dimensions without a column in notes, raw, so nothing is dropped', () => {
    const np = normalize(
      rawPrice({
        components: [
          component('prompt', '0.00000125'),
          component('audio', '0.000032'),
          component('image_output', '0.00003'),
          component('discount', '0.853', 'per_unit'),
          component('input_cache_write_1h', '0.000006', 'per_token', { tier: 'ttl=1h' }),
          component('audio', '0.5', 'per_minute', { currency: 'EUR' }),
        ],
      }),
    );
    expect(np.prompt).toBe('1.25000000');
    expect(np.notes).toEqual([
      'other: audio=0.000032 per_token',
      'other: image_output=0.00003 per_token',
      'other: discount=0.853 per_unit',
      'other: input_cache_write_1h=0.000006 per_token [ttl=1h]',
      'other: audio=0.5 per_minute EUR',
    ]);
  });
});

describe('normalize: tiers', () => {
  it('publishes the highest tier per dimension and names it', () => {
    // Gemini 2.5 Pro: $1.25/$10 per 1M, $2.50/$15 above 200k prompt tokens.
    const np = normalize(
      rawPrice({
        components: [
          component('prompt', '0.00000125'),
          component('completion', '0.00001'),
          component('prompt', '0.0000025', 'per_token', { tier: 'min_prompt_tokens=200000' }),
          component('completion', '0.000015', 'per_token', { tier: 'min_prompt_tokens=200000' }),
        ],
      }),
    );
    expect(np).toMatchObject({ prompt: '2.50000000', completion: '15.00000000' });
    expect(np.notes).toEqual([
      'prompt: highest of 2 tiers is "min_prompt_tokens=200000" (base=1.25000000, min_prompt_tokens=200000=2.50000000)',
      'completion: highest of 2 tiers is "min_prompt_tokens=200000" (base=10.00000000, min_prompt_tokens=200000=15.00000000)',
    ]);
  });

  it('names the first tier listed on a tie, and skips unavailable tiers', () => {
    const np = normalize(
      rawPrice({
        components: [
          component('prompt', '0.000001', 'per_token', { tier: 'region=us' }),
          component('prompt', '-1', 'per_token', { tier: 'region=eu' }),
          component('prompt', '0.000001', 'per_token', { tier: 'region=ap' }),
        ],
      }),
    );
    expect(np.prompt).toBe('1.00000000');
    expect(np.notes).toEqual([
      'prompt: highest of 3 tiers is "region=us" (region=us=1.00000000, region=eu=unavailable (variable price (-1)), region=ap=1.00000000)',
    ]);
  });

  it('leaves a dimension null when no tier of it is available', () => {
    const np = normalize(
      rawPrice({
        components: [
          component('prompt', '0.000001'),
          component('completion', '-1'),
          component('completion', '', 'per_token', { tier: 'min_prompt_tokens=128000' }),
        ],
      }),
    );
    expect(np).toMatchObject({ status: 'ok', prompt: '1.00000000', completion: null });
    expect(np.notes).toEqual([
      'completion: no available tier (base=unavailable (variable price (-1)), min_prompt_tokens=128000=unavailable (missing price))',
    ]);
  });
});

describe('normalize: single rates and units', () => {
  it('fills prompt and completion from a blended rate, with a note', () => {
    const np = normalize(rawPrice({ components: [component('blended', '$0.60', 'per_1m_tokens')] }));
    expect(np).toMatchObject({ prompt: '0.60000000', completion: '0.60000000' });
    expect(np.notes).toEqual(['prompt and completion from a single blended rate']);
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
    expect(np.notes).toEqual(['prompt from a single blended rate']);
  });

  it('keeps per-second and per-minute speech prices per unit, and says so', () => {
    // openai/whisper-1 puts $0.006 per audio minute in `prompt`; the scraper tags the unit.
    const np = normalize(
      rawPrice({
        model_id: 'openai/whisper-1',
        components: [component('prompt', '0.006', 'per_minute'), component('completion', '0')],
      }),
    );
    expect(np).toMatchObject({ status: 'ok', prompt: '0.00600000', completion: '0.00000000' });
    expect(np.notes).toEqual(['prompt: USD per_minute as published, not per 1M tokens']);
    const stt = normalize(rawPrice({ components: [component('prompt', '0.0000166667', 'per_second')] }));
    expect(stt.prompt).toBe('0.00001667');
    expect(stt.notes).toEqual(['prompt: USD per_second as published, not per 1M tokens']);
  });

  it('honours the unit of `image`: per image in 2025, per token in 2026', () => {
    const y2025 = normalize(rawPrice({ components: [component('image', '0.0048', 'per_image')] }));
    const y2026 = normalize(rawPrice({ components: [component('image', '0.0000025', 'per_token')] }));
    expect(y2025.image).toBe('0.00480000');
    expect(y2025.notes).toEqual([]);
    expect(y2026.image).toBe('2.50000000');
    expect(y2026.notes).toEqual(['image: USD per 1M tokens (published per_token), not per unit']);
  });

  it('notes a non-zero price that rounds to 0 at scale 8', () => {
    const np = normalize(rawPrice({ components: [component('request', '0.000000001', 'per_request')] }));
    expect(np.request).toBe('0.00000000');
    expect(np.notes).toEqual(['request: 0.000000001 per_request rounds to 0 at scale 8']);
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
    expect(np).toMatchObject({ status: 'unavailable', unavailable_reason: 'bot challenge page', ...NULLS });
    expect(normalize(rawPrice({ status: 'unavailable' })).unavailable_reason).toBe('unavailable at source');
  });

  it('an ok raw with only "-1" prices (openrouter/auto) is unavailable: variable price', () => {
    const np = normalize(
      rawPrice({ model_id: 'openrouter/auto', prices: { prompt: '-1', completion: '-1' } }),
    );
    expect(np).toMatchObject({ status: 'unavailable', unavailable_reason: 'variable price (-1)', ...NULLS });
    expect(np.notes).toEqual([
      'prompt: unavailable (variable price (-1))',
      'completion: unavailable (variable price (-1))',
    ]);
  });

  it('an ok raw with no usable price says why', () => {
    expect(normalize(rawPrice({ components: [] }))).toMatchObject({
      status: 'unavailable',
      unavailable_reason: 'no price published',
    });
    expect(normalize(rawPrice({ components: [component('audio', '0.00001')] })).unavailable_reason).toBe(
      'no price published',
    );
    expect(
      normalize(rawPrice({ components: [component('prompt', '1', 'per_1m_tokens', { currency: 'EUR' })] }))
        .unavailable_reason,
    ).toBe('currency EUR not supported (no FX conversion)');
  });

  it('a partly variable price stays ok, the variable dimension null with a note', () => {
    const np = normalize(rawPrice({ prices: { prompt: '-1', completion: '0.00001' } }));
    expect(np).toMatchObject({ status: 'ok', prompt: null, completion: '10.00000000' });
    expect(np.notes).toEqual(['prompt: unavailable (variable price (-1))']);
  });

  it('throws UNPARSABLE_PRICE for garbage in a priced dimension, not in an unknown one', () => {
    expect(() => normalize(rawPrice({ prices: { prompt: 'call us' } }))).toThrow(
      expect.objectContaining({ code: 'UNPARSABLE_PRICE' }) as Error,
    );
    expect(() => normalize(rawPrice({ prices: { completion: '-0.5' } }))).toThrow(
      expect.objectContaining({ code: 'UNPARSABLE_PRICE' }) as Error,
    );
    expect(normalize(rawPrice({ prices: { prompt: '0.000001', audio: 'call us' } })).notes).toEqual([
      'other: audio=call us per_token',
    ]);
  });
});
