// A tier in words (pure), from its typed conditions as the API stores them (web/README.md "Tiers in
// words"): `prompt > 200K tokens: input $6.00, output $22.50`.
import { groupedDecimal } from './money.ts';
import { amountPhrase, dimensionOrder } from './dimensions.ts';

export interface TierAmount {
  readonly dimension: string;
  readonly amount: string;
}

/** A tier as `/v1/models/{id}/history` gives it (docs/price-model.md §2). */
export interface StoredTier {
  readonly label: string;
  readonly prompt_tokens_gte: number | null;
  readonly prompt_tokens_gt: number | null;
  readonly utc_start: number | null;
  readonly utc_end: number | null;
  readonly variant: string | null;
  readonly other: readonly string[];
  readonly prices: readonly TierAmount[];
}

/** `200000` → `200K`, `1000000` → `1M`, `131072` → `131,072`. */
export function tokenCount(n: number): string {
  if (n !== 0 && n % 1_000_000 === 0) return `${groupedDecimal(String(n / 1_000_000), 0)}M`;
  if (n !== 0 && n % 1_000 === 0) return `${groupedDecimal(String(n / 1_000), 0)}K`;
  return groupedDecimal(String(n), 0);
}

/** Minutes after midnight as `HH:MM` (1440 and more wrap to the next day's clock). */
export function clockTime(minutes: number): string {
  const m = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** The conditions of a tier, in words, joined by " and ". */
export function tierConditions(tier: StoredTier): string {
  const parts: string[] = [];
  if (tier.prompt_tokens_gte !== null) parts.push(`prompt ≥ ${tokenCount(tier.prompt_tokens_gte)} tokens`);
  if (tier.prompt_tokens_gt !== null) parts.push(`prompt > ${tokenCount(tier.prompt_tokens_gt)} tokens`);
  if (tier.utc_start !== null && tier.utc_end !== null)
    parts.push(
      tier.utc_start === tier.utc_end
        ? 'UTC all day'
        : `UTC ${clockTime(tier.utc_start)}–${clockTime(tier.utc_end)}`,
    );
  if (tier.variant !== null) parts.push(`variant ${tier.variant}`);
  parts.push(...tier.other);
  return parts.length === 0 ? 'always' : parts.join(' and ');
}

/** `prompt > 200K tokens: input $6.00, output $22.50` (prices in registry order). */
export function tierText(tier: StoredTier): string {
  const prices = [...tier.prices]
    .sort((a, b) => dimensionOrder(a.dimension, b.dimension))
    .map((p) => amountPhrase(p.dimension, p.amount));
  return prices.length === 0 ? tierConditions(tier) : `${tierConditions(tier)}: ${prices.join(', ')}`;
}
