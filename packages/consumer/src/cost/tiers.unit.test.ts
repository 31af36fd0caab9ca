// Tier selection, each case a worked example (docs/price-model.md §2): the arithmetic is in the
// comments. Prices are USD per 1M tokens, so cost = tokens × price / 1,000,000.
import { describe, expect, it } from 'vitest';
import { conditionsOfOverride, parseTierLabel, tierLabel } from '@llmpt/schemas';
import {
  costOfCall,
  selectPrices,
  type CallCost,
  type CallPrice,
  type CallTier,
  type DimensionPrices,
} from './compute.ts';

const tier = (label: string, prices: DimensionPrices): CallTier => {
  const conditions = parseTierLabel(label);
  return { ...conditions, label: tierLabel(conditions), prices };
};
const byComponent = (c: CallCost) => Object.fromEntries(c.components.map((x) => [x.component, x.cost]));
const gemini = (promptTokenCount: number, candidatesTokenCount = 1_000) =>
  ({ format: 'gemini', usageMetadata: { promptTokenCount, candidatesTokenCount } }) as const;
const openai = (prompt_tokens: number, completion_tokens = 0) =>
  ({ format: 'openai', usage: { prompt_tokens, completion_tokens } }) as const;

describe('prompt-token tiers', () => {
  // Google's page for Gemini 2.5 Pro: "$1.25, prompts <= 200k tokens; $2.50, prompts > 200k tokens"
  // (output $10 / $15). The page parser's label is strict: 200,000 tokens are not above 200k.
  const providerSite: CallPrice = {
    prompt: '1.25000000',
    completion: '10.00000000',
    tiers: [tier('prompt_tokens>200000', { prompt: '2.50000000', completion: '15.00000000' })],
  };

  it('a provider_site tier "prompt_tokens>200000" is strict: 200,000 tokens pay the base, 200,001 the tier', () => {
    const at = costOfCall(gemini(200_000), providerSite);
    // 200000 × 1.25 / 1e6 = 0.25; 1000 × 10 / 1e6 = 0.01; total 0.26.
    expect(at.total).toBe('0.26');
    expect(at.tiersApplied).toEqual([]);
    const past = costOfCall(gemini(200_001), providerSite);
    // Past it EVERY token at the tier: 200001 × 2.50 / 1e6 = 0.5000025; 1000 × 15 / 1e6 = 0.015;
    // total 0.5150025.
    expect(byComponent(past)).toEqual({ prompt: '0.5000025', completion: '0.015' });
    expect(past.total).toBe('0.5150025');
    expect(past.tiersApplied).toEqual(['prompt_tokens>200000']);
    expect(past.components.map((c) => c.tier)).toEqual(['prompt_tokens>200000', 'prompt_tokens>200000']);
  });

  it('the labels pages wrote before v2 ("min_prompt_tokens=200000", stating "> 200k") read as strict too', () => {
    const legacy: CallPrice = {
      ...providerSite,
      tiers: [tier('min_prompt_tokens=200000', { prompt: '2.50000000', completion: '15.00000000' })],
    };
    // The bug of issue 11: this label was not understood and every call paid the tier. Now
    // 10000 × 1.25 / 1e6 = 0.0125 + 1000 × 10 / 1e6 = 0.01 → 0.0225.
    expect(costOfCall(gemini(10_000), legacy).total).toBe('0.0225');
    expect(costOfCall(gemini(200_000), legacy).total).toBe('0.26');
    expect(costOfCall(gemini(200_001), legacy).total).toBe('0.5150025');
  });

  it('an OpenRouter "prompt_tokens>=272000" tier is inclusive: exactly 272,000 tokens pay the tier', () => {
    // OpenRouter overrides: {"min_prompt_tokens": 272000, "prompt": "0.0000025", "completion": "0.0000225"}
    // over a base of $1.25 / $10 (a long-context model of 2026).
    const price: CallPrice = {
      prompt: '1.25000000',
      completion: '10.00000000',
      tiers: [
        {
          ...conditionsOfOverride({ min_prompt_tokens: '272000' }),
          label: 'prompt_tokens>=272000',
          prices: { prompt: '2.50000000', completion: '22.50000000' },
        },
      ],
    };
    // 271999 × 1.25 / 1e6 = 0.33999875; 100 × 10 / 1e6 = 0.001; total 0.34099875.
    expect(costOfCall(openai(271_999, 100), price).total).toBe('0.34099875');
    // 272000 × 2.50 / 1e6 = 0.68; 100 × 22.50 / 1e6 = 0.00225; total 0.68225.
    const at = costOfCall(openai(272_000, 100), price);
    expect(byComponent(at)).toEqual({ prompt: '0.68', completion: '0.00225' });
    expect(at.total).toBe('0.68225');
    expect(at.tiersApplied).toEqual(['prompt_tokens>=272000']);
  });

  it('cached tokens count toward the threshold (Anthropic: input + cache writes + cache reads)', () => {
    // Claude Sonnet 4: $3 / $15, cache read $0.30; from 200k prompt tokens $6 / $22.50 (reads keep $0.30:
    // the tier does not name them, so they inherit the base).
    const price: CallPrice = {
      prompt: '3.00000000',
      completion: '15.00000000',
      input_cache_read: '0.30000000',
      tiers: [tier('prompt_tokens>=200000', { prompt: '6.00000000', completion: '22.50000000' })],
    };
    const cost = costOfCall(
      {
        format: 'anthropic',
        usage: { input_tokens: 10_000, cache_read_input_tokens: 190_000, output_tokens: 1_000 },
      },
      price,
    );
    // 10000 + 190000 = 200000 ≥ 200000: the tier. 10000 × 6 / 1e6 = 0.06; 190000 × 0.30 / 1e6 = 0.057;
    // 1000 × 22.50 / 1e6 = 0.0225; total 0.1395.
    expect(byComponent(cost)).toEqual({ prompt: '0.06', input_cache_read: '0.057', completion: '0.0225' });
    expect(cost.total).toBe('0.1395');
    expect(cost.components.find((c) => c.component === 'input_cache_read')?.tier).toBeNull();
  });
});

