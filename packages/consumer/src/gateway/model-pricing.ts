// The example gateway's pricing table, computed from PriceChanged (pure). Gateways price a call by the
// model name the user sent, so each alias gets a row of its own mirroring its real model. Only the
// routed OpenRouter price (source openrouter_api, no provider) is what such a gateway charges, and a
// flat table charges the base price: tier moves (DimensionChange.tier set) are left to costOfCall,
// which selects tiers per call.
import Decimal from 'decimal.js';
import { dimensionSpec, type Dimension, type PriceChanged } from '@llmpt/schemas';

/**
 * The columns of public.model_pricing (migration 0009) and the dimension each mirrors. A dimension
 * without a column here (audio, image tokens, ...) is not charged by this example table. `image_cost`
 * is per input image: it mirrors the per-image `image` dimension, never the per-token `image_token`.
 */
const COLUMNS = {
  prompt: 'input_cost_per_1k',
  completion: 'output_cost_per_1k',
  internal_reasoning: 'reasoning_cost_per_1k',
  input_cache_read: 'cache_read_cost_per_1k',
  input_cache_write: 'cache_write_cost_per_1k',
  request: 'request_cost',
  web_search: 'web_search_cost',
  image: 'image_cost',
} as const satisfies Partial<Record<Dimension, string>>;

type MirroredDimension = keyof typeof COLUMNS;

/** Columns fed by a pipeline dimension: per-1M token prices become per-1K, per-unit prices are kept. */
export const columnOfDimension = Object.fromEntries(
  Object.entries(COLUMNS).map(([d, column]) => [
    d,
    { column, per1k: dimensionSpec(d as Dimension).basis === 'per_1m_tokens' },
  ]),
) as { readonly [K in MirroredDimension]: { readonly column: (typeof COLUMNS)[K]; readonly per1k: boolean } };
export type PricingColumn = (typeof COLUMNS)[MirroredDimension];
export const pricingColumns: readonly PricingColumn[] = Object.values(COLUMNS);

/** Custom model names → the real model id they stand for (e.g. "gpt4-prod" → "openai/gpt-4o"). */
export type Aliases = Readonly<Record<string, string>>;

export interface PricingUpdate {
  /** The rows to write: the model id itself and every alias of it. */
  readonly modelNames: readonly string[];
  readonly modelId: string;
  /** Columns to set; absent columns keep their value (a `changed` event lists only what moved). */
  readonly set: Partial<Record<PricingColumn, string | null>>;
  /** new and changed: every column not in `set` is reset to null (new) or kept (changed). */
  readonly resetOthers: boolean;
  readonly listed: boolean;
  readonly eventAt: number;
  readonly eventId: string;
}

/** The per-1K price of a per-1M price, exact: "3.00000000" → "0.00300000000". */
export function per1k(perMillion: string): string {
  return new Decimal(perMillion).dividedBy(1000).toFixed(11);
}

/** What one PriceChanged does to the table; null when it is not a price this gateway charges. */
export function pricingUpdate(e: PriceChanged, aliases: Aliases): PricingUpdate | null {
  if (e.source_type !== 'openrouter_api' || e.provider !== null) return null;
  // An expiration notice moves no price; applied as an update it would also order itself after the
  // run's `new` event (it is published once the discovery run is complete) and shadow it.
  if (e.kind === 'expiring') return null;
  const modelNames = [
    e.model_id,
    ...Object.entries(aliases)
      .filter(([, target]) => target === e.model_id)
      .map(([alias]) => alias)
      .sort(),
  ];
  const base = { modelNames, modelId: e.model_id, eventAt: e.occurred_at, eventId: e.event_id };
  if (e.kind === 'removed') return { ...base, set: {}, resetOthers: false, listed: false };
  const set: Partial<Record<PricingColumn, string | null>> = {};
  for (const c of e.changes) {
    if (c.tier !== null) continue; // a tier: this flat table charges the base
    // Events written before v2 (no change kind) carry a per-token price in `image` for 2026 data and a
    // per-image one for 2025 data, with nothing but a note to tell which: never copied per image.
    if (c.dimension === 'image' && c.change === null) continue;
    const target = (columnOfDimension as Partial<Record<string, { column: PricingColumn; per1k: boolean }>>)[
      c.dimension
    ];
    if (!target) continue; // a dimension this table has no column for
    set[target.column] =
      c.current === null ? null : target.per1k ? per1k(c.current) : new Decimal(c.current).toFixed(8);
  }
  return { ...base, set, resetOthers: e.kind === 'new', listed: true };
}
