// From the rows of price_observations to a PriceSnapshot, by the rules price_at follows (migration
// 0010): a key's observations at or before the snapshot time, in (observed_at, event_id) order; a new
// period starts where the status or any price (columns, base, tiers) differs from the observation
// before it; the period's effective time is its first observation, its observed time its last. Pure.
import { DIMENSION_NAMES, type DimensionPrice, type PriceTier, type SourceType } from '@llmpt/schemas';
import { ExportError } from './errors.ts';
import type { PriceEntry, PricePeriod, PriceSnapshot } from './snapshot.ts';

/** One price_observations row as the adapter reads it (numerics as text, times as ISO strings). */
export interface ObservationRow {
  readonly event_id: string;
  readonly price_key: string;
  readonly model_id: string;
  readonly provider: string | null;
  readonly source_type: SourceType;
  readonly source_url: string | null;
  readonly observed_at: string;
  readonly status: string;
  /** Every dimension column, text at scale 8, or null. */
  readonly columns: Readonly<Record<string, string | null>>;
  readonly base: readonly DimensionPrice[];
  readonly tiers: readonly PriceTier[];
}

/** A model's catalog details in force at the snapshot's time (model_versions; see adapters/snapshot-pg.ts). */
export interface CatalogRow {
  readonly model_id: string;
  readonly name: string | null;
  readonly context_length: number | null;
}

/** The base of a row: its `base`, or its columns for a row written before v2 (no base, no tiers). */
export function baseOf(r: ObservationRow): DimensionPrice[] {
  if (r.base.length > 0 || r.tiers.length > 0) return [...r.base];
  return DIMENSION_NAMES.flatMap((d) => {
    const v = r.columns[d];
    return v === null || v === undefined ? [] : [{ dimension: d, amount: v }];
  });
}

const fact = (r: ObservationRow) =>
  JSON.stringify([r.status, DIMENSION_NAMES.map((d) => r.columns[d] ?? null), r.base, r.tiers]);

const byTime = (a: ObservationRow, b: ObservationRow) =>
  a.observed_at < b.observed_at ? -1 : a.observed_at > b.observed_at ? 1 : a.event_id < b.event_id ? -1 : 1;

/**
 * The periods of one key (rows of that key, any order). Periods whose status is not ok (unavailable)
 * carry no price and are left out; the price before them stays the last one known.
 */
export function periodsOf(rows: readonly ObservationRow[]): PricePeriod[] {
  const runs: { first: ObservationRow; last: ObservationRow }[] = [];
  let prev: string | null = null;
  for (const r of [...rows].sort(byTime)) {
    const f = fact(r);
    if (f !== prev) runs.push({ first: r, last: r });
    else runs[runs.length - 1]!.last = r;
    prev = f;
  }
  return runs
    .filter((run) => run.first.status === 'ok')
    .map(({ first, last }) => ({
      effective_from: first.observed_at,
      observed_at: last.observed_at,
      source_url: last.source_url,
      base: baseOf(first),
      tiers: first.tiers,
    }))
    .filter((p) => p.base.length > 0 || p.tiers.length > 0);
}

/**
 * The snapshot at `at`: every key whose latest observation at or before `at` is ok and not removed
 * (`removed`: the keys price_changes says were removed by then), with its periods. Rows after `at`
 * are ignored, so the same rows always give the same snapshot.
 */
export function snapshotFromRows(
  at: string,
  rows: readonly ObservationRow[],
  removed: ReadonlySet<string>,
  catalog: readonly CatalogRow[] = [],
): PriceSnapshot {
  if (Number.isNaN(Date.parse(at))) throw new ExportError('TIME_INVALID', `not a time: ${at}`);
  const atIso = new Date(at).toISOString();
  const byKey = new Map<string, ObservationRow[]>();
  for (const r of rows) {
    if (r.observed_at > atIso) continue;
    byKey.set(r.price_key, [...(byKey.get(r.price_key) ?? []), r]);
  }
  const details = new Map(catalog.map((c) => [c.model_id, c]));
  const entries: PriceEntry[] = [];
  for (const [key, list] of byKey) {
    if (removed.has(key)) continue;
    const latest = [...list].sort(byTime)[list.length - 1]!;
    if (latest.status !== 'ok') continue;
    const periods = periodsOf(list);
    if (periods.length === 0) continue;
    const c = details.get(latest.model_id);
    entries.push({
      price_key: key,
      model_id: latest.model_id,
      provider: latest.provider,
      source_type: latest.source_type,
      name: c?.name ?? null,
      context_length: c?.context_length ?? null,
      periods,
    });
  }
  entries.sort((a, b) => (a.price_key < b.price_key ? -1 : 1));
  return { at: atIso, entries };
}