describe('time-of-day tiers (UTC windows, wrapping midnight)', () => {
  // deepseek/deepseek-v4-pro on the sample catalog's second day (fixtures/sample-catalog/day2.models.json):
  // base $0.66; overrides 10:00–01:00 $0.66, 01:00–04:00 $1.32, 04:00–06:00 $0.66, 06:00–10:00 $1.32.
  const window = (start: string, end: string, prompt: string, completion: string): CallTier => {
    const c = conditionsOfOverride({ utc_start: start, utc_end: end });
    return { ...c, label: tierLabel(c), prices: { prompt, completion } };
  };
  const deepseek: CallPrice = {
    prompt: '0.66000000',
    completion: '1.98000000',
    tiers: [
      window('1000', '100', '0.66000000', '1.98000000'),
      window('100', '400', '1.32000000', '3.96000000'),
      window('400', '600', '0.66000000', '1.98000000'),
      window('600', '1000', '1.32000000', '3.96000000'),
    ],
  };
  const oneMillionAt = (time: string) =>
    costOfCall(openai(1_000_000), deepseek, { at: `2026-11-27T${time}:00Z` }).total;

  it('prices 1M prompt tokens before, inside and after each boundary', () => {
    // 1,000,000 × rate / 1e6 = the rate itself.
    expect(oneMillionAt('20:30')).toBe('0.66'); // the example: 20:30 is off-peak (10:00–01:00)
    expect(oneMillionAt('00:00')).toBe('0.66'); // past midnight, still in 10:00–01:00
    expect(oneMillionAt('00:59')).toBe('0.66');
    expect(oneMillionAt('01:00')).toBe('1.32'); // the wrapping window's end is exclusive
    expect(oneMillionAt('03:59')).toBe('1.32');
    expect(oneMillionAt('04:00')).toBe('0.66');
    expect(oneMillionAt('05:59')).toBe('0.66');
    expect(oneMillionAt('06:00')).toBe('1.32');
    expect(oneMillionAt('09:59')).toBe('1.32');
    expect(oneMillionAt('10:00')).toBe('0.66'); // start inclusive
  });

  it('says which window applied, and needs the call time', () => {
    const peak = costOfCall(openai(1_000_000, 1_000_000), deepseek, { at: '2026-11-27T02:00:00Z' });
    // 1M × 1.32 / 1e6 + 1M × 3.96 / 1e6 = 1.32 + 3.96 = 5.28.
    expect(peak.total).toBe('5.28');
    expect(peak.tiersApplied).toEqual(['utc 01:00-04:00']);
    expect(() => costOfCall(openai(10), deepseek)).toThrow(
      expect.objectContaining({ code: 'CALL_TIME_REQUIRED' }),
    );
  });
});

