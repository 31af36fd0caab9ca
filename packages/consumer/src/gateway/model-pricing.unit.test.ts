import { describe, expect, it } from 'vitest';
import type { PriceChanged } from '@llmpt/schemas';
import { per1k, pricingUpdate } from './model-pricing.ts';

const event = (over: Partial<PriceChanged>): PriceChanged => ({
  event_id: 'e1',
  run_id: 'r',
  caused_by: null,
  occurred_at: 1_786_000_000_000,
  price_key: 'openai/gpt-4o||openrouter_api',
  model_id: 'openai/gpt-4o',
  provider: null,
  source_type: 'openrouter_api',
  kind: 'changed',
  changes: [
    { dimension: 'prompt', previous: '5.00000000', current: '2.50000000', relative_change: '-0.50000000' },
    { dimension: 'request', previous: null, current: '0.00100000', relative_change: null },
    { dimension: 'audio', previous: null, current: '40.00000000', relative_change: null },
  ],
  previous_observed_at: null,
  current_observed_at: null,
  snapshot_date: '2026-08-19',
  alert: true,
  alert_threshold: '0.30',
  ...over,
});

describe('gateway pricing rows', () => {
  it('per 1K is the per-1M price / 1000, exact', () => {
    // 2.50 / 1000 = 0.0025; 0.075 / 1000 = 0.000075.
    expect(per1k('2.50000000')).toBe('0.00250000000');
    expect(per1k('0.07500000')).toBe('0.00007500000');
  });

  it('a changed event sets only what moved, for the model and its aliases', () => {
    const u = pricingUpdate(event({}), { mine: 'openai/gpt-4o', other: 'x/y', also: 'openai/gpt-4o' });
    expect(u).toEqual({
      modelNames: ['openai/gpt-4o', 'also', 'mine'],
      modelId: 'openai/gpt-4o',
      set: { input_cost_per_1k: '0.00250000000', request_cost: '0.00100000' },
      resetOthers: false,
      listed: true,
      eventAt: 1_786_000_000_000,
      eventId: 'e1',
    });
  });

  it('removed unlists; per-provider prices are not what this gateway charges', () => {
    expect(pricingUpdate(event({ kind: 'removed', changes: [] }), {})).toMatchObject({
      listed: false,
      set: {},
    });
    expect(pricingUpdate(event({ provider: 'Azure', source_type: 'openrouter_endpoints' }), {})).toBeNull();
  });
});
