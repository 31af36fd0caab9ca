// The input every export reads: the prices of a moment of history, per (model, provider, source), with
// their structure (base + tiers, docs/price-model.md) and their history (effective-dated periods).
// Built by the database adapter (src/adapters/snapshot-pg.ts) or, in tests, from the real stages.
import type { DimensionPrice, PriceTier, SourceType } from '@llmpt/schemas';

/** One effective-dated price of a key: in force from `effective_from` until the next period's. */
export interface PricePeriod {
  /** ISO time: the first observation of these prices. */
  readonly effective_from: string;
  /** ISO time: the latest observation of these prices at or before the snapshot time. */
  readonly observed_at: string;
  readonly source_url: string | null;
  /** The price without conditions (a row written before v2: its columns). */
  readonly base: readonly DimensionPrice[];
  readonly tiers: readonly PriceTier[];
}

/** One (model, provider, source) whose price is in force at the snapshot time. */
export interface PriceEntry {
  readonly price_key: string;
  readonly model_id: string;
  /** null: OpenRouter's routed price. */
  readonly provider: string | null;
  readonly source_type: SourceType;
  readonly name: string | null;
  readonly context_length: number | null;
  /** Ascending effective_from; the last one is in force at the snapshot time. Never empty. */
  readonly periods: readonly PricePeriod[];
}

export interface PriceSnapshot {
  /** ISO time the snapshot describes. */
  readonly at: string;
  readonly entries: readonly PriceEntry[];
}

/** The period in force at the snapshot time. */
export function current(e: PriceEntry): PricePeriod {
  const p = e.periods[e.periods.length - 1];
  if (!p) throw new Error(`${e.price_key}: no period`);
  return p;
}

/**
 * The snapshot's entries in the order the one-entry-per-key formats (LiteLLM, models.dev) take them:
 * a provider's own page before the web fallback for the same key (the first one written wins), then
 * by price key, so the output does not depend on the order rows came in.
 */
export function bySourcePreference(entries: readonly PriceEntry[]): PriceEntry[] {
  const rank = (e: PriceEntry) => (e.source_type === 'web_fallback' ? 1 : 0);
  return [...entries].sort(
    (a, b) => rank(a) - rank(b) || (a.price_key < b.price_key ? -1 : a.price_key > b.price_key ? 1 : 0),
  );
}
