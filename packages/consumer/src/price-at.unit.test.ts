// price_at rows read as fields (base, tiers, every dimension), the choice among a provider's sources,
// and where a call's tiers come from. The rows are shaped as migration 0010's price_at returns them.
import { describe, expect, it } from 'vitest';
import { PipelineError } from '@llmpt/core';
import { DIMENSION_NAMES, emptyDimensionValues } from '@llmpt/schemas';
import {
  callPriceOf,
  choosePrice,
  costOfCallAt,
  normalizeRow,
  type PriceAtQuery,
  type PriceInForce,
} from './price-at.ts';

const row = (over: Record<string, unknown>): Record<string, unknown> => ({
  price_key: 'google/gemini-2.5-pro||openrouter_api',
  model_id: 'google/gemini-2.5-pro',
  provider: null,
  source_type: 'openrouter_api',
  status: 'ok',
  unavailable_reason: null,
  effective_from: new Date('2026-08-01T06:00:00Z'),
  observed_at: '2026-08-01T06:00:00+00:00',
  event_id: 'e',
  currency: 'USD',
  ...emptyDimensionValues(),
  base: [],
  tiers: [],
  ...over,
});

// google/gemini-2.5-pro as the routed price publishes it (sample catalog): the columns hold the
// highest tier, base and tiers the structure.
const routedGemini = row({
  prompt: '2.50000000',
  completion: '15.00000000',
  base: [
    { dimension: 'prompt', amount: '1.25000000' },
    { dimension: 'completion', amount: '10.00000000' },
  ],
  tiers: [
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
  ],
});

const vertex = (prompt = '1.25000000') =>
  row({
    price_key: 'google/gemini-2.5-pro|google-vertex|openrouter_endpoints',
    provider: 'google-vertex',
    source_type: 'openrouter_endpoints',
    prompt,
    completion: '10.00000000',
    base: [
      { dimension: 'prompt', amount: prompt },
      { dimension: 'completion', amount: '10.00000000' },
    ],
    event_id: 'v',
  });

const usage300k = {
  format: 'gemini',
  usageMetadata: { promptTokenCount: 300_000, candidatesTokenCount: 1_000 },
} as const;

describe('price_at rows', () => {
  it('reads every dimension, the base and the typed tiers; times as ISO strings', () => {
    const r = normalizeRow(routedGemini);
    expect(Object.keys(r)).toEqual(expect.arrayContaining([...DIMENSION_NAMES, 'base', 'tiers']));
    expect(r.effective_from).toBe('2026-08-01T06:00:00.000Z');
    expect(r.observed_at).toBe('2026-08-01T06:00:00.000Z');
    expect(r.tiers[0]).toMatchObject({ label: 'prompt_tokens>=200000', prompt_tokens_gte: 200000 });
  });

  it('money stays text: a JSON number amount or column is refused, not passed through a float', () => {
    expect(() => normalizeRow(row({ prompt: 2.5 }))).toThrow(
      expect.objectContaining({ code: 'PRICE_ROW_INVALID' }),
    );
    expect(() => normalizeRow(row({ prompt: 2.5 }))).toThrow(
      expect.objectContaining({ name: 'ConsumerError', retriable: false }),
    );
    expect(() => normalizeRow(row({ prompt: 2.5 }))).toThrow(PipelineError);
    expect(() => normalizeRow(row({ base: [{ dimension: 'prompt', amount: 1.25 }] }))).toThrow(
      expect.objectContaining({ code: 'PRICE_ROW_INVALID' }),
    );
    expect(() => normalizeRow(row({ base: [{ dimension: 'audio', amount: '1' }] }))).toThrow(
      expect.objectContaining({ code: 'PRICE_ROW_INVALID' }),
    );
  });

  it('a v2 row prices from its base and tiers; a v1 row (empty base) from its columns', () => {
    expect(callPriceOf(normalizeRow(routedGemini))).toMatchObject({
      prompt: '1.25000000',
      completion: '10.00000000',
      tiers: [
        { label: 'prompt_tokens>=200000', prices: { prompt: '2.50000000', completion: '15.00000000' } },
      ],
    });
    const v1 = callPriceOf(normalizeRow(row({ prompt: '2.50000000', completion: '15.00000000' })));
    expect(v1).toMatchObject({
      prompt: '2.50000000',
      completion: '15.00000000',
      input_audio: null,
      tiers: [],
    });
    expect(() => callPriceOf(normalizeRow(row({ status: 'removed' })))).toThrow(
      expect.objectContaining({ code: 'PRICE_NOT_IN_FORCE' }),
    );
  });
});

