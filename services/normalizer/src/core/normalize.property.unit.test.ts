import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide } from './changes.ts';
import { NormalizeError } from '../errors.ts';
import { normalize } from './normalize.ts';
import { DAY, T0, component, rawPrice } from '../testing/fixtures.ts';

// Precise enough that times(1e6) never rounds before toFixed does.
const Big = Decimal.clone({ precision: 200 });

/** An independent reading of a raw value: what decimal.js itself makes of it, $ and separators removed. */
function oracle(raw: string): Decimal | null {
  const cleaned = raw
    .trim()
    .replace(/^(-?)\$/, '$1')
    .replaceAll(',', '');
  try {
    const d = new Big(cleaned);
    return d.isFinite() ? d : null;
  } catch {
    return null;
  }
}

/** Strings that look like prices, some broken: digits, separators, signs, "$", exponents, spaces. */
const priceLike = fc
  .array(fc.constantFrom(...'0123456789.,-$eE+ '.split('')), { maxLength: 24 })
  .map((chars) => chars.join(''));
const anyRaw = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  priceLike,
  fc.constantFrom('-1', '0', 'NaN'),
);

function normalizeOrError(raw: string) {
  try {
    return {
      np: normalize(
        rawPrice({ components: [component('prompt', raw), component('completion', '0.000001')] }),
      ),
    };
  } catch (err) {
    return { err };
  }
}

describe('normalize on arbitrary raw values', () => {
  it('either publishes the value it was given, or fails with UNPARSABLE_PRICE', () => {
    fc.assert(
      fc.property(anyRaw, (raw) => {
        const { np, err } = normalizeOrError(raw);
        if (err !== undefined) {
          expect(err).toBeInstanceOf(NormalizeError);
          expect((err as NormalizeError).code).toBe('UNPARSABLE_PRICE');
          return;
        }
        expect(np).toBeDefined();
        if (!np) return;
        if (np.prompt === null) {
          // Unavailable only for the sentinel and for nothing at all; never for garbage.
          expect(raw.trim() === '' || oracle(raw)?.eq(-1)).toBe(true);
          return;
        }
        // A published price is the input, exactly, per 1M tokens at scale 8: garbage never becomes 0.
        const expected = oracle(raw);
        expect(expected).not.toBeNull();
        expect(expected?.isNegative() && !expected.isZero()).toBe(false);
        expect(np.prompt).toBe(expected?.times(1_000_000).toFixed(8, Decimal.ROUND_HALF_EVEN));
      }),
      { numRuns: 2000 },
    );
  });

  it('parses every plain decimal string exactly', () => {
    const decimal = fc
      .tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.stringMatching(/^\d{0,30}$/))
      .map(([int, frac]) => (frac === '' ? `${int}` : `${int}.${frac}`));
    fc.assert(
      fc.property(decimal, (raw) => {
        const np = normalize(rawPrice({ components: [component('prompt', raw, 'per_1m_tokens')] }));
        expect(np.prompt).toBe(new Decimal(raw).toFixed(8, Decimal.ROUND_HALF_EVEN));
      }),
    );
  });
});

describe('decide on arbitrary price pairs', () => {
  it('reports a change exactly when the prices differ at scale 8', () => {
    const perToken = fc
      .tuple(fc.nat({ max: 1000 }), fc.stringMatching(/^\d{1,20}$/))
      .map(([i, f]) => `0.${'0'.repeat(i % 9)}${f}`);
    fc.assert(
      fc.property(perToken, perToken, (a, b) => {
        const first = normalize(rawPrice({ prices: { prompt: a } }));
        const second = normalize(rawPrice({ fetched_at: T0 + DAY, prices: { prompt: b } }));
        const { changed } = decide(decide(undefined, first).next, second);
        expect(changed !== null).toBe(first.prompt !== second.prompt);
        if (changed) expect(changed.changes.map((c) => c.dimension)).toEqual(['prompt']);
      }),
    );
  });
});
