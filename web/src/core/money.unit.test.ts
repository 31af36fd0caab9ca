// Oracle: web/README.md "Numbers", case by case (the expected strings are written from the rule).
import { describe, expect, it } from 'vitest';
import { compareDecimal, groupedDecimal, percent, sum, times, usd } from './money.ts';

describe('usd (web/README.md "Numbers")', () => {
  it.each([
    ['3', '$3.00'],
    ['0.0375', '$0.0375'],
    ['1234.5', '$1,234.50'],
    ['-0.2', '-$0.20'],
    ['0', '$0.00'],
    ['0.00000008', '$0.00000008'],
    ['15.00000000', '$15.00'],
    ['1000000', '$1,000,000.00'],
    ['-0', '$0.00'],
  ])('%s → %s', (input, expected) => expect(usd(input)).toBe(expected));
  it('null is an em dash, never $0.00', () => {
    expect(usd(null)).toBe('—');
    expect(usd(undefined)).toBe('—');
  });
  it('refuses what is not a decimal string', () => {
    expect(() => groupedDecimal('1e-7')).toThrow(/not a decimal/);
    expect(() => groupedDecimal('abc')).toThrow(/not a decimal/);
  });
});

describe('percent', () => {
  it.each([
    ['-0.25', '-25%'],
    ['0.125', '+12.5%'],
    ['0', '0%'],
    ['0.00125', '+0.1%'],
    ['0.00075', '+0.1%'],
    ['0.00025', '0%'],
    ['-1', '-100%'],
  ])('%s → %s', (input, expected) => expect(percent(input)).toBe(expected));
  it('no fraction is an em dash', () => expect(percent(null)).toBe('—'));
});

describe('exact arithmetic and order', () => {
  it('compares decimals exactly, null last', () => {
    const values = ['0.1', null, '0.10000001', '2', '0.09999999'];
    expect([...values].sort(compareDecimal)).toEqual(['0.09999999', '0.1', '0.10000001', '2', null]);
    expect(
      [...values].sort((a, b) => (a == null || b == null ? compareDecimal(a, b) : -compareDecimal(a, b))),
    ).toEqual(['2', '0.10000001', '0.1', '0.09999999', null]);
  });
  it('sums and multiplies without float error', () => {
    expect(sum(['0.1', '0.2'])).toBe('0.3');
    expect(times('0.00000003', 1_000_000)).toBe('0.03');
    expect(times('0.0123', '30000')).toBe('369');
  });
});
