// The example gateway's pricing table, computed from PriceChanged (pure). Gateways price a call by the
// model name the user sent, so each alias gets a row of its own mirroring its real model. Only the
// routed OpenRouter price (source openrouter_api, no provider) is what such a gateway charges.
import Decimal from 'decimal.js';
import type { PriceChanged } from '@llmpt/schemas';

/** Columns of public.model_pricing fed by a pipeline dimension (per-1M → per-1K, per-unit kept). */
export const columnOfDimension = {
  prompt: { column: 'input_cost_per_1k', per1k: true },
  completion: { column: 'output_cost_per_1k', per1k: true },
  internal_reasoning: { column: 'reasoning_cost_per_1k', per1k: true },
  input_cache_read: { column: 'cache_read_cost_per_1k', per1k: true },
  input_cache_write: { column: 'cache_write_cost_per_1k', per1k: true },
  request: { column: 'request_cost', per1k: false },
  web_search: { column: 'web_search_cost', per1k: false },
  image: { column: 'image_cost', per1k: false },
} as const;
export type PricingColumn = (typeof columnOfDimension)[keyof typeof columnOfDimension]['column'];
export const pricingColumns: readonly PricingColumn[] = Object.values(columnOfDimension).map((c) => c.column);

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
    const target = columnOfDimension[c.dimension as keyof typeof columnOfDimension];
    if (!target) continue; // a dimension this table has no column for
    set[target.column] =
      c.current === null ? null : target.per1k ? per1k(c.current) : new Decimal(c.current).toFixed(8);
  }
  return { ...base, set, resetOthers: e.kind === 'new', listed: true };
}
