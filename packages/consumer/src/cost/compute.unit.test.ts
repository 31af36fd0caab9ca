// Worked examples, one per usage format, each checked by hand (the arithmetic is in the comments).
// Prices are USD per 1M tokens, so cost = tokens × price / 1,000,000.
import { describe, expect, it } from 'vitest';
import { parseTierLabel, tierLabel } from '@llmpt/schemas';
import { costOfCall, type CallCost, type CallPrice, type CallTier, type DimensionPrices } from './compute.ts';
import { tokenCounts } from './usage.ts';

/** A tier as the pipeline types it, from its label (docs/price-model.md §2). */
const tier = (label: string, prices: DimensionPrices): CallTier => {
  const conditions = parseTierLabel(label);
  return { ...conditions, label: tierLabel(conditions), prices };
};

const byComponent = (c: CallCost) => Object.fromEntries(c.components.map((x) => [x.component, x.cost]));

describe('cost of a call', () => {
  it('OpenAI: cached tokens are part of prompt_tokens and billed at the cache rate', () => {
    // gpt-4o: $2.50 in, $10 out, $1.25 cached in.
    const price: CallPrice = {
      prompt: '2.50000000',
      completion: '10.00000000',
      input_cache_read: '1.25000000',
    };
    const cost = costOfCall(
      {
        format: 'openai',
        usage: {
          prompt_tokens: 1000,
          completion_tokens: 500,
          prompt_tokens_details: { cached_tokens: 200 },
          completion_tokens_details: { reasoning_tokens: 0 },
        },
      },
      price,
    );
    // prompt (1000 − 200) × 2.50 / 1e6 = 0.002; cache 200 × 1.25 / 1e6 = 0.00025;
    // completion 500 × 10 / 1e6 = 0.005; total 0.00725.
    expect(byComponent(cost)).toEqual({ prompt: '0.002', input_cache_read: '0.00025', completion: '0.005' });
    expect(cost.total).toBe('0.00725');
    expect(cost.source).toBe('catalog');
    expect(cost.reported).toBeNull();
  });

  it('OpenAI: reasoning tokens are part of completion_tokens, billed at the completion rate when not priced', () => {
    // o3: $2 in, $8 out, no internal_reasoning price.
    const cost = costOfCall(
      {
        format: 'openai',
        usage: {
          prompt_tokens: 100,
          completion_tokens: 1000,
          completion_tokens_details: { reasoning_tokens: 700 },
        },
      },
      { prompt: '2', completion: '8' },
    );
    // prompt 100 × 2 / 1e6 = 0.0002; completion (1000 − 700) × 8 / 1e6 = 0.0024;
    // reasoning 700 × 8 / 1e6 = 0.0056; total 0.0082.
    expect(byComponent(cost)).toEqual({
      prompt: '0.0002',
      completion: '0.0024',
      internal_reasoning: '0.0056',
    });
    expect(cost.total).toBe('0.0082');
    expect(cost.notes).toEqual(['internal_reasoning: no price, 700 tokens billed at the completion rate']);
  });

  it('Anthropic (cache case): input_tokens excludes cache reads and writes, each billed at its own rate', () => {
    // Claude Sonnet 4: $3 in, $15 out, $0.30 cache read, $3.75 cache write.
    const price: CallPrice = {
      prompt: '3.00000000',
      completion: '15.00000000',
      input_cache_read: '0.30000000',
      input_cache_write: '3.75000000',
    };
    const cost = costOfCall(
      {
        format: 'anthropic',
        usage: {
          input_tokens: 2000,
          output_tokens: 400,
          cache_creation_input_tokens: 10_000,
          cache_read_input_tokens: 50_000,
        },
      },
      price,
    );
    // prompt 2000 × 3 / 1e6 = 0.006; write 10000 × 3.75 / 1e6 = 0.0375; read 50000 × 0.30 / 1e6 = 0.015;
    // completion 400 × 15 / 1e6 = 0.006; total 0.0645. Without the cache the 62000 input tokens
    // would have cost 62000 × 3 / 1e6 = 0.186.
    expect(byComponent(cost)).toEqual({
      prompt: '0.006',
      input_cache_read: '0.015',
      input_cache_write: '0.0375',
      completion: '0.006',
    });
    expect(cost.total).toBe('0.0645');
    expect(cost.tokens.promptTotal).toBe(62_000);
  });

  // Gemini 2.5 Pro (OpenRouter /models): $1.25 / $10; from 200k prompt tokens every token at $2.50 / $15.
  const gemini25Pro: CallPrice = {
    prompt: '1.25000000',
    completion: '10.00000000',
    input_cache_read: '0.31000000',
    tiers: [
      tier('prompt_tokens>=200000', {
        prompt: '2.50000000',
        completion: '15.00000000',
        input_cache_read: '0.62500000',
      }),
    ],
  };

  it('Gemini: thoughts are billed on top of candidates, cached content is part of the prompt', () => {
    const cost = costOfCall(
      {
        format: 'gemini',
        usageMetadata: {
          promptTokenCount: 10_000,
          cachedContentTokenCount: 4_000,
          candidatesTokenCount: 1_000,
          thoughtsTokenCount: 2_000,
        },
      },
      gemini25Pro,
    );
    // prompt (10000 − 4000) × 1.25 / 1e6 = 0.0075; cache 4000 × 0.31 / 1e6 = 0.00124;
    // completion 1000 × 10 / 1e6 = 0.01; thoughts 2000 × 10 / 1e6 = 0.02; total 0.03874.
    expect(byComponent(cost)).toEqual({
      prompt: '0.0075',
      input_cache_read: '0.00124',
      completion: '0.01',
      internal_reasoning: '0.02',
    });
    expect(cost.total).toBe('0.03874');
    expect(cost.tiersApplied).toEqual([]);
  });

  it('Cohere: meta.billed_units', () => {
    // Command R+: $2.50 in, $10 out. 1200 × 2.50 / 1e6 = 0.003; 300 × 10 / 1e6 = 0.003; total 0.006.
    const cost = costOfCall(
      { format: 'cohere', meta: { billed_units: { input_tokens: 1200, output_tokens: 300 } } },
      { prompt: '2.50000000', completion: '10.00000000' },
    );
    expect(byComponent(cost)).toEqual({ prompt: '0.003', completion: '0.003' });
    expect(cost.total).toBe('0.006');
  });

  describe('OpenRouter usage.cost is the truth', () => {
    const price: CallPrice = { prompt: '3.00000000', completion: '15.00000000' };
    const usage = (cost: number) =>
      ({ format: 'openrouter', usage: { prompt_tokens: 1000, completion_tokens: 100, cost } }) as const;

    it('returns the reported cost and flags the difference to the catalog', () => {
      // Catalog: 1000 × 3 / 1e6 = 0.003 + 100 × 15 / 1e6 = 0.0015 = 0.0045. Reported 0.0055: +0.001.
      const cost = costOfCall(usage(0.0055), price);
      expect(cost.catalogTotal).toBe('0.0045');
      expect(cost.total).toBe('0.0055');
      expect(cost.source).toBe('reported');
      expect(cost.reported).toEqual({ cost: '0.0055', difference: '0.001', disagrees: true });
    });

    it('agrees when the reported cost equals the catalog computation; tolerance is configurable', () => {
      expect(costOfCall(usage(0.0045), price).reported).toEqual({
        cost: '0.0045',
        difference: '0',
        disagrees: false,
      });
      // 0.0045001 − 0.0045 = 0.0000001 ≤ 0.000001.
      expect(costOfCall(usage(0.0045001), price, { tolerance: '0.000001' }).reported?.disagrees).toBe(false);
    });
  });

  it('per-request and web search fees are per unit, not per 1M', () => {
    // Perplexity-style: $1 in, $1 out per 1M, $0.005 per request, $0.01 per search.
    const cost = costOfCall(
      { format: 'openai', usage: { prompt_tokens: 500, completion_tokens: 500 } },
      { prompt: '1', completion: '1', request: '0.00500000', web_search: '0.01000000' },
      { webSearches: 3 },
    );
    // 500 × 1 / 1e6 = 0.0005 twice; request 1 × 0.005; searches 3 × 0.01 = 0.03; total 0.036.
    expect(byComponent(cost)).toEqual({
      prompt: '0.0005',
      completion: '0.0005',
      request: '0.005',
      web_search: '0.03',
    });
    expect(cost.total).toBe('0.036');
  });

  it('BYOK: 5% of the catalog cost once the monthly free allowance is used up', () => {
    const call = { format: 'openai', usage: { prompt_tokens: 1000, completion_tokens: 100 } } as const;
    const price: CallPrice = { prompt: '3', completion: '15' };
    // Within the first 1M requests of the month: no fee, 0.0045.
    expect(costOfCall(call, price, { byok: { requestsThisMonth: 999_999 } }).total).toBe('0.0045');
    // Request 1,000,001: fee 0.0045 × 0.05 = 0.000225; total 0.004725.
    const paid = costOfCall(call, price, { byok: { requestsThisMonth: 1_000_000 } });
    expect(byComponent(paid).byok_fee).toBe('0.000225');
    expect(paid.total).toBe('0.004725');
    // Configurable: 10% beyond 10 requests: 0.0045 × 0.10 = 0.00045; total 0.00495.
    expect(
      costOfCall(call, price, { byok: { requestsThisMonth: 10, freeRequestsPerMonth: 10, feeRate: '0.10' } })
        .total,
    ).toBe('0.00495');
  });

  it('exact decimals: no float drift on amounts that floats get wrong', () => {
    // 0.1 + 0.2 style: 100000 × 0.1 / 1e6 = 0.01 and 100000 × 0.2 / 1e6 = 0.02; total exactly 0.03.
    const cost = costOfCall(
      { format: 'openai', usage: { prompt_tokens: 100_000, completion_tokens: 100_000 } },
      { prompt: '0.1', completion: '0.2' },
    );
    expect(cost.total).toBe('0.03');
  });

  it('refuses to guess a missing price, and rejects impossible usage', () => {
    expect(() =>
      costOfCall({ format: 'openai', usage: { prompt_tokens: 10, completion_tokens: 10 } }, { prompt: '1' }),
    ).toThrow(expect.objectContaining({ code: 'PRICE_MISSING' }));
    expect(() =>
      tokenCounts({
        format: 'openai',
        usage: { prompt_tokens: 10, completion_tokens: 0, prompt_tokens_details: { cached_tokens: 11 } },
      }),
    ).toThrow(expect.objectContaining({ code: 'USAGE_INVALID' }));
  });
});