describe('tiers usage cannot select', () => {
  const price: CallPrice = {
    prompt: '0.20000000',
    completion: '0.80000000',
    tiers: [
      tier('variant=fp8', { prompt: '0.10000000', completion: '0.40000000' }),
      tier('variant=bf16', { prompt: '0.30000000' }),
    ],
  };

  it('a variant tier is never applied silently: the highest rate that may apply, said in the notes', () => {
    const cost = costOfCall(openai(1_000_000, 1_000_000), price);
    // prompt: base 0.20, fp8 0.10, bf16 0.30 → 0.30 (the call may have run on bf16);
    // completion: base 0.80, fp8 0.40 → 0.80. 1M × 0.30 / 1e6 + 1M × 0.80 / 1e6 = 1.1.
    expect(byComponent(cost)).toEqual({ prompt: '0.3', completion: '0.8' });
    expect(cost.total).toBe('1.1');
    expect(cost.tiersApplied).toEqual([]);
    expect(cost.notes).toEqual([
      'tier "variant=fp8" cannot be selected from usage (variant fp8): its rates are not above the ones applied; name the tier to bill it exactly',
      'tier "variant=bf16" cannot be selected from usage (variant bf16): prompt billed at its higher rate, the highest that may apply; name the tier to bill it exactly',
    ]);
  });

  it('the caller can name the tier, or ask for the base alone', () => {
    // fp8: 1M × 0.10 / 1e6 + 1M × 0.40 / 1e6 = 0.5.
    const fp8 = costOfCall(openai(1_000_000, 1_000_000), price, { tier: 'fp8' });
    expect(fp8.total).toBe('0.5');
    expect(fp8.tiersApplied).toEqual(['variant=fp8']);
    // base: 0.20 + 0.80 = 1.
    expect(costOfCall(openai(1_000_000, 1_000_000), price, { tier: null }).total).toBe('1');
    expect(() => costOfCall(openai(1), price, { tier: 'variant=int4' })).toThrow(
      expect.objectContaining({ code: 'TIER_UNKNOWN' }),
    );
  });

  it('later applicable tiers win per dimension; a dimension no tier names keeps the base', () => {
    const p: CallPrice = {
      prompt: '1.00000000',
      completion: '2.00000000',
      tiers: [
        tier('prompt_tokens>=100', { prompt: '3.00000000', completion: '4.00000000' }),
        tier('prompt_tokens>=200', { prompt: '5.00000000' }),
      ],
    };
    const s = selectPrices(p, { promptTokens: 250 });
    expect(s.rates.prompt).toEqual({ rate: '5.00000000', tier: 'prompt_tokens>=200' });
    expect(s.rates.completion).toEqual({ rate: '4.00000000', tier: 'prompt_tokens>=100' });
    expect(s.rates.input_cache_read).toEqual({ rate: null, tier: null });
    expect(s.tiersApplied).toEqual(['prompt_tokens>=100', 'prompt_tokens>=200']);
  });
});
