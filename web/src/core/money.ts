// Prices as the API sends them (decimal strings) turned into text, exactly: no float ever touches a
// price. The rule (web/README.md "Numbers"): USD with at least two decimals and every significant
// digit the API gives (the stored scale is 8), thousands grouped; null (not priced) is an em dash.
import { Decimal } from 'decimal.js';

const DECIMAL = /^-?\d+(\.\d+)?$/;

export function isDecimal(s: string): boolean {
  return DECIMAL.test(s);
}

/** `1234.5` → `1,234.50`; `0.0375` → `0.0375`; `-0.2` → `-0.20`. */
export function groupedDecimal(s: string, minDecimals = 2): string {
  if (!isDecimal(s)) throw new Error(`not a decimal string: ${JSON.stringify(s)}`);
  const negative = s.startsWith('-');
  const [int = '0', frac = ''] = (negative ? s.slice(1) : s).split('.');
  const trimmed = frac.replace(/0+$/, '');
  const fraction = trimmed.padEnd(minDecimals, '0');
  const grouped = int.replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const isZero = /^0*$/.test(int) && trimmed === '';
  return `${negative && !isZero ? '-' : ''}${grouped}${fraction === '' ? '' : `.${fraction}`}`;
}

/** `$3.00`, `$0.0375`, `—` for null. */
export function usd(s: string | null | undefined): string {
  if (s === null || s === undefined) return '—';
  const text = groupedDecimal(s);
  return text.startsWith('-') ? `-$${text.slice(1)}` : `$${text}`;
}

/** Exact comparison of two decimal strings; null sorts after every number in both directions. */
export function compareDecimal(a: string | null | undefined, b: string | null | undefined): number {
  if (a == null || b == null) return a == null ? (b == null ? 0 : 1) : -1;
  return new Decimal(a).comparedTo(new Decimal(b));
}

/** `a × n`, exact, as a decimal string. */
export function times(a: string, n: string | number): string {
  return new Decimal(a).times(new Decimal(n)).toFixed();
}

/** `a + b + …`, exact. */
export function sum(values: readonly string[]): string {
  return values.reduce((acc, v) => acc.plus(new Decimal(v)), new Decimal(0)).toFixed();
}

/** A relative change as the API sends it (a fraction, `-0.25`) as a signed percentage, `-25%`. */
export function percent(fraction: string | null | undefined): string {
  if (fraction === null || fraction === undefined || !isDecimal(fraction)) return '—';
  const pct = new Decimal(fraction).times(100).toDecimalPlaces(1, Decimal.ROUND_HALF_EVEN);
  return `${pct.isPositive() && !pct.isZero() ? '+' : ''}${pct.toFixed()}%`;
}
