import type { PriceChanged } from '@llmpt/schemas';

/** A `price_changes` row as the replay reads it (README §9 step 3): times as epoch ms, money as text. */
export interface StoredChange {
  readonly event_id: string;
  readonly run_id: string;
  readonly caused_by: string | null;
  /** `price_changes.occurred_at` (migration 0013) in epoch ms; null in rows written before it. */
  readonly occurred_at: number | null;
  readonly price_key: string;
  readonly model_id: string;
  readonly provider: string | null;
  readonly source_type: string;
  readonly kind: string;
  /** The jsonb column as parsed: one object per DimensionChange, keys in any order. */
  readonly changes: readonly Readonly<Record<string, unknown>>[];
  readonly previous_observed_at: number | null;
  readonly current_observed_at: number | null;
  readonly snapshot_date: string;
  readonly alert: boolean;
  /** `alert_threshold::text`: the decimal text the event carried (numeric keeps its scale). */
  readonly alert_threshold: string;
  readonly expiration_date: string | null;
  /** Migration 0016's column; absent before it (a change then was learned live). */
  readonly backfilled?: boolean;
}

const textOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * The PriceChanged event a stored change was projected from (README §9 step 3), so that
 * `webhookPayload` gives a replay the bytes of the live delivery. `tier` and `change` are null where a
 * v1 row lacks them, as the v1 event had them.
 */
export function eventOfStoredChange(row: StoredChange & { readonly occurred_at: number }): PriceChanged {
  return {
    event_id: row.event_id,
    run_id: row.run_id,
    caused_by: row.caused_by,
    occurred_at: row.occurred_at,
    price_key: row.price_key,
    model_id: row.model_id,
    provider: row.provider,
    source_type: row.source_type as PriceChanged['source_type'],
    kind: row.kind as PriceChanged['kind'],
    changes: row.changes.map((c) => ({
      dimension: String(c.dimension),
      previous: textOrNull(c.previous),
      current: textOrNull(c.current),
      relative_change: textOrNull(c.relative_change),
      tier: textOrNull(c.tier),
      change: textOrNull(c.change),
    })),
    previous_observed_at: row.previous_observed_at,
    current_observed_at: row.current_observed_at,
    snapshot_date: row.snapshot_date,
    alert: row.alert,
    alert_threshold: row.alert_threshold,
    expiration_date: row.expiration_date,
    backfilled: row.backfilled ?? false,
  };
}

/**
 * The events a replay sends (README §9 step 3), in the rows' order, and how many rows it cannot send:
 * a row without `occurred_at` (written before migration 0013) cannot give the live bytes, and a
 * payload with an invented time is not sent.
 */
export function replayableEvents(rows: readonly StoredChange[]): { events: PriceChanged[]; skipped: number } {
  const events: PriceChanged[] = [];
  let skipped = 0;
  for (const row of rows) {
    if (row.occurred_at === null) skipped++;
    else events.push(eventOfStoredChange({ ...row, occurred_at: row.occurred_at }));
  }
  return { events, skipped };
}
