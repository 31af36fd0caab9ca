// A model's price history as the Model page reads it (pure): the listed amounts of a price, the
// current price of each key, and which keys were removed (web/README.md "Model").
import { dimensionOrder } from './dimensions.ts';
import type { StoredTier, TierAmount } from './tiers.ts';

/** One interval of `GET /v1/models/{id}/history` (services/api/README.md "History"). */
export interface Interval {
  readonly price_key: string;
  readonly provider: string | null;
  readonly source: string;
  readonly from: string;
  readonly to: string | null;
  readonly ended_by: 'change' | 'removal' | null;
  readonly status: string;
  readonly unavailable_reason: string | null;
  readonly currency: string;
  readonly dimensions: Readonly<Record<string, string | null>>;
  readonly base: readonly TierAmount[];
  readonly tiers: readonly StoredTier[];
  readonly source_url: string;
  readonly event_id: string;
  readonly content_hash: string | null;
  readonly first_observed_at: string;
  readonly last_observed_at: string;
  readonly observations: number;
}

export interface HistoryResponse {
  readonly data: { readonly id: string; readonly intervals: readonly Interval[] };
}

/**
 * The listed amount per dimension: the base's; for a price whose base is empty, the stored columns
 * (`dimensions`, the highest amount over its tiers). An unavailable price lists nothing.
 */
export function listedAmounts(interval: Interval): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  if (interval.status !== 'ok') return out;
  if (interval.base.length > 0) {
    for (const a of interval.base) out.set(a.dimension, a.amount);
  } else {
    for (const [d, v] of Object.entries(interval.dimensions)) if (v !== null) out.set(d, v);
  }
  return out;
}

/** The routed price has no provider; the API's provider filter calls it `openrouter`. */
export const ROUTED = 'openrouter';

export function providerSlug(interval: Pick<Interval, 'provider'>): string {
  return interval.provider ?? ROUTED;
}

/** A key's name in the page: `OpenRouter (routed)`, `novita`, `anthropic (site)`. */
export function keyName(interval: Pick<Interval, 'provider' | 'source'>): string {
  if (interval.provider === null) return 'OpenRouter (routed)';
  if (interval.source === 'provider_site') return `${interval.provider} (site)`;
  if (interval.source === 'web_fallback') return `${interval.provider} (web)`;
  return interval.provider;
}

const codePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Key order: the routed price first, then by provider, then by source. */
export function compareKeys(
  a: Pick<Interval, 'provider' | 'source'>,
  b: Pick<Interval, 'provider' | 'source'>,
): number {
  if ((a.provider === null) !== (b.provider === null)) return a.provider === null ? -1 : 1;
  return codePoint(a.provider ?? '', b.provider ?? '') || codePoint(a.source, b.source);
}

/** Every key's intervals, in key order, each key's intervals by `from`. */
export function byKey(intervals: readonly Interval[]): Interval[][] {
  const groups = new Map<string, Interval[]>();
  for (const i of intervals) {
    const g = groups.get(i.price_key);
    if (g) g.push(i);
    else groups.set(i.price_key, [i]);
  }
  const keys = [...groups.values()].map((g) => g.sort((a, b) => Date.parse(a.from) - Date.parse(b.from)));
  return keys.sort((a, b) => compareKeys(a[0]!, b[0]!));
}

export type CurrentStatus = 'in-force' | 'unavailable' | 'removed';

export interface CurrentPrice {
  readonly interval: Interval;
  readonly status: CurrentStatus;
  readonly amounts: ReadonlyMap<string, string>;
}

function statusOf(newest: Interval): CurrentStatus {
  if (newest.to !== null) return 'removed';
  return newest.status === 'ok' ? 'in-force' : 'unavailable';
}

const RANK: Record<CurrentStatus, number> = { 'in-force': 0, unavailable: 1, removed: 2 };

/**
 * One row per key from its newest interval (web/README.md "Current prices"): the routed price first,
 * then the hosts in force, the unavailable, the removed; within each, by provider and source.
 */
export function currentPrices(intervals: readonly Interval[]): CurrentPrice[] {
  const rows = byKey(intervals).map((g) => {
    const newest = g[g.length - 1]!;
    const status = statusOf(newest);
    // A removed key keeps its last amounts (shown muted); an unavailable one has none.
    return { interval: newest, status, amounts: listedAmounts(newest) };
  });
  return rows.sort((a, b) => {
    const routedA = a.interval.provider === null;
    const routedB = b.interval.provider === null;
    if (routedA !== routedB) return routedA ? -1 : 1;
    return RANK[a.status] - RANK[b.status] || compareKeys(a.interval, b.interval);
  });
}

/** The dimensions with a listed amount in some of `amounts`, in registry order. */
export function listedDimensions(amounts: readonly ReadonlyMap<string, string>[]): string[] {
  const set = new Set<string>();
  for (const m of amounts) for (const d of m.keys()) set.add(d);
  return [...set].sort(dimensionOrder);
}

/**
 * When every key's newest interval ended by a removal: the latest removal instant; otherwise null
 * (something is still in force, or unavailable but listed).
 */
export function everyPriceRemoved(intervals: readonly Interval[]): string | null {
  const newest = byKey(intervals).map((g) => g[g.length - 1]!);
  if (newest.length === 0 || newest.some((i) => i.to === null || i.ended_by !== 'removal')) return null;
  return newest.map((i) => i.to!).sort((a, b) => Date.parse(b) - Date.parse(a))[0]!;
}

/** An ISO instant as the page prints it: `2026-08-19 06:00 UTC`. */
export function utcText(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The UTC day of an ISO instant: `2026-08-19`. */
export function dayText(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 10);
}