describe("a provider's price without naming the source", () => {
  const site = normalizeRow(
    row({
      price_key: 'google/gemini-2.5-pro|google-vertex|provider_site',
      provider: 'google-vertex',
      source_type: 'provider_site',
      event_id: 's',
    }),
  );
  const q: PriceAtQuery = {
    modelId: 'google/gemini-2.5-pro',
    at: '2026-08-02T00:00:00Z',
    provider: 'google-vertex',
  };

  it('prefers openrouter_endpoints, then provider_site, then web_fallback; strict lists them', () => {
    expect(choosePrice([site, normalizeRow(vertex())], q).source_type).toBe('openrouter_endpoints');
    const strict = () => choosePrice([site, normalizeRow(vertex())], q, true);
    expect(strict).toThrow(expect.objectContaining({ code: 'PRICE_AMBIGUOUS' }));
    expect(strict).toThrow(
      'google/gemini-2.5-pro|google-vertex|provider_site, google/gemini-2.5-pro|google-vertex|openrouter_endpoints',
    );
    const removed = normalizeRow({ ...vertex(), status: 'removed' });
    expect(choosePrice([removed, site], q).source_type).toBe('provider_site');
  });

  it('several providers are ambiguous; none is unknown', () => {
    const other = normalizeRow({ ...vertex(), provider: 'google-ai-studio', price_key: 'x' });
    expect(() => choosePrice([normalizeRow(vertex()), other], { ...q, provider: null })).toThrow(
      expect.objectContaining({ code: 'PRICE_AMBIGUOUS' }),
    );
    expect(() => choosePrice([], q)).toThrow(expect.objectContaining({ code: 'PRICE_UNKNOWN' }));
  });
});

describe('tiers from another source', () => {
  /** A price_at stand-in: the routed price, and google-vertex's endpoint price. */
  const lookupWith = (endpoint: Record<string, unknown>) => {
    const asked: PriceAtQuery[] = [];
    const lookup = async (q: PriceAtQuery): Promise<PriceInForce[]> => {
      asked.push(q);
      // price_at's defaults: no provider and no source is the routed price.
      if (q.source === 'openrouter_api' || (q.source === undefined && !q.provider))
        return [normalizeRow(routedGemini)];
      return q.provider === 'google-vertex' ? [normalizeRow(endpoint)] : [];
    };
    return { lookup, asked };
  };
  const q: PriceAtQuery = {
    modelId: 'google/gemini-2.5-pro',
    at: '2026-08-02T12:00:00Z',
    provider: 'google-vertex',
  };

  it('a 300k-token call on google-vertex (endpoints: no tiers) gets the routed tier, and says so', async () => {
    const { lookup, asked } = lookupWith(vertex());
    const cost = await costOfCallAt(lookup, q, usage300k);
    // The example: not the base 1.25. 300000 × 2.50 / 1e6 = 0.75; 1000 × 15 / 1e6 = 0.015;
    // total 0.765 (at the base it would have been 0.375 + 0.01 = 0.385).
    expect(cost.total).toBe('0.765');
    expect(cost.price.source_type).toBe('openrouter_endpoints');
    expect(cost.tiersFrom).toEqual({
      source: 'openrouter_api',
      price_key: 'google/gemini-2.5-pro||openrouter_api',
    });
    expect(cost.tiersApplied).toEqual(['prompt_tokens>=200000']);
    expect(cost.warnings).toEqual([]);
    expect(cost.notes).toContain(
      'openrouter_endpoints publishes no tiers; the tiers of google/gemini-2.5-pro||openrouter_api (same base prices) were applied',
    );
    // --provider without --source: every source of the provider was asked (source null).
    expect(asked[0]).toMatchObject({ provider: 'google-vertex' });
    expect(asked[0]!.source).toBeUndefined();
  });

  it('over a different base the routed tiers are not applied: a warning, never silence', async () => {
    const { lookup } = lookupWith(vertex('1.10000000'));
    const cost = await costOfCallAt(lookup, q, usage300k);
    // 300000 × 1.10 / 1e6 = 0.33; 1000 × 10 / 1e6 = 0.01; total 0.34.
    expect(cost.total).toBe('0.34');
    expect(cost.tiersFrom).toBeNull();
    expect(cost.warnings).toEqual([
      'openrouter_endpoints publishes no tiers; google/gemini-2.5-pro||openrouter_api has "prompt_tokens>=200000" over other base prices, not applied: this call may be billed at a tier this total does not include',
    ]);
  });

  it('the routed price applies its own tiers, no other source asked', async () => {
    const { lookup } = lookupWith(vertex());
    const routed = await costOfCallAt(lookup, { modelId: 'google/gemini-2.5-pro', at: q.at }, usage300k);
    expect(routed.total).toBe('0.765');
    expect(routed.tiersFrom).toBeNull();
  });
});
