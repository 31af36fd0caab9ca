import { describe, expect, it } from 'vitest';
import { DIMENSIONS, type DimensionChange, type PriceChanged } from '@llmpt/schemas';
import { priceChanged } from '@llmpt/schemas/samples';
import { columnOfDimension, per1k, pricingColumns, pricingUpdate } from './model-pricing.ts';

const change = (over: Partial<DimensionChange>): DimensionChange => ({
  dimension: 'prompt',
  previous: null,
  current: null,
  relative_change: null,
  tier: null,
  change: 'changed',
  ...over,
});

const event = (over: Partial<PriceChanged>): PriceChanged =>
  priceChanged({
    event_id: 'e1',
    run_id: 'r',
    caused_by: null,
    occurred_at: 1_786_000_000_000,
    price_key: 'openai/gpt-4o||openrouter_api',
    model_id: 'openai/gpt-4o',
    provider: null,
    source_type: 'openrouter_api',
    changes: [
      change({ previous: '5.00000000', current: '2.50000000', relative_change: '-0.50000000' }),
      change({ dimension: 'request', current: '0.00100000', change: 'new' }),
      change({ dimension: 'input_audio', current: '40.00000000', change: 'new' }),
    ],
    previous_observed_at: null,
    current_observed_at: null,
    snapshot_date: '2026-08-19',
    ...over,
  }).event;

describe('gateway pricing rows', () => {
  it('per 1K is the per-1M price / 1000, exact', () => {
    // 2.50 / 1000 = 0.0025; 0.075 / 1000 = 0.000075.
    expect(per1k('2.50000000')).toBe('0.00250000000');
    expect(per1k('0.07500000')).toBe('0.00007500000');
  });

  it('a column is per 1K exactly when its dimension is priced per 1M tokens in the registry', () => {
    for (const [d, target] of Object.entries(columnOfDimension)) {
      const spec = DIMENSIONS.find((x) => x.name === d);
      expect(spec, d).toBeDefined();
      expect(target.per1k, d).toBe(spec!.basis === 'per_1m_tokens');
    }
    expect(pricingColumns).toHaveLength(new Set(pricingColumns).size);
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

  it('the flat table charges the base: a tier move changes nothing', () => {
    const u = pricingUpdate(
      event({
        changes: [
          change({ tier: 'utc 01:00-04:00', previous: '1.32000000', current: '1.50000000' }),
          change({ previous: '0.43500000', current: '0.66000000' }),
        ],
      }),
      {},
    );
    // 0.66 / 1000 = 0.00066.
    expect(u?.set).toEqual({ input_cost_per_1k: '0.00066000000' });
  });

  it('image_cost is per image: the per-image dimension only, never a per-token price', () => {
    const u = pricingUpdate(
      event({
        changes: [
          change({ dimension: 'image', current: '0.00100000', change: 'new' }),
          change({ dimension: 'image_token', current: '1.25000000', change: 'new' }),
        ],
      }),
      {},
    );
    expect(u?.set).toEqual({ image_cost: '0.00100000' });
    // A v1 event (no change kind) may hold a per-token price in `image`: not copied.
    const v1 = pricingUpdate(
      event({ changes: [change({ dimension: 'image', current: '1.25000000', change: null })] }),
      {},
    );
    expect(v1?.set).toEqual({});
  });

  it("an expiration notice writes nothing (it would shadow the run's new price, published before it)", () => {
    expect(
      pricingUpdate(event({ kind: 'expiring', changes: [], alert: true, expiration_date: '2026-08-10' }), {}),
    ).toBeNull();
  });

  it('removed unlists, returned lists again; per-provider prices are not what this gateway charges', () => {
    expect(pricingUpdate(event({ kind: 'removed', changes: [] }), {})).toMatchObject({
      listed: false,
      set: {},
    });
    expect(
      pricingUpdate(
        event({
          kind: 'returned',
          changes: [change({ previous: '2.50000000', current: '2.50000000', change: 'returned' })],
        }),
        {},
      ),
    ).toMatchObject({ listed: true, resetOthers: false, set: { input_cost_per_1k: '0.00250000000' } });
    expect(pricingUpdate(event({ provider: 'Azure', source_type: 'openrouter_endpoints' }), {})).toBeNull();
  });
});
