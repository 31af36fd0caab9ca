// Oracle: web/README.md "Model" (the listed amount, current prices, the removal banner).
import { describe, expect, it } from 'vitest';
import {
  currentPrices,
  dayText,
  everyPriceRemoved,
  keyName,
  listedAmounts,
  listedDimensions,
  utcText,
} from './history.ts';
import { interval } from './testing/intervals.ts';

describe('listed amounts', () => {
  it('the base when there is one, not the highest tier', () => {
    const i = interval({
      from: '2026-08-01T00:00:00Z',
      dimensions: { prompt: '2.50000000', completion: '15.00000000', request: null },
      base: [
        { dimension: 'prompt', amount: '1.25000000' },
        { dimension: 'completion', amount: '10.00000000' },
      ],
    });
    expect([...listedAmounts(i)]).toEqual([
      ['prompt', '1.25000000'],
      ['completion', '10.00000000'],
    ]);
  });
  it('the stored columns when the base is empty (variants); nothing when unavailable', () => {
    const variants = interval({
      from: '2026-08-01T00:00:00Z',
      dimensions: { prompt: '1.25', completion: null, discount: '0' },
    });
    expect([...listedAmounts(variants)]).toEqual([
      ['prompt', '1.25'],
      ['discount', '0'],
    ]);
    expect(
      listedAmounts(
        interval({ from: '2026-08-01T00:00:00Z', status: 'unavailable', dimensions: { prompt: '1' } }),
      ).size,
    ).toBe(0);
  });
  it('dimensions in registry order', () => {
    expect(
      listedDimensions([
        new Map([
          ['discount', '0'],
          ['completion', '1'],
        ]),
        new Map([['prompt', '1']]),
      ]),
    ).toEqual(['prompt', 'completion', 'discount']);
  });
});

describe('current prices', () => {
  const D1 = '2026-08-01T06:00:00.000Z';
  const D2 = '2026-08-19T06:00:00.000Z';
  const intervals = [
    interval({ provider: 'zeta', from: D1 }),
    interval({
      provider: 'beta',
      from: D1,
      to: '2026-08-19T00:00:00.000Z',
      ended_by: 'removal',
      base: [{ dimension: 'prompt', amount: '1' }],
    }),
    interval({ provider: 'alpha', from: D1, status: 'unavailable', unavailable_reason: 'variable' }),
    interval({ provider: null, from: D1, to: D2, ended_by: 'change' }),
    interval({ provider: null, from: D2, base: [{ dimension: 'prompt', amount: '2' }] }),
    interval({ provider: 'gamma', from: D1, source: 'provider_site' }),
  ];
  it('one row per key from its newest interval: routed, in force, unavailable, removed', () => {
    const rows = currentPrices(intervals);
    expect(rows.map((r) => [keyName(r.interval), r.status])).toEqual([
      ['OpenRouter (routed)', 'in-force'],
      ['gamma (site)', 'in-force'],
      ['zeta', 'in-force'],
      ['alpha', 'unavailable'],
      ['beta', 'removed'],
    ]);
    expect(rows[0]!.interval.from).toBe(D2);
    expect(rows[4]!.amounts.get('prompt')).toBe('1');
  });
  it('every price removed: the latest removal; otherwise none', () => {
    expect(everyPriceRemoved(intervals)).toBeNull();
    expect(
      everyPriceRemoved([
        interval({ provider: null, from: D1, to: '2026-08-19T00:00:00.000Z', ended_by: 'removal' }),
        interval({ provider: 'a', from: D1, to: '2026-08-20T00:00:00.000Z', ended_by: 'removal' }),
      ]),
    ).toBe('2026-08-20T00:00:00.000Z');
  });
});

describe('instants in the page', () => {
  it('minutes and the day, in UTC', () => {
    expect(utcText('2026-08-19T06:00:02.000Z')).toBe('2026-08-19 06:00 UTC');
    expect(utcText('2026-08-19T23:30:00-02:00')).toBe('2026-08-20 01:30 UTC');
    expect(dayText('2026-08-20T00:00:00.000Z')).toBe('2026-08-20');
  });
});
