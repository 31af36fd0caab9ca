// The rates a call pays under the price model's rule (docs/price-model.md §2), shared by the exports:
// the base, then the selectable tiers that apply in their order (a later one winning per dimension),
// then the tiers usage cannot select raising a dimension to their higher rate (as costOfCall does).
import Decimal from 'decimal.js';
import { isSelectable, type Dimension, type PriceTier } from '@llmpt/schemas';
import type { PricePeriod } from './snapshot.ts';

export type Rates = Partial<Record<Dimension, string>>;

/** The rates a call pays under our rule: base, applicable selectable tiers in order, then the
 * unselectable tiers raising a dimension to their higher rate. */
export function ratesFor(p: PricePeriod, applies: (t: PriceTier) => boolean): Rates {
  const rates: Rates = {};
  for (const b of p.base) rates[b.dimension as Dimension] = b.amount;
  for (const t of p.tiers.filter(isSelectable))
    if (applies(t)) for (const x of t.prices) rates[x.dimension as Dimension] = x.amount;
  for (const t of p.tiers.filter((x) => !isSelectable(x)))
    for (const x of t.prices) {
      const d = x.dimension as Dimension;
      const cur = rates[d];
      if (cur === undefined || new Decimal(x.amount).greaterThan(cur)) rates[d] = x.amount;
    }
  return rates;
}

/** genai-prices' tier start of a tier (it applies a tier on `tokens > start`); null: no token condition. */
export function tierStart(t: PriceTier): number | null {
  const starts = [
    ...(t.prompt_tokens_gte === null ? [] : [Math.max(0, t.prompt_tokens_gte - 1)]),
    ...(t.prompt_tokens_gt === null ? [] : [t.prompt_tokens_gt]),
  ];
  return starts.length === 0 ? null : Math.max(...starts);
}
