// A model's price history as effective-dated intervals (services/api/README.md "History"): the same
// run rule as price_at (migrations/0010): an interval starts at an observation whose price differs
// from the key's previous observation, and ends where the next one starts or where a removal of the
// key takes effect (price_changes kind `removed`, at the UTC midnight of its snapshot date).
import { DIMENSION_NAMES } from '@llmpt/schemas';
import type { StoredAmount, StoredTier, StoredUnregistered } from './openrouter.ts';

export interface HistoryObservation {
  readonly event_id: string;
  readonly price_key: string;
  readonly provider: string | null;
  readonly source_type: string;
  readonly source_url: string;
  readonly snapshot_date: string;
  readonly observed_at: Date;
  readonly status: string;
  readonly unavailable_reason: string | null;
  readonly currency: string;
  /** Every registered dimension, as text (USD per 1M tokens, per unit, or a ratio), or null. */
  readonly dimensions: Readonly<Record<string, string | null>>;
  readonly base: readonly StoredAmount[];
  readonly tiers: readonly StoredTier[];
  readonly unregistered: readonly StoredUnregistered[];
  /** sha256 hex of the fetched bytes; null before NormalizedPrice v3 or when nothing was fetched. */
  readonly content_hash: string | null;
}

export interface HistoryRemoval {
  readonly price_key: string;
  /** YYYY-MM-DD: the removal takes effect at its UTC midnight. */
  readonly snapshot_date: string;
}

export interface PriceInterval {
  readonly price_key: string;
  readonly provider: string | null;
  readonly source: string;
  readonly from: string;
  /** Exclusive end; null: still in force. */
  readonly to: string | null;
  readonly ended_by: 'change' | 'removal' | null;
  readonly status: string;
  readonly unavailable_reason: string | null;
  readonly currency: string;
  readonly dimensions: Record<string, string | null>;
  readonly base: readonly StoredAmount[];
  readonly tiers: readonly StoredTier[];
  readonly unregistered: readonly StoredUnregistered[];
  readonly source_url: string;
  /** The observation that started the interval. */
  readonly event_id: string;
  /** That observation's content hash (README "History"). */
  readonly content_hash: string | null;
  readonly first_observed_at: string;
  readonly last_observed_at: string;
  readonly observations: number;
}

/** What makes two observations the same price (price_at's row comparison). */
function priceIdentity(o: HistoryObservation): string {
  return JSON.stringify([
    o.status,
    o.unavailable_reason,
    o.currency,
    DIMENSION_NAMES.map((d) => o.dimensions[d] ?? null),
    o.base,
    o.tiers,
  ]);
}

const midnight = (date: string): Date => new Date(`${date}T00:00:00Z`);

/**
 * Observations (any order) and removals → intervals per price key, ordered by key then start.
 * Observations of one key at the same instant are ordered by event id (price_at's order).
 */
export function priceIntervals(
  observations: readonly HistoryObservation[],
  removals: readonly HistoryRemoval[],
): PriceInterval[] {
  const byKey = new Map<string, HistoryObservation[]>();
  for (const o of observations) {
    const list = byKey.get(o.price_key) ?? [];
    list.push(o);
    byKey.set(o.price_key, list);
  }
  const out: PriceInterval[] = [];
  for (const key of [...byKey.keys()].sort()) {
    const list = byKey
      .get(key)!
      .slice()
      .sort(
        (a, b) => a.observed_at.getTime() - b.observed_at.getTime() || (a.event_id < b.event_id ? -1 : 1),
      );
    const keyRemovals = removals
      .filter((r) => r.price_key === key)
      .map((r) => r.snapshot_date)
      .sort();
    const runs: HistoryObservation[][] = [];
    let previous: HistoryObservation | null = null;
    for (const o of list) {
      // A key that comes back after a removal starts a new interval even at the same price.
      const removedBetween =
        previous !== null && keyRemovals.some((d) => d > previous!.snapshot_date && d <= o.snapshot_date);
      if (previous === null || removedBetween || priceIdentity(o) !== priceIdentity(previous)) runs.push([]);
      runs[runs.length - 1]!.push(o);
      previous = o;
    }
    runs.forEach((run, i) => {
      const first = run[0]!;
      const last = run[run.length - 1]!;
      const nextStart = runs[i + 1]?.[0]!.observed_at ?? null;
      // A removal ends the run when it comes after the run's last observation's snapshot date (as in
      // price_at) and takes effect before the next run starts.
      const removal = keyRemovals
        .filter((d) => d > last.snapshot_date)
        .map(midnight)
        .find((at) => nextStart === null || at < nextStart);
      const to = removal ?? nextStart;
      out.push({
        price_key: key,
        provider: first.provider,
        source: first.source_type,
        from: first.observed_at.toISOString(),
        to: to === null ? null : to.toISOString(),
        ended_by: removal ? 'removal' : nextStart ? 'change' : null,
        status: first.status,
        unavailable_reason: first.unavailable_reason,
        currency: first.currency,
        dimensions: Object.fromEntries(DIMENSION_NAMES.map((d) => [d, first.dimensions[d] ?? null])),
        base: first.base,
        tiers: first.tiers,
        unregistered: first.unregistered,
        source_url: first.source_url,
        event_id: first.event_id,
        content_hash: first.content_hash,
        first_observed_at: first.observed_at.toISOString(),
        last_observed_at: last.observed_at.toISOString(),
        observations: run.length,
      });
    });
  }
  return out;
}
