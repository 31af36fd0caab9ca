import { describe, expect, it } from 'vitest';
import type { PriceChanged } from '@llmpt/schemas';
import { priceChanged as samplePriceChanged } from '@llmpt/schemas/samples';
import { describePriceChanged, formatLine, matchesFilters } from './format.ts';

const changed = {
  model_id: 'openai/gpt-4o',
  provider: null,
  alert: true,
  changes: [{ current: '2.50000000' }],
};
const perProvider = { model_id: 'openai/gpt-4o', provider: 'Azure', alert: false };

const priceChanged = (over: Partial<PriceChanged>): PriceChanged =>
  samplePriceChanged({
    event_id: 'e',
    run_id: 'r',
    caused_by: null,
    occurred_at: 0,
    price_key: 'deepseek/deepseek-v4-pro||openrouter_api',
    model_id: 'deepseek/deepseek-v4-pro',
    provider: null,
    source_type: 'openrouter_api',
    changes: [],
    previous_observed_at: null,
    current_observed_at: null,
    snapshot_date: '2026-11-27',
    alert: false,
    ...over,
  }).event;

describe('tail filters and lines', () => {
  it('filters by model, provider and alert', () => {
    expect(matchesFilters({ event: changed } as never, {})).toBe(true);
    expect(matchesFilters({ event: changed } as never, { models: ['openai/gpt-4o'] })).toBe(true);
    expect(matchesFilters({ event: changed } as never, { models: ['x/y'] })).toBe(false);
    expect(matchesFilters({ event: changed } as never, { providers: ['Azure'] })).toBe(false);
    expect(matchesFilters({ event: perProvider } as never, { providers: ['Azure'] })).toBe(true);
    expect(matchesFilters({ event: perProvider } as never, { alertsOnly: true })).toBe(false);
    expect(matchesFilters({ event: changed } as never, { alertsOnly: true })).toBe(true);
  });

  it('keeps money as strings and prints bytes as base64', () => {
    const line = formatLine({
      topic: 't',
      partition: 0,
      offset: '7',
      key: 'k',
      type: 'PriceChanged',
      event: { ...changed, blob: Buffer.from('hi') },
    });
    expect(JSON.parse(line)).toEqual({
      topic: 't',
      partition: 0,
      offset: '7',
      key: 'k',
      type: 'PriceChanged',
      event: { ...changed, blob: 'aGk=' },
    });
    expect(line).toContain('"current":"2.50000000"');
  });

  it('summarizes each change with its tier and its kind', () => {
    const e = priceChanged({
      alert: true,
      changes: [
        // The example: the off-peak base moved +51.7 %, a peak window appeared.
        {
          dimension: 'prompt',
          previous: '0.43500000',
          current: '0.66000000',
          relative_change: '0.51724138',
          tier: null,
          change: 'changed',
        },
        {
          dimension: 'prompt',
          previous: null,
          current: '1.32000000',
          relative_change: null,
          tier: 'utc 01:00-04:00',
          change: 'new',
        },
      ],
    });
    expect(describePriceChanged(e)).toBe(
      'changed deepseek/deepseek-v4-pro||openrouter_api: prompt changed 0.43500000 → 0.66000000 (+51.72 %); ' +
        'prompt [utc 01:00-04:00] new - → 1.32000000 ALERT',
    );
  });

  it('summarizes returned and expiring events, and v1 changes without tier or kind', () => {
    const back = priceChanged({
      kind: 'returned',
      changes: [
        {
          dimension: 'input_cache_read',
          previous: '0.02200000',
          current: '0.02000000',
          relative_change: '-0.09090909',
          tier: null,
          change: 'returned',
        },
      ],
    });
    expect(describePriceChanged(back)).toBe(
      'returned deepseek/deepseek-v4-pro||openrouter_api: input_cache_read returned 0.02200000 → 0.02000000 (-9.09 %)',
    );
    expect(
      describePriceChanged(priceChanged({ kind: 'expiring', expiration_date: '2026-12-31', alert: true })),
    ).toBe('expiring deepseek/deepseek-v4-pro||openrouter_api: expires 2026-12-31 ALERT');
    const v1 = priceChanged({
      changes: [
        {
          dimension: 'prompt',
          previous: '1.00000000',
          current: '2.00000000',
          relative_change: '1.00000000',
          tier: null,
          change: null,
        },
      ],
    });
    expect(describePriceChanged(v1)).toBe(
      'changed deepseek/deepseek-v4-pro||openrouter_api: prompt 1.00000000 → 2.00000000 (+100 %)',
    );
  });
});
