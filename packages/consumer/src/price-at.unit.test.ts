import { describe, expect, it } from 'vitest';
import { costOfCall } from './cost/compute.ts';
import { callPriceOf, pricesFromNotes, type PriceInForce } from './price-at.ts';

// Notes exactly as the normalizer writes them for google/gemini-2.5-pro (sample catalog).
const geminiNotes = [
  'prompt: highest of 2 tiers is "min_prompt_tokens>=200000" (base=1.25000000, min_prompt_tokens>=200000=2.50000000)',
  'completion: highest of 2 tiers is "min_prompt_tokens>=200000" (base=10.00000000, min_prompt_tokens>=200000=15.00000000)',
  'image: USD per 1M tokens (published per_token), not per unit',
];

const row = (notes: string[]): PriceInForce => ({
  price_key: 'google/gemini-2.5-pro||openrouter_api',
  model_id: 'google/gemini-2.5-pro',
  provider: null,
  source_type: 'openrouter_api',
  status: 'ok',
  unavailable_reason: null,
  effective_from: '2026-08-01T06:00:00.000Z',
  observed_at: '2026-08-01T06:00:00.000Z',
  event_id: 'e',
  currency: 'USD',
  // The columns hold the highest tier.
  prompt: '2.50000000',
  completion: '15.00000000',
  internal_reasoning: null,
  input_cache_read: null,
  input_cache_write: null,
  request: null,
  image: null,
  web_search: null,
  notes,
});

describe('tiers from the observation notes', () => {
  it('turns "highest of 2 tiers" notes back into a base price and a long-context tier', () => {
    expect(pricesFromNotes(geminiNotes)).toEqual({
      base: { prompt: '1.25000000', completion: '10.00000000' },
      longContext: {
        min_prompt_tokens: 200_000,
        prices: { prompt: '2.50000000', completion: '15.00000000' },
      },
    });
    const usage = (n: number) =>
      ({ format: 'gemini', usageMetadata: { promptTokenCount: n, candidatesTokenCount: 1000 } }) as const;
    const price = callPriceOf(row(geminiNotes));
    // 10000 × 1.25 / 1e6 = 0.0125 + 1000 × 10 / 1e6 = 0.01 → 0.0225 (the base, not the published 2.50).
    expect(costOfCall(usage(10_000), price).total).toBe('0.0225');
    // 250000 × 2.50 / 1e6 = 0.625 + 1000 × 15 / 1e6 = 0.015 → 0.64.
    expect(costOfCall(usage(250_000), price).total).toBe('0.64');
  });

  it('without tier notes the published values are the price', () => {
    expect(callPriceOf(row([]))).toMatchObject({ prompt: '2.50000000', long_context: null });
    const timed = ['prompt: highest of 2 tiers is "utc_start=x" (base=1.00000000, utc_start=x=2.00000000)'];
    expect(pricesFromNotes(timed)).toEqual({ base: {}, longContext: null });
  });
});
