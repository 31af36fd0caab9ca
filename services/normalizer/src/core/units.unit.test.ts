import { describe, expect, it } from 'vitest';
import { PoisonInputError } from '@llmpt/core';
import { NormalizeError } from '../errors.ts';
import { Dec, basisOfUnit, parseAmount, parsePrice, toMoney } from './units.ts';

function amount(raw: string, unit = 'per_token', currency = 'USD'): string {
  const parsed = parsePrice(raw, unit, currency);
  if (parsed.status !== 'ok') throw new Error(`expected a price, got ${parsed.reason}`);
  return parsed.amount;
}

describe('parsePrice: token prices become USD per 1M tokens at scale 8', () => {
  it.each([
    // raw, unit, expected (checked by hand)
    ['0.000003', 'per_token', '3.00000000'], // 0.000003 × 1e6
    ['0.00015', 'per_token', '150.00000000'], // o1-pro prompt
    ['0.0006', 'per_token', '600.00000000'], // o1-pro completion
    ['0.0000003827', 'per_token', '0.38270000'],
    ['0.00000019135', 'per_token', '0.19135000'],
    ['1e-7', 'per_token', '0.10000000'], // exponent accepted: 1e-7 × 1e6 = 0.1
    ['2.5E-6', 'per_token', '2.50000000'],
    ['0.003', 'per_1k_tokens', '3.00000000'], // × 1e3
    ['$1,250.00', 'per_1k_tokens', '1250000.00000000'], // $1250 per 1K = $1.25M per 1M
    ['$1.25', 'per_1m_tokens', '1.25000000'],
    [' 2.5 ', 'per_1m_tokens', '2.50000000'],
    ['.5', 'per_1m_tokens', '0.50000000'],
  ])('%j %s → %s', (raw, unit, expected) => {
    expect(amount(raw, unit)).toBe(expected);
    expect(parsePrice(raw, unit)).toMatchObject({ status: 'ok', basis: 'per_1m_tokens', unit });
  });

  it('keeps per-unit prices per unit', () => {
    for (const unit of [
      'per_request',
      'per_image',
      'per_web_search',
      'per_second',
      'per_minute',
      'per_unit',
    ]) {
      expect(parsePrice('0.01', unit)).toMatchObject({
        status: 'ok',
        amount: '0.01000000',
        basis: 'per_unit',
      });
    }
    expect(amount('$1,250.00', 'per_request')).toBe('1250.00000000');
    expect(amount('0.006', 'per_minute')).toBe('0.00600000'); // openai/whisper-1
  });

  it('keeps a ratio the fraction it is (the endpoints `discount`), and names each unit its basis', () => {
    expect(parsePrice('0.853', 'ratio')).toMatchObject({
      status: 'ok',
      amount: '0.85300000',
      basis: 'ratio',
    });
    expect(parsePrice('-1', 'ratio')).toMatchObject({ status: 'unavailable' });
    expect(['per_token', 'per_request', 'ratio', 'per_fortnight'].map(basisOfUnit)).toEqual([
      'per_1m_tokens',
      'per_unit',
      'ratio',
      null,
    ]);
  });

  it('rounds float artifacts half-even at scale 8 (docs/data-sources.md §4 values)', () => {
    expect(amount('0.00000008333333333333334')).toBe('0.08333333');
    expect(amount('0.0000000833333333333333')).toBe('0.08333333');
    expect(amount('0.00000020000000000000002')).toBe('0.20000000');
    expect(amount('0.0000000299999997')).toBe('0.03000000'); // 0.0299999997: the 9th digit 9 rounds up
    expect(amount('0.0000001300000002')).toBe('0.13000000');
    expect(amount('0.00000001703012')).toBe('0.01703012');
    expect(amount('0.00000838323353293413')).toBe('8.38323353');
    expect(amount('0.0000146484375')).toBe('14.64843750');
  });

  it('rounds ties to even, not up', () => {
    expect(amount('0.000000015', 'per_1m_tokens')).toBe('0.00000002'); // 1|5 → 2
    expect(amount('0.000000025', 'per_1m_tokens')).toBe('0.00000002'); // 2|5 → 2 (half-up would say 3)
    expect(amount('0.000000005', 'per_1m_tokens')).toBe('0.00000000');
    expect(amount('0.0000000051', 'per_1m_tokens')).toBe('0.00000001');
  });

  it('is exact beyond float and beyond 40 significant digits', () => {
    // 0.1 + 0.2 style artifacts never appear: the digits are shifted, not multiplied as floats.
    expect(amount('0.0000001', 'per_token')).toBe('0.10000000');
    const long = '0.000000123456789012345678901234567890123456789';
    expect(parseAmount(long, 6)?.toString()).toBe('0.123456789012345678901234567890123456789');
  });
});

describe('parsePrice: free, unavailable and errors', () => {
  it('"0" is free, "-0" too', () => {
    expect(amount('0')).toBe('0.00000000');
    expect(amount('-0')).toBe('0.00000000');
    expect(amount('0.0', 'per_request')).toBe('0.00000000');
  });

  it('"-1" is a variable price, never a number', () => {
    expect(parsePrice('-1', 'per_token')).toEqual({ status: 'unavailable', reason: 'variable price (-1)' });
    expect(parsePrice('-1.0', 'per_request')).toEqual({
      status: 'unavailable',
      reason: 'variable price (-1)',
    });
  });

  it('an empty value is missing', () => {
    expect(parsePrice('', 'per_token')).toEqual({ status: 'unavailable', reason: 'missing price' });
    expect(parsePrice('   ', 'per_token')).toEqual({ status: 'unavailable', reason: 'missing price' });
  });

  it('a currency other than USD is unavailable: no FX rate is invented', () => {
    expect(parsePrice('2.00', 'per_1m_tokens', 'EUR')).toEqual({
      status: 'unavailable',
      reason: 'currency EUR not supported (no FX conversion)',
    });
    expect(amount('2.00', 'per_1m_tokens', 'usd')).toBe('2.00000000');
  });

  it.each([
    'abc',
    'NaN',
    'Infinity',
    '-0.5',
    '-2',
    '1.2.3',
    '1,25',
    '12,34,567',
    '$',
    '.',
    '3.',
    '1e999',
    '0x10',
    '１',
  ])('%j is UNPARSABLE_PRICE', (raw) => {
    let thrown: unknown;
    try {
      parsePrice(raw, 'per_token');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(NormalizeError);
    expect(thrown).toMatchObject({ code: 'UNPARSABLE_PRICE', retriable: false, name: 'NormalizeError' });
    expect(thrown).toBeInstanceOf(PoisonInputError);
  });

  it('an unknown unit is UNKNOWN_PRICE_UNIT', () => {
    expect(() => parsePrice('1', 'per_fortnight')).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_PRICE_UNIT' }) as Error,
    );
  });
});

describe('toMoney', () => {
  it('prints scale 8 without exponents', () => {
    expect(toMoney(new Dec('1e-12'))).toBe('0.00000000');
    expect(toMoney(new Dec('123456789012'))).toBe('123456789012.00000000');
  });
});
