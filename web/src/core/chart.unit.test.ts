// Oracle: web/README.md "History chart" (series, x, y, closing points, markers, filter, the table);
// the expected arrays are written out by hand from the rule.
import { describe, expect, it } from 'vitest';
import { chartData, chartProviders, chosenDimension, parseProviders } from './chart.ts';
import { interval } from './testing/intervals.ts';

const D1 = '2026-08-01T06:00:00.000Z';
const R = '2026-08-10T00:00:00.000Z';
const D2 = '2026-08-19T06:00:00.000Z';
const NOW = Date.parse('2026-08-20T00:00:00.000Z');
const p = (prompt: string, more: { completion?: string } = {}) => [
  { dimension: 'prompt', amount: prompt },
  ...(more.completion ? [{ dimension: 'completion', amount: more.completion }] : []),
];

const ROUTED = [
  interval({ from: D1, to: D2, ended_by: 'change', base: p('0.43500000', { completion: '0.87' }) }),
  interval({ from: D2, base: p('0.66000000', { completion: '1.98' }), tiers: [] }),
];
const BETA = [interval({ provider: 'beta', from: D1, to: R, ended_by: 'removal', base: p('2') })];

describe('chart data', () => {
  it('one step series per key, routed first; x every boundary then now; a removed line closes at its end', () => {
    const data = chartData([...BETA, ...ROUTED], 'prompt', new Set(), NOW);
    expect(data.xs).toEqual([Date.parse(D1), Date.parse(R), Date.parse(D2), NOW]);
    expect(data.series.map((s) => [s.name, s.provider])).toEqual([
      ['OpenRouter (routed)', 'openrouter'],
      ['beta', 'beta'],
    ]);
    expect(data.series[0]!.values).toEqual(['0.43500000', '0.43500000', '0.66000000', '0.66000000']);
    expect(data.series[0]!.endIndex).toBeNull();
    expect(data.series[1]!.values).toEqual(['2', '2', null, null]);
    expect(data.series[1]!.endIndex).toBe(1);
  });
  it('a change marker with the relative move: (0.66 − 0.435) ÷ 0.435 = +51.72…% → +51.7%', () => {
    const data = chartData(ROUTED, 'prompt', new Set(), NOW);
    expect(data.series[0]!.markers).toEqual([
      { index: 1, previous: '0.43500000', current: '0.66000000', label: '+51.7%' },
    ]);
    // completion 0.87 → 1.98: +127.586…% → +127.6%
    expect(chartData(ROUTED, 'completion', new Set(), NOW).series[0]!.markers[0]!.label).toBe('+127.6%');
  });
  it('the provider filter keeps the named keys only (openrouter: the routed price)', () => {
    const beta = chartData([...BETA, ...ROUTED], 'prompt', parseProviders('beta'), NOW);
    expect(beta.series.map((s) => s.name)).toEqual(['beta']);
    expect(beta.xs).toEqual([Date.parse(D1), Date.parse(R), NOW]);
    expect(beta.series[0]!.values).toEqual(['2', '2', null]);
    const routed = chartData([...BETA, ...ROUTED], 'prompt', parseProviders('openrouter,nobody'), NOW);
    expect(routed.series.map((s) => s.name)).toEqual(['OpenRouter (routed)']);
  });
  it('gaps (unavailable, removed then back), markers across a gap, from zero, and no marker without a move', () => {
    const T1 = '2026-08-05T00:00:00.000Z';
    const T2 = '2026-08-08T00:00:00.000Z';
    const key = [
      interval({ provider: 'a', from: D1, to: T1, ended_by: 'change', base: p('0') }),
      interval({ provider: 'a', from: T1, to: T2, ended_by: 'removal', status: 'unavailable' }),
      interval({ provider: 'a', from: T2, to: R, ended_by: 'change', base: p('1', { completion: '5' }) }),
      interval({ provider: 'a', from: R, base: p('1', { completion: '4' }) }),
    ];
    const data = chartData(key, 'prompt', new Set(), NOW);
    expect(data.xs).toEqual([D1, T1, T2, R].map(Date.parse).concat(NOW));
    expect(data.series[0]!.values).toEqual(['0', null, '1', '1', '1']);
    expect(data.series[0]!.endIndex).toBeNull();
    expect(data.series[0]!.markers).toEqual([{ index: 2, previous: '0', current: '1', label: 'from $0.00' }]);
    expect(chartData(key, 'completion', new Set(), NOW).series[0]!.markers).toEqual([
      { index: 3, previous: '5', current: '4', label: '-20%' },
    ]);
    expect(data.rows.map((r) => [r.from, r.to, r.endedBy, r.status, r.amount, r.move])).toEqual([
      [D1, T1, 'change', 'ok', '0', null],
      [T1, T2, 'removal', 'unavailable', null, null],
      [T2, R, 'change', 'ok', '1', 'from $0.00'],
      [R, null, null, 'ok', '1', null],
    ]);
  });
  it('a dimension dropped by a later interval closes its line there; no x after a clock behind the data', () => {
    const key = [
      interval({
        from: D1,
        to: D2,
        ended_by: 'change',
        base: [{ dimension: 'input_cache_read', amount: '0.1' }, ...p('1')],
      }),
      interval({ from: D2, base: p('1') }),
    ];
    const data = chartData(key, 'input_cache_read', new Set(), Date.parse(D1));
    expect(data.xs).toEqual([Date.parse(D1), Date.parse(D2)]);
    expect(data.series[0]!.values).toEqual(['0.1', '0.1']);
    expect(data.series[0]!.endIndex).toBe(1);
  });
});

describe('the dimension switch and the provider list', () => {
  const intervals = [
    ...ROUTED,
    interval({ provider: 'v', from: D1, dimensions: { discount: '0', web_search: '0.01' } }),
  ];
  it('offers the listed dimensions; prompt by default; an unknown dim falls back', () => {
    expect(chosenDimension(intervals, 'web_search')).toBe('web_search');
    expect(chosenDimension(intervals, 'image')).toBe('prompt');
    expect(chosenDimension(intervals, null)).toBe('prompt');
    expect(
      chosenDimension([interval({ from: D1, dimensions: { web_search: '0.01', request: '1' } })], null),
    ).toBe('request');
    expect(chosenDimension([interval({ from: D1, status: 'unavailable' })], null)).toBeNull();
  });
  it('providers in key order', () => {
    expect(chartProviders([...BETA, ...intervals])).toEqual(['openrouter', 'beta', 'v']);
  });
});
