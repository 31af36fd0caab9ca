import { describe, expect, it } from 'vitest';
import type { PriceChanged, PriceChangeRetracted } from '@llmpt/schemas';
import { priceChanged as samplePriceChanged } from '@llmpt/schemas/samples';
import { describePriceChanged, formatLine, matchesFilters, summaryOf } from './format.ts';

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

  describe('retraction records', () => {
    const record = (over: Partial<PriceChangeRetracted>): PriceChangeRetracted => ({
      event_id: 'r',
      price_key: 'anthropic/claude-sonnet-4|google-vertex|openrouter_endpoints',
      retracted_event_id: 'pc-1',
      retracted_digest: 'ab12cd34ef560000000000000000000000000000000000000000000000000000',
      retracted: true,
      revision: 3,
      caused_by: 'np-late',
      occurred_at: 0,
      ...over,
    });

    it('summarizes a retraction and a reinstatement: key, change id, short digest, revision', () => {
      const m = (r: PriceChangeRetracted) => ({
        key: r.price_key,
        name: 'PriceChangeRetracted' as const,
        event: r,
      });
      expect(summaryOf(m(record({})))).toBe(
        'retracted anthropic/claude-sonnet-4|google-vertex|openrouter_endpoints: change pc-1 version ab12cd34ef56 (revision 3)',
      );
      expect(summaryOf(m(record({ retracted: false, revision: 4 })))).toBe(
        'reinstated anthropic/claude-sonnet-4|google-vertex|openrouter_endpoints: change pc-1 version ab12cd34ef56 (revision 4)',
      );
      const e = priceChanged({});
      expect(summaryOf({ key: e.price_key, name: 'PriceChanged', event: e })).toBe(describePriceChanged(e));
    });

    it('filters by the model and provider of its price key; --alerts-only leaves it out', () => {
      const r = record({});
      const routed = record({ price_key: 'openai/gpt-4o||openrouter_api' });
      expect(matchesFilters({ event: r }, {})).toBe(true);
      expect(matchesFilters({ event: r }, { models: ['anthropic/claude-sonnet-4'] })).toBe(true);
      expect(matchesFilters({ event: r }, { models: ['openai/gpt-4o'] })).toBe(false);
      expect(matchesFilters({ event: r }, { providers: ['google-vertex'] })).toBe(true);
      expect(matchesFilters({ event: r }, { providers: ['anthropic'] })).toBe(false);
      expect(matchesFilters({ event: routed }, { models: ['openai/gpt-4o'] })).toBe(true);
      expect(matchesFilters({ event: routed }, { providers: ['openrouter'] })).toBe(false);
      expect(matchesFilters({ event: r }, { alertsOnly: true })).toBe(false);
    });
  });
});
