import { describe, expect, it } from 'vitest';
import { formatLine, matchesFilters } from './format.ts';

const changed = {
  model_id: 'openai/gpt-4o',
  provider: null,
  alert: true,
  changes: [{ current: '2.50000000' }],
};
const perProvider = { model_id: 'openai/gpt-4o', provider: 'Azure', alert: false };

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
});
