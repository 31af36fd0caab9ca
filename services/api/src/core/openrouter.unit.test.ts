// Written from services/api/README.md "The OpenRouter mapping", with prices of the sample catalog's
// day 2 (fixtures/sample-catalog/day2.models.json) converted by hand.
import { describe, expect, it } from 'vitest';
import { hhmm, perToken, toOpenRouterPricing, type StoredTier } from './openrouter.ts';

const tier = (t: Partial<StoredTier>): StoredTier => ({
  label: 'x',
  prompt_tokens_gte: null,
  prompt_tokens_gt: null,
  utc_start: null,
  utc_end: null,
  variant: null,
  other: [],
  prices: [],
  ...t,
});

describe('per 1M → per token', () => {
  it('divides exactly and prints plain decimals without trailing zeros', () => {
    expect(perToken('2.50000000')).toBe('0.0000025');
    expect(perToken('0.00000000')).toBe('0');
    expect(perToken('0.02200000')).toBe('0.000000022');
    expect(perToken('8.38323353')).toBe('0.00000838323353');
    expect(perToken('1500.00000000')).toBe('0.0015');
  });
  it('HHMM of minutes after midnight', () => {
    expect(hhmm(600)).toBe(1000);
    expect(hhmm(60)).toBe(100);
    expect(hhmm(0)).toBe(0);
    expect(hhmm(1439)).toBe(2359);
  });
});

describe('toOpenRouterPricing', () => {
  it('openai/gpt-5.6-sol: base keys and a min_prompt_tokens override with its own prices only', () => {
    const pricing = toOpenRouterPricing({
      status: 'ok',
      base: [
        { dimension: 'prompt', amount: '2.50000000' },
        { dimension: 'completion', amount: '15.00000000' },
        { dimension: 'input_cache_read', amount: '0.25000000' },
        { dimension: 'input_cache_write', amount: '3.12500000' },
        { dimension: 'web_search', amount: '0.01000000' },
      ],
      tiers: [
        tier({
          prompt_tokens_gte: 272000,
          prices: [
            { dimension: 'prompt', amount: '5.00000000' },
            { dimension: 'completion', amount: '22.50000000' },
            { dimension: 'input_cache_read', amount: '0.50000000' },
            { dimension: 'input_cache_write', amount: '6.25000000' },
          ],
        }),
      ],
      unregistered: [],
    });
    expect(pricing).toEqual({
      prompt: '0.0000025',
      completion: '0.000015',
      web_search: '0.01',
      input_cache_read: '0.00000025',
      input_cache_write: '0.000003125',
      overrides: [
        {
          min_prompt_tokens: 272000,
          prompt: '0.000005',
          completion: '0.0000225',
          input_cache_read: '0.0000005',
          input_cache_write: '0.00000625',
        },
      ],
    });
  });

  it('deepseek-v4-pro: time-of-day windows as HHMM numbers, in stored order', () => {
    const p = toOpenRouterPricing({
      status: 'ok',
      base: [{ dimension: 'prompt', amount: '0.66000000' }],
      tiers: [
        tier({
          label: 'a',
          utc_start: 600,
          utc_end: 60,
          prices: [{ dimension: 'prompt', amount: '0.66000000' }],
        }),
        tier({
          label: 'b',
          utc_start: 60,
          utc_end: 240,
          prices: [{ dimension: 'prompt', amount: '1.32000000' }],
        }),
      ],
      unregistered: [],
    });
    expect(p.overrides).toEqual([
      { utc_start: 1000, utc_end: 100, prompt: '0.00000066' },
      { utc_start: 100, utc_end: 400, prompt: '0.00000132' },
    ]);
  });

  it('gemini-2.5-pro keys: input_audio → audio, image_token → image (per token)', () => {
    const p = toOpenRouterPricing({
      status: 'ok',
      base: [
        { dimension: 'input_audio', amount: '1.25000000' },
        { dimension: 'input_audio_cache', amount: '0.12500000' },
        { dimension: 'image_token', amount: '1.25000000' },
        { dimension: 'internal_reasoning', amount: '10.00000000' },
        { dimension: 'input_cache_write_1h', amount: '6.00000000' },
      ],
      tiers: [],
      unregistered: [],
    });
    expect(p).toEqual({
      audio: '0.00000125',
      input_audio_cache: '0.000000125',
      image: '0.00000125',
      internal_reasoning: '0.00001',
      input_cache_write_1h: '0.000006',
    });
    expect('overrides' in p).toBe(false);
  });

  it('per-unit dimensions as is; `image` per image only when image_token is null; discount a number', () => {
    expect(
      toOpenRouterPricing({
        status: 'ok',
        base: [
          { dimension: 'image', amount: '0.00265000' },
          { dimension: 'request', amount: '0.00500000' },
          { dimension: 'discount', amount: '0.25000000' },
        ],
        tiers: [],
        unregistered: [],
      }),
    ).toEqual({ image: '0.00265', request: '0.005', discount: 0.25 });
    expect(
      toOpenRouterPricing({
        status: 'ok',
        base: [
          { dimension: 'image_token', amount: '2.00000000' },
          { dimension: 'image', amount: '0.00265000' },
        ],
        tiers: [],
        unregistered: [],
      }),
    ).toEqual({ image: '0.000002' });
  });

  it('unregistered base keys are kept raw; tiers OpenRouter cannot express are not overrides', () => {
    const p = toOpenRouterPricing({
      status: 'ok',
      base: [{ dimension: 'prompt', amount: '1.00000000' }],
      tiers: [
        tier({ label: 'variant=fp8', variant: 'fp8', prices: [{ dimension: 'prompt', amount: '0.5' }] }),
        tier({ label: 'p>200000', prompt_tokens_gt: 200000, prices: [{ dimension: 'prompt', amount: '2' }] }),
        tier({ label: 'utc_days=weekend', other: ['utc_days=weekend'], prices: [] }),
      ],
      unregistered: [
        { key: 'prompt_audio_duration', raw_value: '0.0001', tier: null },
        { key: 'foo', raw_value: '1', tier: 'p>200000' },
      ],
    });
    expect(p).toEqual({ prompt: '0.000001', prompt_audio_duration: '0.0001' });
  });

  it('an unavailable price has no amounts', () => {
    expect(toOpenRouterPricing({ status: 'unavailable', base: [], tiers: [], unregistered: [] })).toEqual({});
  });
});
