// The price dimensions as the explorer names them (pure). The names, their order and their basis are
// the registry's (schemas/src/dimensions.ts, docs/price-model.md §1): dimensions.unit.test.ts proves
// this list equal to it, so the page needs no copy of the schemas package in its bundle. The words
// (label, short name, unit) are the explorer's own.
import { Decimal } from 'decimal.js';
import { usd } from './money.ts';

export type Basis = 'per_1m_tokens' | 'per_unit' | 'ratio';

export interface DimensionWords {
  readonly name: string;
  readonly basis: Basis;
  /** A column title: `Input`, `Cache write (1 h)`. */
  readonly label: string;
  /** In a sentence: `input`, `cache write 1h`. */
  readonly short: string;
  /** After an amount of a per-unit dimension: `per request`. Empty for tokens (per 1M) and ratios. */
  readonly per: string;
  /** After a column title: `/1M tokens`, `/request`, `` for a ratio. */
  readonly headUnit: string;
}

const tokens = (name: string, label: string, short: string): DimensionWords => ({
  name,
  basis: 'per_1m_tokens',
  label,
  short,
  per: '',
  headUnit: '/1M tokens',
});
const unit = (name: string, label: string, short: string, what: string): DimensionWords => ({
  name,
  basis: 'per_unit',
  label,
  short,
  per: `per ${what}`,
  headUnit: `/${what}`,
});

/** Registry order (the API's order of `dimensions`). */
export const DIMENSIONS: readonly DimensionWords[] = [
  tokens('prompt', 'Input', 'input'),
  tokens('completion', 'Output', 'output'),
  tokens('internal_reasoning', 'Reasoning', 'reasoning'),
  tokens('input_cache_read', 'Cache read', 'cache read'),
  tokens('input_cache_write', 'Cache write (5 min)', 'cache write'),
  unit('request', 'Request', 'request', 'request'),
  unit('image', 'Input image', 'image', 'image'),
  unit('web_search', 'Web search', 'web search', 'search'),
  tokens('input_cache_write_1h', 'Cache write (1 h)', 'cache write 1h'),
  tokens('input_audio', 'Audio input', 'audio input'),
  tokens('input_audio_cache', 'Audio cache read', 'audio cache read'),
  tokens('audio_output', 'Audio output', 'audio output'),
  tokens('image_token', 'Image input', 'image input'),
  tokens('image_output', 'Image output', 'image output'),
  { name: 'discount', basis: 'ratio', label: 'Discount', short: 'discount', per: '', headUnit: '' },
];

const BY_NAME = new Map(DIMENSIONS.map((d) => [d.name, d]));

/** The words of a dimension; one the explorer does not know yet is named as the API names it. */
export function dimensionWords(name: string): DimensionWords {
  return (
    BY_NAME.get(name) ?? {
      name,
      basis: 'per_unit',
      label: name,
      short: name,
      per: '',
      headUnit: '',
    }
  );
}

/** The registry position of a dimension (unknown ones after every known one, by name). */
export function dimensionOrder(a: string, b: string): number {
  const ia = DIMENSIONS.findIndex((d) => d.name === a);
  const ib = DIMENSIONS.findIndex((d) => d.name === b);
  const ra = ia < 0 ? DIMENSIONS.length : ia;
  const rb = ib < 0 ? DIMENSIONS.length : ib;
  return ra !== rb ? ra - rb : a < b ? -1 : a > b ? 1 : 0;
}

/** A ratio (`0.3`) as a percentage (`30%`), exactly, without trailing zeros. */
export function ratioText(amount: string): string {
  return `${new Decimal(amount).times(100).toFixed()}%`;
}

/** An amount of a dimension as a table cell shows it: `$3.00`, `30%` for a ratio, `—` for null. */
export function amountText(dimension: string, amount: string | null | undefined): string {
  if (amount === null || amount === undefined) return '—';
  return dimensionWords(dimension).basis === 'ratio' ? ratioText(amount) : usd(amount);
}

/** An amount in a sentence: `input $6.00`, `web search $0.014 per search`, `discount 30%`. */
export function amountPhrase(dimension: string, amount: string): string {
  const w = dimensionWords(dimension);
  const value = amountText(dimension, amount);
  return w.per === '' ? `${w.short} ${value}` : `${w.short} ${value} ${w.per}`;
}
