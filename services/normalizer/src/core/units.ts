import { Decimal } from 'decimal.js';
import type { DimensionBasis } from '@llmpt/schemas';
import { NormalizeError } from '../errors.ts';

/**
 * The normalizer's own Decimal: enough precision for relative changes of 8-decimal prices, half-even,
 * and never exponential notation in strings. A clone, so no other module's global Decimal is changed.
 */
export const Dec = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -100,
  toExpPos: 100,
});

/** Stored precision of every money string (NormalizedPrice, PriceChanged, state): scale 8. */
export const MONEY_SCALE = 8;

/** A Decimal as a money string at the stored precision: scale 8, half-even ("3.00000000"). */
export function toMoney(value: Decimal): string {
  // -0 would print as "-0.00000000".
  return (value.isZero() ? new Dec(0) : value).toFixed(MONEY_SCALE, Decimal.ROUND_HALF_EVEN);
}

/** How far the decimal point moves to reach USD per 1M tokens; absent for per-unit prices. */
const TOKEN_UNIT_SHIFT = { per_token: 6, per_1k_tokens: 3, per_1m_tokens: 0 } as const;
const PER_UNIT_UNITS = [
  'per_request',
  'per_image',
  'per_web_search',
  'per_second',
  'per_minute',
  'per_unit',
] as const;

/** A fraction, not money: the scraper writes OpenRouter's endpoint `discount` (0.25 = 25 % off) so. */
const RATIO_UNITS = ['ratio'] as const;

export type TokenUnit = keyof typeof TOKEN_UNIT_SHIFT;
export type PerUnitUnit = (typeof PER_UNIT_UNITS)[number];
export type RatioUnit = (typeof RATIO_UNITS)[number];
export type PriceUnit = TokenUnit | PerUnitUnit | RatioUnit;
export const PRICE_UNITS: readonly PriceUnit[] = [
  ...(Object.keys(TOKEN_UNIT_SHIFT) as TokenUnit[]),
  ...PER_UNIT_UNITS,
  ...RATIO_UNITS,
];

/**
 * What a normalized amount is counted in (the registry's basis): token prices become USD per 1M
 * tokens, per-unit prices stay per unit, a ratio stays the fraction it is.
 */
export type PriceBasis = DimensionBasis;

export type ParsedPrice =
  | {
      readonly status: 'ok';
      /** Exact value in USD per 1M tokens or per unit, not rounded. */
      readonly value: Decimal;
      /** `value` at the stored precision. */
      readonly amount: string;
      readonly basis: PriceBasis;
      readonly unit: PriceUnit;
    }
  | { readonly status: 'unavailable'; readonly reason: string };

export const VARIABLE_PRICE_REASON = 'variable price (-1)';
export const MISSING_PRICE_REASON = 'missing price';

// Digits with an optional "$" and thousands separators. Exponents are accepted (JSON numbers kept as
// their text may carry one, "1e-7") within a small range, so "1e999999999" cannot blow up toFixed.
const AMOUNT =
  /^(?<neg>-)?\$?(?<int>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?<frac>\d+))?(?:[eE](?<exp>[+-]?\d{1,3}))?$/;
const MAX_EXPONENT = 30;
const MAX_LENGTH = 100;

function unparsable(raw: string, why: string): NormalizeError {
  return new NormalizeError('UNPARSABLE_PRICE', `unparsable price ${JSON.stringify(raw)}: ${why}`);
}

/**
 * The amount a raw price string states, exactly, shifted by `shift` decimal places (no arithmetic, so no
 * rounding at any precision). `null` when the string is empty: nothing was published.
 * Throws UNPARSABLE_PRICE for anything that is not a plain decimal amount.
 */
export function parseAmount(raw: string, shift = 0): Decimal | null {
  const text = raw.trim();
  if (text === '') return null;
  if (text.length > MAX_LENGTH) throw unparsable(raw.slice(0, MAX_LENGTH), 'too long');
  const m = AMOUNT.exec(text);
  const g = m?.groups;
  if (!g || (g.int === undefined && g.frac === undefined)) throw unparsable(raw, 'not a decimal amount');
  const exp = Number(g.exp ?? '0');
  if (Math.abs(exp) > MAX_EXPONENT) throw unparsable(raw, 'exponent out of range');
  const digits = `${g.neg ?? ''}${(g.int ?? '0').replaceAll(',', '')}.${g.frac ?? '0'}`;
  return new Dec(`${digits}e${exp + shift}`);
}

function isPriceUnit(unit: string): unit is PriceUnit {
  return (PRICE_UNITS as readonly string[]).includes(unit);
}

/** The basis a published unit normalizes to; null for a unit this stage does not know. */
export function basisOfUnit(unit: string): PriceBasis | null {
  if (!isPriceUnit(unit)) return null;
  if (unit in TOKEN_UNIT_SHIFT) return 'per_1m_tokens';
  return (RATIO_UNITS as readonly string[]).includes(unit) ? 'ratio' : 'per_unit';
}

/**
 * One published price to exact USD: per token, per 1K and per 1M tokens become USD per 1M tokens;
 * per request, image, web search, second, minute and unit stay per unit; a ratio stays a fraction. "-1" (variable), an empty value
 * and a currency other than USD are unavailable (never 0, and no FX rate is invented); "0" is free.
 * Throws UNPARSABLE_PRICE for garbage and negative amounts, UNKNOWN_PRICE_UNIT for an unknown unit.
 */
export function parsePrice(rawValue: string, unit: string, currency = 'USD'): ParsedPrice {
  if (!isPriceUnit(unit)) {
    throw new NormalizeError('UNKNOWN_PRICE_UNIT', `unknown price unit ${JSON.stringify(unit)}`);
  }
  const shift = unit in TOKEN_UNIT_SHIFT ? TOKEN_UNIT_SHIFT[unit as TokenUnit] : 0;
  const value = parseAmount(rawValue, shift);
  if (value === null) return { status: 'unavailable', reason: MISSING_PRICE_REASON };
  if (value.isNegative() && !value.isZero()) {
    // -1 is OpenRouter's "variable" sentinel (routers); any other negative price is corrupt input.
    if (value.eq(new Dec(`-1e${shift}`))) return { status: 'unavailable', reason: VARIABLE_PRICE_REASON };
    throw unparsable(rawValue, 'negative price');
  }
  const cur = currency.trim().toUpperCase();
  if (cur !== 'USD') {
    return { status: 'unavailable', reason: `currency ${cur || '(empty)'} not supported (no FX conversion)` };
  }
  return { status: 'ok', value, amount: toMoney(value), basis: basisOfUnit(unit)!, unit };
}
