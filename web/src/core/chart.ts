// The history chart's data (pure), exactly web/README.md "History chart": one step series per price
// key, effective-dated, the x values every boundary of the shown intervals, change markers with the
// relative move, and the same intervals as table rows for readers who cannot see a canvas.
import { Decimal } from 'decimal.js';
import { compareDecimal, percent, usd } from './money.ts';
import { byKey, keyName, listedAmounts, listedDimensions, providerSlug, type Interval } from './history.ts';

export interface Marker {
  /** Index into `xs`: the `from` of the interval whose amount moved. */
  readonly index: number;
  readonly previous: string;
  readonly current: string;
  /** `-25%`, or `from $0.00` when the previous amount was zero. */
  readonly label: string;
}

export interface ChartSeries {
  readonly key: string;
  readonly name: string;
  readonly provider: string;
  /** The listed amount in force at each x (exact), null in a gap. */
  readonly values: readonly (string | null)[];
  /** Index of the closing point of a line that ended with nothing after it; null otherwise. */
  readonly endIndex: number | null;
  readonly markers: readonly Marker[];
}

export interface ChartRow {
  readonly series: string;
  readonly from: string;
  readonly to: string | null;
  readonly endedBy: 'change' | 'removal' | null;
  readonly status: string;
  readonly amount: string | null;
  readonly move: string | null;
}

export interface ChartData {
  readonly dimension: string;
  /** Instants in ms since the epoch, ascending, each once. */
  readonly xs: readonly number[];
  readonly series: readonly ChartSeries[];
  readonly rows: readonly ChartRow[];
}

/** The dimensions the switch offers: those some interval lists, in registry order. */
export function chartDimensions(intervals: readonly Interval[]): string[] {
  return listedDimensions(intervals.map(listedAmounts));
}

/** `dim` when offered; else `prompt` when offered; else the first offered; null when none is. */
export function chosenDimension(intervals: readonly Interval[], dim: string | null): string | null {
  const offered = chartDimensions(intervals);
  if (dim !== null && offered.includes(dim)) return dim;
  if (offered.includes('prompt')) return 'prompt';
  return offered[0] ?? null;
}

/** The provider slugs of the model's keys (`openrouter` for the routed price), in key order, each once. */
export function chartProviders(intervals: readonly Interval[]): string[] {
  return [...new Set(byKey(intervals).map((g) => providerSlug(g[0]!)))];
}

/** `providers` of the URL: slugs separated by commas; empty means every one. */
export function parseProviders(value: string | null): ReadonlySet<string> {
  return new Set((value ?? '').split(',').filter((s) => s !== ''));
}

function moveLabel(previous: string, current: string): string {
  const old = new Decimal(previous);
  if (old.isZero()) return `from ${usd('0')}`;
  return percent(new Decimal(current).minus(old).div(old).toFixed());
}

function amountOf(interval: Interval, dimension: string): string | null {
  return listedAmounts(interval).get(dimension) ?? null;
}

export function chartData(
  intervals: readonly Interval[],
  dimension: string,
  providers: ReadonlySet<string>,
  now: number,
): ChartData {
  const keys = byKey(intervals).filter((g) => providers.size === 0 || providers.has(providerSlug(g[0]!)));
  const instants = new Set<number>();
  for (const g of keys)
    for (const i of g) {
      instants.add(Date.parse(i.from));
      if (i.to !== null) instants.add(Date.parse(i.to));
    }
  const xs = [...instants].sort((a, b) => a - b);
  const last = xs[xs.length - 1];
  if (last !== undefined && now > last) xs.push(now);
  const indexOf = new Map(xs.map((x, i) => [x, i]));

  const series: ChartSeries[] = [];
  const rows: ChartRow[] = [];
  for (const g of keys) {
    const first = g[0]!;
    const spans = g.map((i) => ({
      interval: i,
      from: Date.parse(i.from),
      to: i.to === null ? Infinity : Date.parse(i.to),
      amount: amountOf(i, dimension),
    }));
    const values: (string | null)[] = xs.map((x) => {
      const span = spans.find((s) => s.from <= x && x < s.to);
      return span ? span.amount : null;
    });
    let lastValued = -1;
    values.forEach((v, i) => {
      if (v !== null) lastValued = i;
    });
    let endIndex: number | null = null;
    if (lastValued >= 0 && lastValued < values.length - 1) {
      // The line ended (removal, unavailable, dimension dropped) with nothing after it: a closing
      // point where it ended, so the step reaches its end.
      endIndex = lastValued + 1;
      values[endIndex] = values[lastValued]!;
    }
    const markers: Marker[] = [];
    let known: string | null = null;
    for (const s of spans) {
      let move: string | null = null;
      if (s.amount !== null) {
        if (known !== null && compareDecimal(s.amount, known) !== 0) {
          move = moveLabel(known, s.amount);
          markers.push({ index: indexOf.get(s.from)!, previous: known, current: s.amount, label: move });
        }
        known = s.amount;
      }
      rows.push({
        series: keyName(first),
        from: s.interval.from,
        to: s.interval.to,
        endedBy: s.interval.ended_by,
        status: s.interval.status,
        amount: s.amount,
        move,
      });
    }
    series.push({
      key: first.price_key,
      name: keyName(first),
      provider: providerSlug(first),
      values,
      endIndex,
      markers,
    });
  }
  return { dimension, xs, series, rows };
}
