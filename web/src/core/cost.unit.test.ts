// Oracle: web/README.md "Cost" (a component's line, the signed difference) and "Compare" (the model
// list, the cheapest column), case by case.
import { describe, expect, it } from 'vitest';
import {
  addModel,
  cheapestIndexes,
  componentText,
  modelsOf,
  removeModel,
  routedOf,
  signedUsd,
  tierText,
  tokensText,
  type CostAnswer,
  type ProviderCost,
} from './cost.ts';

describe('a component', () => {
  it('count × rate = amount, with the rate’s unit', () => {
    expect(
      componentText({
        dimension: 'prompt',
        count: '600',
        rate: '3',
        unit: 'per_1m_tokens',
        tier: null,
        amount: '0.0018',
      }),
    ).toBe('600 × $3.00 per 1M tokens = $0.0018');
    expect(
      componentText({
        dimension: 'prompt',
        count: '1234567',
        rate: '0.075',
        unit: 'per_1m_tokens',
        tier: 'x',
        amount: '0.092592525',
      }),
    ).toBe('1,234,567 × $0.075 per 1M tokens = $0.092592525');
    expect(
      componentText({
        dimension: 'web_search',
        count: '2',
        rate: '0.01',
        unit: 'per_web_search',
        tier: null,
        amount: '0.02',
      }),
    ).toBe('2 × $0.01 per web search = $0.02');
    expect(
      componentText({
        dimension: 'request',
        count: '1',
        rate: '0.0002',
        unit: 'per_request',
        tier: null,
        amount: '0.0002',
      }),
    ).toBe('1 × $0.0002 per request = $0.0002');
    expect(
      componentText({
        dimension: 'image',
        count: '3',
        rate: '0.001',
        unit: 'per_image',
        tier: null,
        amount: '0.003',
      }),
    ).toBe('3 × $0.001 per image = $0.003');
  });
  it('the BYOK fee: the amount it applies to × the fraction', () => {
    expect(
      componentText({
        dimension: 'byok_fee',
        count: '0.01',
        rate: '0.05',
        unit: 'fraction',
        tier: null,
        amount: '0.0005',
      }),
    ).toBe('$0.01 × 0.05 = $0.0005');
  });
  it('the tier, or base', () => {
    const c = {
      dimension: 'prompt',
      count: '1',
      rate: '1',
      unit: 'per_1m_tokens' as const,
      amount: '0.000001',
    };
    expect(tierText({ ...c, tier: null })).toBe('base');
    expect(tierText({ ...c, tier: 'prompt_tokens>=200000' })).toBe('prompt_tokens>=200000');
  });
  it('a difference has its sign', () => {
    expect(signedUsd('0.004735')).toBe('+$0.004735');
    expect(signedUsd('-0.001')).toBe('-$0.001');
    expect(signedUsd('0')).toBe('$0.00');
  });
});

const cost = (provider: string | null, catalog_total: string): ProviderCost => ({
  provider,
  source: 'openrouter_endpoints',
  price_key: `m|${provider ?? ''}|s`,
  total: catalog_total,
  total_source: 'catalog',
  catalog_total,
  components: [],
  tiers_applied: [],
  reported: null,
  price: { source: 's', source_url: null, observed_at: '', effective_from: '', event_id: '' },
  notes: [],
  warnings: [],
});

describe('the routed price', () => {
  const data = (
    costs: ProviderCost[],
    unpriced: CostAnswer['data']['unpriced'] = [],
  ): CostAnswer['data'] => ({
    model: 'a/b',
    at: '',
    format: 'openrouter',
    tokens: {},
    chosen: null,
    costs,
    unpriced,
  });
  it('the cost whose provider is null, else its reason, else none', () => {
    const routed = cost(null, '2');
    expect(routedOf(data([cost('x', '1'), routed]))).toEqual({ cost: routed });
    const reason = { provider: null, code: 'PRICE_UNAVAILABLE', message: 'no price' };
    expect(routedOf(data([cost('x', '1')], [reason]))).toEqual({ unpriced: reason });
    expect(routedOf(data([cost('x', '1')]))).toBeNull();
  });
});

describe('the cheapest column', () => {
  it('the lowest, exactly; ties all; missing never', () => {
    expect(cheapestIndexes(['0.10000001', '0.1', null, '0.2'])).toEqual([1]);
    expect(cheapestIndexes(['0.3', '0.30', '1'])).toEqual([0, 1]);
    expect(cheapestIndexes([null, null])).toEqual([]);
  });
});

describe('the compared models', () => {
  it('in order, each once, what is not a model id named and left out, five at most', () => {
    expect(modelsOf(new URLSearchParams('models=a/b, c/d,a/b'))).toEqual({
      models: ['a/b', 'c/d'],
      problems: [],
    });
    const bad = modelsOf(new URLSearchParams('models=a/b,nope,c/d'));
    expect(bad.models).toEqual(['a/b', 'c/d']);
    expect(bad.problems).toEqual(['“nope” is not a model id (author/slug), left out.']);
    const many = modelsOf(new URLSearchParams('models=a/1,a/2,a/3,a/4,a/5,a/6,a/7'));
    expect(many.models).toEqual(['a/1', 'a/2', 'a/3', 'a/4', 'a/5']);
    expect(many.problems).toEqual(['At most 5 models side by side: a/6, a/7 left out.']);
  });
  it('adding: not twice, not beyond five, only model ids', () => {
    expect(addModel(['a/b'], ' c/d ')).toEqual({ ok: true, models: ['a/b', 'c/d'] });
    expect(addModel(['a/b'], 'a/b').ok).toBe(false);
    expect(addModel(['a/1', 'a/2', 'a/3', 'a/4', 'a/5'], 'a/6').ok).toBe(false);
    expect(addModel(['a/b'], 'gpt').ok).toBe(false);
  });
  it('removing: never below two', () => {
    expect(removeModel(['a/b', 'c/d', 'e/f'], 'c/d')).toEqual({ ok: true, models: ['a/b', 'e/f'] });
    const refused = removeModel(['a/b', 'c/d'], 'a/b');
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.message).toMatch(/at least 2 models/);
  });
});

describe('what was counted', () => {
  it('the non-zero counts in words, in the README’s order; promptTotal and requests left out', () => {
    expect(
      tokensText({
        format: 'openrouter',
        promptTotal: 3329,
        prompt: 3,
        completion: 53,
        cacheRead: 3211,
        cacheWrite: 115,
        reasoning: 0,
        requests: 1,
        webSearches: 2,
        reportedCost: '0.00219855',
      }),
    ).toBe('3 input, 3,211 cache read, 115 cache write, 53 output, 2 web searches');
    expect(tokensText({ promptTotal: 0, requests: 1 })).toBe('');
  });
});
